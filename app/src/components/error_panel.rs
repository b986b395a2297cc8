//! What a page shows when something it needs failed.

use leptos::prelude::*;

/// Lists the errors caught by an `ErrorBoundary`. On the server it also sets the response status
/// to 500, so monitoring sees the failure that the person sees.
#[component]
pub fn ErrorPanel(
    /// The errors to list.
    errors: ArcRwSignal<Errors>,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    view! {
        <section class="error-panel" role="alert">
            <h2>"Something went wrong"</h2>
            <ul>
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|(_, error)| view! { <li>{error.to_string()}</li> })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}
