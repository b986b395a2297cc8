//! The integrations section: each external system's URL, account and credential, and which
//! one alert escalations are proposed to.

use leptos::prelude::*;
use vocab::IntegrationKind;

use crate::{
    api::settings::{ClearCredential, IntegrationView, SaveEscalationTarget, SaveIntegration},
    components::forms::{FieldError, FormError},
    error::ConsoleError,
};

#[component]
pub(super) fn Integrations(
    integrations: Vec<IntegrationView>,
    target: Option<IntegrationKind>,
    save: ServerAction<SaveIntegration>,
    escalation: ServerAction<SaveEscalationTarget>,
    clear: ServerAction<ClearCredential>,
) -> impl IntoView {
    let escalation_result = Signal::derive(move || escalation.value().get());
    let choices = integrations
        .iter()
        .map(|i| {
            let selected = target == Some(i.kind);
            let label = if i.ready {
                i.kind.label().to_owned()
            } else {
                format!("{} (not set up)", i.kind.label())
            };
            view! { <option value=i.kind.as_str() selected=selected>{label}</option> }
        })
        .collect_view();
    let forms = integrations
        .into_iter()
        .map(|integration| view! { <IntegrationForm integration save clear /> })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="integrations-heading">
            <h2 id="integrations-heading">"Integrations"</h2>
            <p class="muted">
                "Where agents' actions go once a reviewer approves them on the Actions page. \
                 Steward calls each system's own API."
            </p>
            {move || {
                save.value()
                    .get()
                    .and_then(Result::err)
                    .filter(|e| !matches!(e, ConsoleError::Field(..)))
                    .map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })
            }}
            <div class="cards">{forms}</div>
            <h3>"Alert escalations"</h3>
            <ActionForm action=escalation attr:class="inline-form">
                <FormError result=escalation_result fields=&["target"] />
                <label>
                    "Escalate proposes to"
                    <select name="target">
                        <option value="">"Nobody: record the click only"</option>
                        {choices}
                    </select>
                    <FieldError result=escalation_result field="target" />
                </label>
                <button type="submit">"Save escalations"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn IntegrationForm(
    integration: IntegrationView,
    save: ServerAction<SaveIntegration>,
    clear: ServerAction<ClearCredential>,
) -> impl IntoView {
    let result = Signal::derive(move || save.value().get());
    let kind = integration.kind;
    let field = move |name: &str| format!("{kind}.{name}");
    let heading = format!("integration-{}", integration.kind);
    let heading_id = heading.clone();
    let status = if integration.ready {
        "Ready"
    } else {
        "Not set up"
    };
    let url_label = if kind == IntegrationKind::Webhook {
        "Webhook URL"
    } else {
        "Base URL"
    };
    let user_label = match kind {
        IntegrationKind::ServiceNow => Some("User"),
        IntegrationKind::Jira => Some("Account e-mail"),
        IntegrationKind::PagerDuty | IntegrationKind::Webhook => None,
    };
    let username = user_label.map(|label| {
        let value = integration.username.clone();
        view! {
            <label>
                {label}
                <input type="text" name="username" value=value autocomplete="off" />
                <FieldError result field=field("username") />
            </label>
        }
    });
    let jira = (kind == IntegrationKind::Jira).then(|| {
        let project = integration.project.clone();
        let issue_type = integration.issue_type.clone();
        view! {
            <label>
                "Project key"
                <input type="text" name="project" value=project placeholder="OPS" />
                <FieldError result field=field("project") />
            </label>
            <label>
                "Issue type"
                <input type="text" name="issue_type" value=issue_type placeholder="Task" />
            </label>
        }
    });
    let secret_hint = if integration.secret_set {
        "Stored; leave empty to keep it"
    } else {
        "Not set"
    };
    view! {
        <article class="card" aria-labelledby=heading>
            <h3 id=heading_id>{kind.label()}</h3>
            <p class=if integration.ready { "badge ok" } else { "badge" }>{status}</p>
            <ActionForm action=save attr:class="stacked-form">
                <input type="hidden" name="kind" value=kind.as_str() />
                <label>
                    {url_label}
                    <input type="url" name="base_url" value=integration.base_url.clone() required />
                    <FieldError result field=field("base_url") />
                </label>
                {username}
                {jira}
                <label>
                    {kind.credential_label()}
                    <input type="password" name="secret" autocomplete="off" placeholder=secret_hint />
                    <FieldError result field=field("secret") />
                </label>
                <button type="submit">{format!("Save {}", kind.label())}</button>
            </ActionForm>
            {integration
                .secret_set
                .then(|| {
                    view! {
                        <super::Clear
                            owner=kind.as_str()
                            label=format!("Clear the stored {}", kind.credential_label().to_lowercase())
                            clear
                        />
                    }
                })}
        </article>
    }
}
