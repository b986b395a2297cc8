//! The sign-in page.

use leptos::prelude::*;
use leptos_meta::Title;

/// Explains how people get into the console. Steward has no passwords of its own: people sign in
/// with their Webex account, and only once an admin has connected Steward to Webex (or the
/// built-in sandbox) is there an account provider to send them to.
#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Sign in" />
        <section class="message-page login">
            <h1>"Sign in to Steward"</h1>
            <p>
                "Steward uses your Webex account: there is no separate password. "
                "Only people in your organization who have been given a role in Steward "
                "(admin, reviewer or manager) can use the console."
            </p>
            <p class="notice" role="status">
                "This server is not connected to a Webex sign-in provider, so nobody can sign in yet. "
                "An administrator sets one up in Steward's configuration."
            </p>
        </section>
    }
}
