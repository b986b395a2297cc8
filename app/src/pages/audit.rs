//! The Audit page: every change Steward made or recorded, filtered by time, actor, function,
//! space and decision, searched by words, a page at a time; exported as CSV or JSON lines; and
//! the hash chain verified.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_query_map, use_url},
};
use vocab::{AgentFunction, Decision};

use crate::{
    api::{
        audit::{AuditQuery, AuditRow, AuditView, load_audit},
        status::verify_audit_chain,
    },
    components::{chain::ChainResult, error_panel::ErrorPanel, format::short_time},
};

/// All of it works as plain GET forms and links, so every view has an address.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let q = query_map.read();
        AuditQuery {
            actor: q.get("actor"),
            function: q.get("function"),
            space: q.get("space"),
            decision: q.get("decision"),
            from: q.get("from"),
            to: q.get("to"),
            q: q.get("q"),
            before: q.get("before").and_then(|b| b.parse().ok()),
        }
    });
    let page = Resource::new(move || query.get(), load_audit);
    let url = use_url();
    let verify_requested = move || url.read().search_params().get("verify").is_some();
    let chain = Resource::new(verify_requested, |requested| async move {
        if requested {
            verify_audit_chain().await.map(Some)
        } else {
            Ok(None)
        }
    });
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <p class="lede">
            "Every change made in the console and every decision an agent took, append-only. Each \
             entry carries the hash of the one before, so a change behind Steward's back shows \
             when the chain is verified."
        </p>
        <section class="card" aria-labelledby="verify-heading">
            <h2 id="verify-heading">"Chain"</h2>
            <Form method="GET" action="">
                <button type="submit" name="verify" value="1" class="secondary">
                    "Verify chain"
                </button>
            </Form>
            <Suspense fallback=|| view! { <p class="loading">"Verifying…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move {
                        chain.await.map(|check| check.map(|check| view! { <ChainResult check /> }))
                    })}
                </ErrorBoundary>
            </Suspense>
        </section>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    let query = query.get_untracked();
                    page.await.map(|view| view! { <AuditBody view query /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn AuditBody(view: AuditView, query: AuditQuery) -> impl IntoView {
    let filters = query.to_query_string();
    let export = |format: &str| {
        if filters.is_empty() {
            format!("/audit/export.{format}")
        } else {
            format!("/audit/export.{format}?{filters}")
        }
    };
    let next = view.next_before.map(|before| {
        let href = if filters.is_empty() {
            format!("/audit?before={before}")
        } else {
            format!("/audit?{filters}&before={before}")
        };
        view! { <a class="button" href=href>"Older entries"</a> }
    });
    let selected = |current: &Option<String>, value: &str| current.as_deref() == Some(value);
    let text_value = |v: &Option<String>| v.clone().unwrap_or_default();
    let refused = view.refused.clone();
    let error_for = move |field: &str| {
        refused
            .as_ref()
            .filter(|(name, _)| name == field)
            .map(|(_, message)| view! { <span class="field-error" role="alert">{message.clone()}</span> })
    };
    view! {
        <section class="card" aria-labelledby="filter-heading">
            <h2 id="filter-heading">"Filter"</h2>
            <Form method="GET" action="">
                <div class="inline-form">
                    <label>
                        "Words"
                        <input type="search" name="q" value=text_value(&query.q) placeholder="e.g. summarize draft" />
                    </label>
                    <label>
                        "Actor"
                        <input type="text" name="actor" value=text_value(&query.actor) placeholder="A name or e-mail" />
                        {error_for("actor")}
                    </label>
                    <label>
                        "Function"
                        <select name="function">
                            <option value="">"Any"</option>
                            {AgentFunction::ALL
                                .iter()
                                .map(|f| {
                                    view! { <option value=f.as_str() selected=selected(&query.function, f.as_str())>{f.label()}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        "Space"
                        <select name="space">
                            <option value="">"Any"</option>
                            {view
                                .spaces
                                .iter()
                                .map(|(id, title)| {
                                    view! { <option value=id.clone() selected=selected(&query.space, id)>{title.clone()}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        "Decision"
                        <select name="decision">
                            <option value="">"Any"</option>
                            {Decision::ALL
                                .iter()
                                .map(|d| view! { <option value=d.as_str() selected=selected(&query.decision, d.as_str())>{d.label()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        "From (UTC)"
                        <input type="datetime-local" name="from" value=text_value(&query.from) />
                        {error_for("from")}
                    </label>
                    <label>
                        "To (UTC)"
                        <input type="datetime-local" name="to" value=text_value(&query.to) />
                        {error_for("to")}
                    </label>
                    <button type="submit">"Show"</button>
                </div>
            </Form>
            {view.refused.is_none().then(|| view! {
                <p class="muted">
                    {format!("The log holds {} entries. Export what this filter shows: ", view.total)}
                    <a href=export("csv") download="steward-audit.csv" rel="external">"CSV"</a>
                    " · "
                    <a href=export("jsonl") download="steward-audit.jsonl" rel="external">"JSON lines"</a>
                </p>
            })}
        </section>
        {if view.refused.is_some() {
            ().into_any()
        } else if view.entries.is_empty() {
            view! { <p class="card muted">"No entries match."</p> }.into_any()
        } else {
            view! { <Entries entries=view.entries /> }.into_any()
        }}
        {next}
    }
}

#[component]
fn Entries(entries: Vec<AuditRow>) -> impl IntoView {
    view! {
        <table class="data audit">
            <caption>"Entries, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"#"</th>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Details"</th>
                </tr>
            </thead>
            <tbody>
                {entries
                    .into_iter()
                    .map(|e| {
                        let actor_filter = format!("/audit?actor={}", e.actor_id);
                        view! {
                            <tr id=format!("entry-{}", e.seq)>
                                <td>{e.seq}</td>
                                <td>{short_time(&e.at)}</td>
                                <td>
                                    <a href=actor_filter title=e.actor_id.clone()>{e.actor}</a>
                                </td>
                                <td>
                                    <code>{e.action}</code>
                                    <br />
                                    <span class="muted">{e.target}</span>
                                </td>
                                <td>
                                    <details>
                                        <summary>"Before and after"</summary>
                                        {e.before.map(|b| view! { <h4>"Before"</h4> <pre>{b}</pre> })}
                                        {e.after.map(|a| view! { <h4>"After"</h4> <pre>{a}</pre> })}
                                    </details>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
