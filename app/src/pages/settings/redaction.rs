//! The redaction section: built-in kinds to keep on, custom rules, and a preview of what a
//! sample becomes. With JavaScript the preview follows every keystroke; without it, the Preview
//! button reloads the page with the form's rules (saved or not) and the sample in the address.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::settings::{SaveRedaction, preview_redaction},
    components::forms::{FieldError, FormError},
    pages::settings::saved,
};

/// The rules as the form shows them: the stored ones, or (after a JavaScript-off preview) the
/// edited ones the address brings back.
#[component]
pub(super) fn Redaction(kinds: Vec<(String, String, bool)>, custom: String) -> impl IntoView {
    let query = use_query_map();
    let query = query.read_untracked();
    let previewing = query.get("preview").is_some();
    let on = kinds
        .iter()
        .filter(|(kind, _, stored_on)| {
            if previewing {
                query.get(&format!("kinds[{kind}]")).is_some()
            } else {
                *stored_on
            }
        })
        .map(|(kind, ..)| kind.clone())
        .collect();
    let custom = if previewing {
        query.get("custom").unwrap_or_default()
    } else {
        custom
    };
    let sample = query.get("sample").unwrap_or_else(|| {
        "Call Dana at +1 415-555-0132 or dana@acme.example; card 4111 1111 1111 1111.".to_owned()
    });
    let kinds = kinds
        .into_iter()
        .map(|(kind, label, _)| (kind, label))
        .collect();
    view! { <RedactionForm kinds on custom sample /> }
}

/// The form, an island: with JavaScript the preview follows every keystroke.
#[island]
fn RedactionForm(
    kinds: Vec<(String, String)>,
    on: Vec<String>,
    custom: String,
    sample: String,
) -> impl IntoView {
    let action = ServerAction::<SaveRedaction>::new();
    let result = Signal::derive(move || action.value().get());
    let on: RwSignal<HashMap<String, String>> =
        RwSignal::new(on.into_iter().map(|kind| (kind, "on".to_owned())).collect());
    let custom = RwSignal::new(custom);
    let sample = RwSignal::new(sample);
    let preview = Resource::new(
        move || (on.get(), custom.get(), sample.get()),
        |(on, custom, sample)| preview_redaction(Some(on), custom, sample),
    );
    let preview_result = Signal::derive(move || preview.get());
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let boxes = kinds
        .into_iter()
        .map(|(kind, label)| {
            let name = format!("kinds[{kind}]");
            let checked_kind = kind.clone();
            let checked = move || on.read().contains_key(&checked_kind);
            // The attribute for the server-rendered page, the property once hydrated.
            let initially = on.read_untracked().contains_key(&kind);
            view! {
                <label class="choice">
                    <input
                        type="checkbox"
                        name=name
                        value="on"
                        checked=initially
                        prop:checked=checked
                        on:change=move |ev| {
                            let ticked = event_target_checked(&ev);
                            on.update(|on| {
                                if ticked {
                                    on.insert(kind.clone(), "on".to_owned());
                                } else {
                                    on.remove(&kind);
                                }
                            });
                        }
                    />
                    {label}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="card" id="redaction" aria-labelledby="redaction-heading">
            <h2 id="redaction-heading">"PII redaction"</h2>
            <p class="muted">
                "Applied to every message before an AI engine reads it and to every answer before \
                 it is posted. Passwords, tokens and keys are always removed."
            </p>
            {saved(result)}
            <ActionForm action attr:class="stacked-form">
                <FormError result fields=&["custom"] />
                <fieldset>
                    <legend>"Built-in rules"</legend>
                    {boxes}
                </fieldset>
                <label>
                    "Custom rules, one per line: [placeholder] = pattern"
                    <textarea
                        name="custom"
                        rows="4"
                        placeholder="[employee id] = EMP-\\d{6}"
                        prop:value=move || custom.get()
                        on:input=move |ev| custom.set(event_target_value(&ev))
                    >
                        {custom.get_untracked()}
                    </textarea>
                    <FieldError result field="custom" />
                </label>
                <label>
                    "Sample text"
                    <textarea
                        name="sample"
                        rows="3"
                        prop:value=move || sample.get()
                        on:input=move |ev| sample.set(event_target_value(&ev))
                    >
                        {sample.get_untracked()}
                    </textarea>
                </label>
                <div class="preview" aria-live="polite">
                    <h3>"What an engine would read"</h3>
                    <Suspense fallback=|| ()>
                        {move || {
                            preview
                                .get()
                                .map(|answer| match answer {
                                    Ok(text) => view! { <pre class="payload">{text}</pre> }.into_any(),
                                    Err(_) => view! { <p class="muted">"Fix the rules to see a preview."</p> }.into_any(),
                                })
                        }}
                    </Suspense>
                    <FieldError result=preview_result field="custom" />
                </div>
                <div class="buttons">
                    <button type="submit">"Save redaction rules"</button>
                    {move || {
                        (!hydrated.get())
                            .then(|| {
                                view! {
                                    <button
                                        type="submit"
                                        class="secondary"
                                        name="preview"
                                        value="1"
                                        formmethod="get"
                                        formaction="/settings#redaction"
                                    >
                                        "Preview"
                                    </button>
                                }
                            })
                    }}
                </div>
            </ActionForm>
        </section>
    }
}
