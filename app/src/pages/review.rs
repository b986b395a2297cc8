//! The Review queue: what agents drafted where a reviewer must approve first. Approve as is, edit
//! then approve, reject with a reason, or approve a selection at once.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::review::{
        ApproveDraft, ApproveSelected, DraftView, RejectDraft, ReviewView, load_review_queue,
    },
    components::{
        error_panel::ErrorPanel,
        format::short_time,
        forms::{FieldError, FormError},
    },
};

#[derive(Clone, Copy)]
struct Actions {
    approve: ServerAction<ApproveDraft>,
    reject: ServerAction<RejectDraft>,
    bulk: ServerAction<ApproveSelected>,
}

/// The queue, oldest first, a page at a time (`?after=` the last draft of the page before).
#[component]
pub fn ReviewPage() -> impl IntoView {
    let query = use_query_map();
    let actions = Actions {
        approve: ServerAction::new(),
        reject: ServerAction::new(),
        bulk: ServerAction::new(),
    };
    let queue = Resource::new(
        move || {
            (
                query
                    .read()
                    .get("after")
                    .and_then(|a| a.parse::<i64>().ok()),
                actions.approve.version().get(),
                actions.reject.version().get(),
                actions.bulk.version().get(),
            )
        },
        |(after, ..)| load_review_queue(after),
    );
    view! {
        <Title text="Review queue" />
        <h1>"Review queue"</h1>
        <p class="lede">
            "Answers held for a reviewer, oldest first. Approve posts the reply in the thread it \
             answers, with your edits; reject records why and posts nothing."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    queue.await.map(|view| view! { <Queue view actions /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn Queue(view: ReviewView, actions: Actions) -> impl IntoView {
    let bulk_result = Signal::derive(move || actions.bulk.value().get().map(|r| r.map(drop)));
    if view.drafts.is_empty() {
        return view! {
            <p class="card muted">"Nothing waits for review."</p>
        }
        .into_any();
    }
    let next = view.next_after.map(|after| {
        view! { <a class="button" href=format!("/review?after={after}")>"Next drafts"</a> }
    });
    view! {
        <ActionForm action=actions.bulk attr:id="bulk-approve" attr:class="inline-form bulk">
            <FormError result=bulk_result />
            <button type="submit" class="secondary">"Approve selected"</button>
        </ActionForm>
        {view
            .drafts
            .into_iter()
            .map(|draft| view! { <DraftCard draft actions /> })
            .collect_view()}
        {next}
    }
    .into_any()
}

#[component]
fn DraftCard(draft: DraftView, actions: Actions) -> impl IntoView {
    let heading = format!("draft-{}", draft.id);
    let heading_id = heading.clone();
    let approve_result = Signal::derive(move || actions.approve.value().get());
    let reject_result = Signal::derive(move || actions.reject.value().get());
    let id = draft.id.to_string();
    let reject_id = id.clone();
    let context = draft
        .context
        .into_iter()
        .map(|line| {
            view! {
                <li class=if line.trigger { "trigger" } else { "" }>
                    <strong>{line.author}</strong>
                    ": "
                    {line.text}
                </li>
            }
        })
        .collect_view();
    let select_label = format!("Select draft {}", draft.id);
    let reply_label = format!("Reply for draft {}", draft.id);
    let reason_label = format!("Reason to reject draft {}", draft.id);
    view! {
        <article class="card draft" aria-labelledby=heading>
            <header class="draft-head">
                <input
                    type="checkbox"
                    name=format!("selected[{}]", draft.id)
                    value="on"
                    form="bulk-approve"
                    aria-label=select_label
                />
                <h2 id=heading_id>{format!("{} in {}", draft.function.label(), draft.space)}</h2>
                <span class="muted">
                    {format!(" {} · {}", draft.prompt_version, short_time(&draft.created))}
                </span>
            </header>
            <ol class="context">{context}</ol>
            <ActionForm action=actions.approve attr:class="stacked-form">
                <input type="hidden" name="id" value=id />
                <label>
                    "Reply"
                    <textarea name="markdown" rows="8" aria-label=reply_label>{draft.markdown}</textarea>
                    <FieldError result=approve_result field=format!("markdown.{}", draft.id) />
                </label>
                <button type="submit">"Approve"</button>
            </ActionForm>
            <ActionForm action=actions.reject attr:class="inline-form">
                <input type="hidden" name="id" value=reject_id />
                <label>
                    "Reason"
                    <input type="text" name="reason" aria-label=reason_label />
                    <FieldError result=reject_result field=format!("reason.{}", draft.id) />
                </label>
                <button type="submit" class="danger">"Reject"</button>
            </ActionForm>
        </article>
    }
}
