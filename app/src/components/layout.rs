//! The frame around every page: header with navigation and the signed-in person, and footer.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use crate::api::session::{SessionInfo, load_session};

/// The console's frame. Navigation lists only pages that do something, and only to people with a
/// role.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = Resource::new(|| (), |()| load_session());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                session.await.ok().filter(|info| info.sandbox).map(|_| view! { <SandboxBanner /> })
            })}
        </Suspense>
        <header class="top-bar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Steward"
            </a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    session.await.ok().map(|info| view! { <SessionBar info /> })
                })}
            </Suspense>
        </header>
        <main id="main">
            <Notice />
            {children()}
        </main>
        <footer class="site-footer">
            <p>"Steward · governed AI agents for Webex"</p>
        </footer>
    }
}

/// Said on every page in sandbox mode, so nobody mistakes the demo organization for their
/// company's, nor a sandbox server for one that may be left reachable.
#[component]
fn SandboxBanner() -> impl IntoView {
    view! {
        <p class="sandbox-banner" role="note" data-testid="sandbox-banner">
            <strong>"Sandbox mode."</strong>
            " A demo organization with an emulated Webex: anyone who can reach this server can "
            "sign in as any demo person, admins included. Nothing here reaches real Webex."
        </p>
    }
}

/// The confirmation of the last change made from a form, when the address carries one
/// (`?notice=`; see `state::confirm`).
#[component]
fn Notice() -> impl IntoView {
    let query = use_query_map();
    move || {
        query
            .read()
            .get("notice")
            .filter(|notice| !notice.is_empty())
            .map(|notice| view! { <p class="notice ok" role="status">{notice}</p> })
    }
}

#[component]
fn SessionBar(info: SessionInfo) -> impl IntoView {
    let Some(viewer) = info.viewer else {
        return view! {
            <nav aria-label="Main" class="main-nav"></nav>
        }
        .into_any();
    };
    let has_role = !viewer.roles.is_empty();
    let holds = |allowed: &[&str]| viewer.roles.iter().any(|r| allowed.contains(&r.as_str()));
    // Each page, and who may open it; the pages check again on the server.
    let pages = [
        ("/", "Overview", has_role),
        ("/review", "Review", holds(&["admin", "reviewer"])),
        ("/actions", "Actions", holds(&["admin", "reviewer"])),
        ("/agents", "Agents", has_role),
        ("/prompts", "Prompts", holds(&["admin", "reviewer"])),
        ("/audit", "Audit", holds(&["admin", "manager"])),
        ("/people", "People", holds(&["admin"])),
        ("/settings", "Settings", holds(&["admin"])),
        ("/sandbox", "Sandbox", info.sandbox && holds(&["admin"])),
    ];
    let roles = if has_role {
        viewer.roles.join(", ")
    } else {
        "no role".to_owned()
    };
    view! {
        <nav aria-label="Main" class="main-nav">
            <ul>
                {pages
                    .into_iter()
                    .filter(|(_, _, shown)| *shown)
                    .map(|(href, label, _)| {
                        view! {
                            <li>
                                <A href=href exact=href == "/">
                                    {label}
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <div class="viewer">
            <span class="viewer-name" data-testid="viewer">
                {viewer.name}
            </span>
            <span class="viewer-roles">{roles}</span>
            // A plain form: signing out must work without JavaScript and is a POST.
            <form method="post" action="/auth/logout">
                <button type="submit" class="link-button">
                    "Sign out"
                </button>
            </form>
        </div>
    }
    .into_any()
}
