//! Steward's governance console: the Leptos application rendered on the server (feature `ssr`),
//! with a few interactive islands hydrated in the browser (feature `hydrate`).
//!
//! Pages live in [`pages`], shared pieces in [`components`], and the server functions they call
//! in [`api`]. Server functions are thin: they read [`state::AppState`] from context, call one
//! `domain` function, and map the result to a DTO from [`api`].

pub mod api;
#[cfg(feature = "ssr")]
pub mod assets;
pub mod components;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::{
    components::layout::Layout,
    pages::{
        actions::ActionsPage, agents::AgentsPage, audit::AuditPage, login::LoginPage,
        no_role::NoRolePage, not_found::NotFoundPage, overview::OverviewPage, people::PeoplePage,
        prompts::PromptsPage, review::ReviewPage, sandbox::SandboxPage, settings::SettingsPage,
    },
};

/// The HTML document around the application, rendered on the server only.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    state::provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options=options.clone() islands=true />
                <link rel="stylesheet" href=assets::stylesheet(&options) />
                <MetaTags />
            </head>
            <body>
                <App />
                <HydrationMark />
            </body>
        </html>
    }
}

/// The console: layout, navigation and routes.
///
/// Every route renders completely on the server before the response is sent (`SsrMode::Async`),
/// so each page works with JavaScript switched off; hydration only makes it faster.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · Steward") />
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=StaticSegment("") view=OverviewPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("no-role") view=NoRolePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("sandbox") view=SandboxPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("people") view=PeoplePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("agents") view=AgentsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("prompts") view=PromptsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("review") view=ReviewPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("actions") view=ActionsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("settings") view=SettingsPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

/// Marks the document once the browser has taken over (the islands are live), so tests (and the
/// curious) can tell an enhanced page from plain server-rendered HTML.
#[island]
fn HydrationMark() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            body.set_attribute("data-hydrated", "true").ok();
        }
    });
}

/// Entry point of the wasm bundle: brings the page's islands to life. Everything else on a page
/// is server-rendered HTML; links and forms load whole pages.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    hydrate_islands();
}
