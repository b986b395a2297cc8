//! Form helpers: errors shown where they belong.

use leptos::prelude::*;

use crate::error::ConsoleError;

/// The error of the last submission for `field`, under that field. Without JavaScript the
/// server sends the error back in the address and the page shows it the same way.
#[component]
pub fn FieldError<T>(
    /// The action's last result.
    result: Signal<Option<Result<T, ConsoleError>>>,
    /// The field's name.
    #[prop(into)]
    field: String,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    move || {
        result
            .get()
            .and_then(Result::err)
            .and_then(|e| e.for_field(&field))
            .map(|message| view! { <span class="field-error" role="alert">{message}</span> })
    }
}

/// The error of the last submission that is not about one of `fields`, above the form.
#[component]
pub fn FormError<T>(
    /// The action's last result.
    result: Signal<Option<Result<T, ConsoleError>>>,
    /// The form's fields, whose errors show next to them instead.
    #[prop(default = &[])]
    fields: &'static [&'static str],
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    move || {
        result
            .get()
            .and_then(Result::err)
            .and_then(|e| e.for_form(fields))
            .map(|message| view! { <p class="notice error" role="alert">{message}</p> })
    }
}
