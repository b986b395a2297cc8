//! The Actions queue: external calls agents proposed (an incident, a page, an issue, a webhook)
//! wait here with the exact request they will send. Approve sends it; reject records why. Below,
//! the latest decided actions and how they ended.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use vocab::ActionState;

use crate::{
    api::actions::{ActionView, ActionsView, ApproveAction, RejectAction, load_actions},
    components::{
        error_panel::ErrorPanel,
        format::short_time,
        forms::{FieldError, FormError},
    },
};

#[derive(Clone, Copy)]
struct Decisions {
    approve: ServerAction<ApproveAction>,
    reject: ServerAction<RejectAction>,
}

/// The queue, oldest first, a page at a time (`?after=` the last proposal of the page before).
#[component]
pub fn ActionsPage() -> impl IntoView {
    let query = use_query_map();
    let decisions = Decisions {
        approve: ServerAction::new(),
        reject: ServerAction::new(),
    };
    let queue = Resource::new(
        move || {
            (
                query
                    .read()
                    .get("after")
                    .and_then(|a| a.parse::<i64>().ok()),
                decisions.approve.version().get(),
                decisions.reject.version().get(),
            )
        },
        |(after, ..)| load_actions(after),
    );
    view! {
        <Title text="Actions" />
        <h1>"Actions"</h1>
        <p class="lede">
            "External actions agents propose wait here with the exact request they will send. \
             Approve sends it and reports the outcome in the space it came from; reject sends \
             nothing and tells the space why."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    queue.await.map(|view| view! { <Queue view decisions /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn Queue(view: ActionsView, decisions: Decisions) -> impl IntoView {
    let waiting = if view.pending.is_empty() {
        view! { <p class="card muted">"No action waits for approval."</p> }.into_any()
    } else {
        view.pending
            .into_iter()
            .map(|action| view! { <PendingCard action decisions /> })
            .collect_view()
            .into_any()
    };
    let next = view.next_after.map(|after| {
        view! { <a class="button" href=format!("/actions?after={after}")>"Next actions"</a> }
    });
    view! {
        <section aria-labelledby="waiting">
            <h2 id="waiting">"Waiting for approval"</h2>
            {waiting}
            {next}
        </section>
        <Decided actions=view.decided />
    }
}

#[component]
fn PendingCard(action: ActionView, decisions: Decisions) -> impl IntoView {
    let heading = format!("action-{}", action.id);
    let heading_id = heading.clone();
    let approve_result = Signal::derive(move || decisions.approve.value().get());
    let reject_result = Signal::derive(move || decisions.reject.value().get());
    let id = action.id.to_string();
    let reject_id = id.clone();
    let reason_label = format!("Reason to reject action {}", action.id);
    let verb = action.system.verb();
    let approve_label = format!("Approve: {verb}");
    view! {
        <article class="card action" aria-labelledby=heading>
            <header class="draft-head">
                <h3 id=heading_id>{action.title}</h3>
                <span class="muted">
                    {format!(
                        " {} · {} in {} · proposed by {} · {}",
                        action.system.label(),
                        action.function.label(),
                        action.space,
                        action.proposed_by,
                        short_time(&action.proposed),
                    )}
                </span>
            </header>
            <p>
                {match &action.destination {
                    Some(destination) => format!(
                        "Approving will {verb}, sending this request to {destination}:"
                    ),
                    None => format!("Approving will {verb}, sending this request:"),
                }}
            </p>
            <pre class="payload">{action.payload}</pre>
            <ActionForm action=decisions.approve attr:class="inline-form">
                <input type="hidden" name="id" value=id />
                <FormError result=approve_result />
                <button type="submit" aria-label=approve_label>
                    "Approve"
                </button>
            </ActionForm>
            <ActionForm action=decisions.reject attr:class="inline-form">
                <input type="hidden" name="id" value=reject_id />
                <label>
                    "Reason"
                    <input type="text" name="reason" maxlength="500" aria-label=reason_label />
                    <FieldError result=reject_result field=format!("reason.{}", action.id) />
                </label>
                <button type="submit" class="danger">"Reject"</button>
            </ActionForm>
        </article>
    }
}

#[component]
fn Decided(actions: Vec<ActionView>) -> impl IntoView {
    // While an approved action is being sent, the page loads itself again every two seconds
    // (with or without JavaScript) until every outcome is known.
    let sending = actions
        .iter()
        .any(|a| matches!(a.state, ActionState::Approved))
        .then(|| view! { <meta http-equiv="refresh" content="2; url=/actions" /> });
    let body = if actions.is_empty() {
        view! { <p class="muted">"No action was decided yet."</p> }.into_any()
    } else {
        let rows = actions
            .into_iter()
            .map(|action| {
                let outcome = match action.state {
                    ActionState::Succeeded => {
                        let reference = action.reference.unwrap_or_default();
                        match action.link {
                            Some(link) => view! { <a href=link>{reference}</a> }.into_any(),
                            None => view! { <span>{reference}</span> }.into_any(),
                        }
                    }
                    ActionState::Failed => {
                        view! { <span>{action.error.unwrap_or_default()}</span> }.into_any()
                    }
                    ActionState::Rejected => {
                        view! { <span>{action.reason.unwrap_or_default()}</span> }.into_any()
                    }
                    ActionState::Pending | ActionState::Approved => {
                        view! { <span class="muted">"Sending…"</span> }.into_any()
                    }
                };
                let state_class = format!("state state-{}", action.state);
                view! {
                    <tr>
                        <td>{action.title}</td>
                        <td>{action.system.label()}</td>
                        <td>{action.space}</td>
                        <td>
                            <span class=state_class>{action.state.as_str()}</span>
                        </td>
                        <td>{outcome}</td>
                        <td>{action.decided_by.unwrap_or_default()}</td>
                        <td>{action.decided.as_deref().map(short_time).unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Action"</th>
                        <th scope="col">"System"</th>
                        <th scope="col">"Space"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Decided by"</th>
                        <th scope="col">"When"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="decided">
            {sending}
            <h2 id="decided">"Recently decided"</h2>
            {body}
        </section>
    }
}
