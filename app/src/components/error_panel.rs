//! What a page shows when something it needs failed.

use leptos::prelude::*;

use crate::error::ConsoleError;

/// Lists the errors caught by an `ErrorBoundary`. On the server it also sets the response status
/// that matches the first error (403 for a refused role, 500 for a failure, …), so monitoring
/// and tests see what the person sees.
#[component]
pub fn ErrorPanel(
    /// The errors to list.
    errors: ArcRwSignal<Errors>,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(errors.with_untracked(status_for));
    }
    let refused = errors.with_untracked(|errors| {
        errors.iter().next().is_some_and(|(_, error)| {
            matches!(
                error.downcast_ref::<ConsoleError>(),
                Some(ConsoleError::Forbidden)
            )
        })
    });
    if refused {
        return view! {
            <section class="error-panel" role="alert">
                <h2>"Your role does not allow this page"</h2>
                <p>
                    "Your role does not allow this. Ask a Steward admin to give you the role it \
                     needs; admins grant roles on the People page."
                </p>
            </section>
        }
        .into_any();
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
    .into_any()
}

#[cfg(feature = "ssr")]
fn status_for(errors: &Errors) -> http::StatusCode {
    use http::StatusCode;

    let first = errors
        .iter()
        .next()
        .and_then(|(_, error)| error.downcast_ref::<ConsoleError>().cloned());
    match first {
        Some(ConsoleError::SignInRequired) => StatusCode::UNAUTHORIZED,
        Some(ConsoleError::Forbidden) => StatusCode::FORBIDDEN,
        Some(ConsoleError::NotFound(_)) => StatusCode::NOT_FOUND,
        Some(ConsoleError::Invalid(_) | ConsoleError::Field(..)) => StatusCode::BAD_REQUEST,
        Some(ConsoleError::Unavailable | ConsoleError::Transport(_)) | None => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
