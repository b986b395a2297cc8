//! The sign-in page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::session::load_session;

/// What went wrong, for each `?error=` the sign-in routes send people back with.
fn error_message(code: &str) -> &'static str {
    match code {
        "cancelled" => "Sign-in was cancelled at Webex. Try again when you are ready.",
        "expired" => "That sign-in attempt expired or was already used. Start again.",
        "state" => {
            "The sign-in response did not match this browser's sign-in attempt, so it was refused. Start again."
        }
        "exchange" => "Webex did not accept the sign-in code. Start again.",
        "profile" => "Steward could not read your Webex profile. Try again in a moment.",
        "org" => {
            "Your Webex organization is not allowed to use this Steward. Ask your administrator."
        }
        "not_configured" => "This server is not connected to a Webex sign-in provider.",
        _ => "Sign-in did not complete. Start again.",
    }
}

/// Steward has no passwords of its own: people sign in with their Webex account.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").map(|code| error_message(&code));
    let signed_out = move || query.read().get("signed_out").is_some();
    let session = Resource::new(|| (), |()| load_session());
    view! {
        <Title text="Sign in" />
        <section class="message-page login">
            <h1>"Sign in to Steward"</h1>
            {move || error().map(|message| view! { <p class="notice error" role="alert">{message}</p> })}
            {move || signed_out().then(|| view! { <p class="notice" role="status">"You are signed out."</p> })}
            <p>
                "Steward uses your Webex account: there is no separate password. "
                "Only people in your organization who have been given a role in Steward "
                "(admin, reviewer or manager) can use the console."
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let available = session.await.map(|s| s.sign_in_available).unwrap_or(false);
                    if available {
                        // rel="external": the sign-in route is served by the server, not the router.
                        view! {
                            <p>
                                <a class="button" href="/auth/login" rel="external">
                                    "Sign in with Webex"
                                </a>
                            </p>
                        }
                        .into_any()
                    } else {
                        view! {
                            <p class="notice" role="status">
                                "This server is not connected to a Webex sign-in provider, so nobody can sign in yet. "
                                "An administrator sets STEWARD_WEBEX_CLIENT_ID and STEWARD_WEBEX_CLIENT_SECRET, "
                                "or runs Steward in sandbox mode."
                            </p>
                        }
                        .into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
