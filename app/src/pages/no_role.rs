//! The page for people who signed in but hold no Steward role.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::session::load_session;

/// Signed in, but without a role: say so, and who to ask.
#[component]
pub fn NoRolePage() -> impl IntoView {
    let session = Resource::new(|| (), |()| load_session());
    view! {
        <Title text="No access yet" />
        <section class="message-page">
            <h1>"You don't have access yet"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let email = session.await.ok().and_then(|s| s.viewer).map(|v| v.email);
                    email.map(|email| view! { <p>"You are signed in as " <strong>{email}</strong> "."</p> })
                })}
            </Suspense>
            <p>
                "Steward has not given you a role. Ask a Steward admin to make you an admin, "
                "reviewer or manager, then sign in again."
            </p>
        </section>
    }
}
