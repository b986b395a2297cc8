//! The Overview page: the installation's state and the audit chain check.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::{
    api::status::{RuntimeStatus, SystemStatus, load_system_status, verify_audit_chain},
    components::{chain::ChainResult, error_panel::ErrorPanel},
};

/// Shows the database, the audit log and who holds which role. "Verify chain" is a plain GET form
/// (`?verify=1`), so it works without JavaScript and the result has a shareable address.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let status = Resource::new(|| (), |()| load_system_status());
    let query = use_query_map();
    let verify_requested = move || query.read().get("verify").is_some();
    let chain = Resource::new(verify_requested, |requested| async move {
        if requested {
            verify_audit_chain().await.map(Some)
        } else {
            Ok(None)
        }
    });

    view! {
        <Title text="Overview" />
        <h1>"Overview"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    status.await.map(|status| view! { <StatusCards status /> })
                })}
            </ErrorBoundary>
        </Suspense>
        <section class="card" aria-labelledby="chain-heading">
            <h2 id="chain-heading">"Audit chain"</h2>
            <p>
                "Every change is recorded in an append-only log in which each entry carries the hash "
                "of the one before. Verifying recomputes every hash and names the first entry that "
                "was changed, removed or inserted. The database refuses edits, deletions and "
                "truncation by ordinary statements; someone who controls the database itself can "
                "rewrite history and recompute the hashes, which only the audit key's seals and "
                "anchors kept outside Steward reveal."
            </p>
            <Form method="GET" action="">
                <button type="submit" name="verify" value="1">
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
    }
}

#[component]
fn StatusCards(status: SystemStatus) -> impl IntoView {
    let schema_current = status.migrations_applied == status.migrations_known;
    let mode = if status.sandbox {
        "Built-in Webex sandbox (no Webex account needed)"
    } else {
        "Webex"
    };
    view! {
        <div class="cards">
            <section class="card" aria-labelledby="db-heading">
                <h2 id="db-heading">"Database"</h2>
                <dl>
                    <dt>"Engine"</dt>
                    <dd data-testid="database-engine">{status.database}</dd>
                    <dt>"Schema"</dt>
                    <dd>
                        <span class=if schema_current { "badge ok" } else { "badge warn" }>
                            {if schema_current { "current" } else { "behind" }}
                        </span>
                        {format!(
                            " {} of {} migrations applied",
                            status.migrations_applied,
                            status.migrations_known,
                        )}
                    </dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="people-heading">
                <h2 id="people-heading">"People"</h2>
                <dl>
                    {status
                        .people
                        .into_iter()
                        .map(|count| {
                            view! {
                                <dt>{count.role.plural()}</dt>
                                <dd>{count.people}</dd>
                            }
                        })
                        .collect_view()}
                </dl>
            </section>
            <RuntimeCard runtime=status.runtime />
            <section class="card" aria-labelledby="install-heading">
                <h2 id="install-heading">"Installation"</h2>
                <dl>
                    <dt>"Audit entries"</dt>
                    <dd data-testid="audit-entries">{status.audit_entries}</dd>
                    <dt>"Connected to"</dt>
                    <dd>{mode}</dd>
                    <dt>"Version"</dt>
                    <dd>{status.version}</dd>
                </dl>
            </section>
        </div>
    }
}

/// What the bot has done; dead letters are shown as a warning, since someone must look at them.
#[component]
fn RuntimeCard(runtime: RuntimeStatus) -> impl IntoView {
    let dead = runtime.dead + runtime.jobs_dead;
    view! {
        <section class="card" aria-labelledby="runtime-heading">
            <h2 id="runtime-heading">"Bot runtime"</h2>
            <dl>
                <dt>"Webex events"</dt>
                <dd data-testid="events-received">{runtime.events}</dd>
                <dt>"Answered"</dt>
                <dd data-testid="events-replied">{runtime.replied}</dd>
                <dt>"Drafts and shadow runs"</dt>
                <dd>{runtime.drafted}</dd>
                <dt>"Waiting"</dt>
                <dd>{format!("{} ({} jobs queued, {} running)", runtime.waiting, runtime.jobs_queued, runtime.jobs_running)}</dd>
                <dt>"Failed for good"</dt>
                <dd data-testid="dead-letters">
                    <span class=if dead == 0 { "badge ok" } else { "badge warn" }>
                        {if dead == 0 { "none".to_owned() } else { format!("{} events, {} jobs", runtime.dead, runtime.jobs_dead) }}
                    </span>
                </dd>
            </dl>
        </section>
    }
}
