//! The Settings page, for admins: the AI provider, integrations and where escalations go, PII
//! redaction rules with a preview, retention, the AI disclosure, the reviewer space, and a way to
//! People. Every
//! save is audited; secrets are write-only.

mod integrations;
mod redaction;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::settings::{
        ClearCredential, SaveAiProvider, SaveDisclosure, SaveEscalationTarget, SaveIntegration,
        SaveRetention, SaveReviewSpace, SettingsView, load_settings,
    },
    components::{
        error_panel::ErrorPanel,
        forms::{FieldError, FormError},
    },
    error::ConsoleError,
};

/// The page's forms. The console renders on the server and saves through plain form posts, which
/// come back to this page with a notice or the refused form's field errors.
#[derive(Clone, Copy)]
struct Saves {
    provider: ServerAction<SaveAiProvider>,
    clear: ServerAction<ClearCredential>,
    integration: ServerAction<SaveIntegration>,
    escalation: ServerAction<SaveEscalationTarget>,
    retention: ServerAction<SaveRetention>,
    disclosure: ServerAction<SaveDisclosure>,
    review_space: ServerAction<SaveReviewSpace>,
}

/// Every setting, a form per concern.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let saves = Saves {
        provider: ServerAction::new(),
        clear: ServerAction::new(),
        integration: ServerAction::new(),
        escalation: ServerAction::new(),
        retention: ServerAction::new(),
        disclosure: ServerAction::new(),
        review_space: ServerAction::new(),
    };
    let settings = Resource::new(|| (), |()| load_settings());
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <p class="lede">
            "How Steward's agents think, what they may reach, what they must not see and how long \
             Steward keeps what they read. Every change is recorded in the audit log; secrets are \
             never shown again once saved. Roles are given on "
            <a href="/people">"People"</a>
            "."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    settings.await.map(|view| view! { <Sections view saves /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn Sections(view: SettingsView, saves: Saves) -> impl IntoView {
    let provider = view.provider.clone();
    let base_url = view.ai_base_url.clone();
    let model = view.ai_model.clone();
    let key_set = view.ai_key_set;
    view! {
        <AiProvider provider base_url model key_set action=saves.provider clear=saves.clear />
        <integrations::Integrations
            integrations=view.integrations
            target=view.escalation_target
            save=saves.integration
            escalation=saves.escalation
            clear=saves.clear
        />
        <redaction::Redaction kinds=view.redaction_kinds custom=view.redaction_custom />
        <Retention days=view.retention_days action=saves.retention />
        <AiDisclosure
            generated=view.disclosure_generated
            reviewed=view.disclosure_reviewed
            action=saves.disclosure
        />
        <ReviewSpace current=view.review_space spaces=view.spaces action=saves.review_space />
    }
}

/// "Saved." after a successful save.
fn saved<T>(result: Signal<Option<Result<T, ConsoleError>>>) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    move || {
        result
            .get()
            .and_then(Result::ok)
            .map(|_| view! { <p class="result ok" role="status">"Saved."</p> })
    }
}

#[component]
fn AiProvider(
    provider: String,
    base_url: String,
    model: String,
    key_set: bool,
    action: ServerAction<SaveAiProvider>,
    clear: ServerAction<ClearCredential>,
) -> impl IntoView {
    let result = Signal::derive(move || action.value().get());
    let key_hint = if key_set {
        "A key is stored; leave empty to keep it"
    } else {
        "Required for an OpenAI-compatible API"
    };
    view! {
        <section class="card" aria-labelledby="ai-heading">
            <h2 id="ai-heading">"AI provider"</h2>
            <p class="muted">
                "The local engine runs inside Steward and sends nothing anywhere. An \
                 OpenAI-compatible API writes thread summaries; alert severity always follows \
                 your rules. Text reaches either only after PII redaction."
            </p>
            <ActionForm action attr:class="stacked-form">
                <FormError result fields=&["provider", "base_url", "model", "api_key"] />
                <fieldset>
                    <legend>"Engine"</legend>
                    <label class="choice">
                        <input type="radio" name="provider" value="local" checked=provider == "local" />
                        "Local (offline, deterministic)"
                    </label>
                    <label class="choice">
                        <input type="radio" name="provider" value="openai" checked=provider == "openai" />
                        "OpenAI-compatible API"
                    </label>
                    <FieldError result field="provider" />
                </fieldset>
                <label>
                    "API base URL"
                    <input type="url" name="base_url" value=base_url placeholder="https://api.openai.com/v1" />
                    <FieldError result field="base_url" />
                </label>
                <label>
                    "Model"
                    <input type="text" name="model" value=model placeholder="gpt-4o-mini" />
                    <FieldError result field="model" />
                </label>
                <label>
                    "API key"
                    <input type="password" name="api_key" autocomplete="off" placeholder=key_hint />
                    <FieldError result field="api_key" />
                </label>
                <button type="submit">"Save provider"</button>
            </ActionForm>
            {key_set
                .then(|| {
                    view! {
                        <Clear owner="ai" label="Clear the stored API key".to_owned() clear />
                    }
                })}
        </section>
    }
}

/// A form that removes a stored credential.
#[component]
fn Clear(
    owner: &'static str,
    label: String,
    clear: ServerAction<ClearCredential>,
) -> impl IntoView {
    view! {
        <ActionForm action=clear attr:class="inline-form">
            <input type="hidden" name="owner" value=owner />
            <button type="submit" class="secondary">{label}</button>
        </ActionForm>
    }
}

#[component]
fn Retention(days: Option<u32>, action: ServerAction<SaveRetention>) -> impl IntoView {
    let result = Signal::derive(move || action.value().get());
    let current = days.map(|d| d.to_string()).unwrap_or_default();
    let now = match days {
        Some(days) => format!("Message text is kept {days} days, then blanked."),
        None => "Message text is kept until you set a limit.".to_owned(),
    };
    view! {
        <section class="card" aria-labelledby="retention-heading">
            <h2 id="retention-heading">"Retention"</h2>
            <p class="muted">
                {now}
                " Drafts already decided, sent replies and alert titles older than that lose their \
                 text within the hour; ids, times and decisions stay for the audit log and charts."
            </p>
            <ActionForm action attr:class="inline-form">
                <FormError result fields=&["days"] />
                <label>
                    "Keep message text for (days)"
                    <input type="number" name="days" value=current />
                    <FieldError result field="days" />
                </label>
                <button type="submit">"Save retention"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn AiDisclosure(
    generated: String,
    reviewed: String,
    action: ServerAction<SaveDisclosure>,
) -> impl IntoView {
    let result = Signal::derive(move || action.value().get());
    view! {
        <section class="card" aria-labelledby="disclosure-heading">
            <h2 id="disclosure-heading">"AI disclosure"</h2>
            <p class="muted">
                "Every answer an agent posts ends with this line, so people know AI wrote it (EU \
                 AI Act, Article 50); an answer a reviewer approved names them. The audit log \
                 records the line each answer carried."
            </p>
            <ActionForm action attr:class="stacked-form">
                <FormError result fields=&["generated", "reviewed"] />
                <label>
                    "Under an answer as the agent wrote it"
                    <input type="text" name="generated" value=generated required maxlength="200" />
                    <FieldError result field="generated" />
                </label>
                <label>
                    "Under an answer a reviewer approved ({reviewer} is their name)"
                    <input type="text" name="reviewed" value=reviewed required maxlength="200" />
                    <FieldError result field="reviewed" />
                </label>
                <button type="submit">"Save disclosure"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ReviewSpace(
    current: Option<String>,
    spaces: Vec<(String, String)>,
    action: ServerAction<SaveReviewSpace>,
) -> impl IntoView {
    let result = Signal::derive(move || action.value().get());
    let options = spaces
        .into_iter()
        .map(|(room_id, title)| {
            let selected = current.as_deref() == Some(room_id.as_str());
            view! { <option value=room_id selected=selected>{title}</option> }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="review-space-heading">
            <h2 id="review-space-heading">"Reviewer space"</h2>
            <p class="muted">
                "Drafts waiting for review are also posted as cards in this Webex space, where \
                 reviewers can approve or reject them."
            </p>
            <ActionForm action attr:class="inline-form">
                <FormError result fields=&["room_id"] />
                <label>
                    "Space"
                    <select name="room_id">
                        <option value="">"None: review on the console only"</option>
                        {options}
                    </select>
                    <FieldError result field="room_id" />
                </label>
                <button type="submit">"Save reviewer space"</button>
            </ActionForm>
        </section>
    }
}
