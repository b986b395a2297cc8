//! Server functions of the Sandbox page: chat in the built-in Webex sandbox as a demo person.
//! Admins only, and only when the sandbox runs.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ConsoleError;

/// A demo person one can act as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxPerson {
    /// Their person ID.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their e-mail.
    pub email: String,
}

/// A space, as the chosen person sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxSpace {
    /// The room ID.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// A card on a message, reduced to what the page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardView {
    /// Its text blocks.
    pub texts: Vec<String>,
    /// Its facts, as label and value.
    pub facts: Vec<(String, String)>,
    /// Its text inputs, as id and label.
    pub inputs: Vec<(String, String)>,
    /// The labels of its submit buttons, in order.
    pub buttons: Vec<String>,
}

/// A message in the thread view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxMessage {
    /// Its ID.
    pub id: String,
    /// Who wrote it.
    pub author: String,
    /// Its text, mentions rendered as names.
    pub text: String,
    /// Its markdown rendered as Webex clients show it (raw HTML in it escaped by the sandbox),
    /// when it was posted as markdown.
    pub html: Option<String>,
    /// When, as Webex writes it.
    pub created: String,
    /// The message it replies to, in a thread.
    pub parent: Option<String>,
    /// Its card, if any.
    pub card: Option<CardView>,
}

/// What the page shows for a person and a space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxView {
    /// Everyone one can act as.
    pub people: Vec<SandboxPerson>,
    /// The chosen person, if any.
    pub person: Option<String>,
    /// The chosen person's spaces.
    pub spaces: Vec<SandboxSpace>,
    /// The chosen space, if any.
    pub space: Option<String>,
    /// Its newest messages, oldest first.
    pub messages: Vec<SandboxMessage>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::{
        users::Role,
        webex::{
            cards::{Action, AdaptiveCard, Element},
            types::Message,
        },
    };
    use webex_sandbox::Sandbox;

    use super::{CardView, SandboxMessage};
    use crate::error::ConsoleError;

    /// The sandbox, for an admin, when it runs.
    pub fn sandbox_for_admin() -> Result<Sandbox, ConsoleError> {
        crate::state::require_role(&[Role::Admin])?;
        crate::state::app_state()?.sandbox.ok_or_else(|| {
            ConsoleError::not_found("The Webex sandbox is not running on this server.")
        })
    }

    pub fn card_view(message: &Message) -> Option<CardView> {
        let content = message.attachments.as_ref()?.first()?.content.clone();
        let card: AdaptiveCard = serde_json::from_value(content).ok()?;
        let mut view = CardView::default();
        for element in card.body {
            match element {
                Element::TextBlock { text, .. } => view.texts.push(text),
                Element::FactSet { facts } => view
                    .facts
                    .extend(facts.into_iter().map(|f| (f.title, f.value))),
                Element::InputText { id, label, .. } => {
                    view.inputs.push((id.clone(), label.unwrap_or(id)))
                }
            }
        }
        view.buttons = card
            .actions
            .into_iter()
            .filter_map(|a| match a {
                Action::Submit { title, .. } => Some(title),
                Action::OpenUrl { .. } => None,
            })
            .collect();
        Some(view)
    }

    pub fn message_view(message: &Message, author: String) -> SandboxMessage {
        SandboxMessage {
            id: message.id.clone(),
            author,
            text: message.text.clone(),
            html: message.html.clone(),
            created: message.created.clone(),
            parent: message.parent_id.clone(),
            card: card_view(message),
        }
    }
}

/// Everything the page shows for `person` (an ID) and `space` (a room ID), either optional.
#[server(prefix = "/api", endpoint = "load_sandbox")]
pub async fn load_sandbox(
    /// The person to act as.
    person: Option<String>,
    /// The space to show.
    space: Option<String>,
) -> Result<SandboxView, ConsoleError> {
    let sandbox = ssr::sandbox_for_admin()?;
    let page = sandbox.console_page(person, space).await?;
    Ok(SandboxView {
        people: page
            .people
            .into_iter()
            .map(|p| SandboxPerson {
                email: p.emails.first().cloned().unwrap_or_default(),
                id: p.id,
                name: p.display_name,
            })
            .collect(),
        person: page.person,
        spaces: page
            .spaces
            .into_iter()
            .map(|r| SandboxSpace {
                id: r.id,
                title: r.title,
            })
            .collect(),
        space: page.space,
        messages: page
            .messages
            .iter()
            .map(|(message, author)| ssr::message_view(message, author.clone()))
            .collect(),
    })
}

/// Posts `text` in `space` as `person`; `@Name` mentions people in the space.
#[server(prefix = "/api", endpoint = "post_sandbox_message")]
pub async fn post_sandbox_message(
    /// Who posts.
    person: String,
    /// Where.
    space: String,
    /// What.
    text: String,
) -> Result<(), ConsoleError> {
    let sandbox = ssr::sandbox_for_admin()?;
    if text.trim().is_empty() {
        return Err(ConsoleError::invalid("Write a message first."));
    }
    let caller = sandbox.act_as(&person).await?;
    sandbox.post_as(&caller, &space, &text, None).await?;
    Ok(())
}

/// Clicks the `button`-th submit button of the card on `message` as `person`, with the card's
/// text inputs (`inputs[id]=value` in the form). Returns the attachment action's ID.
#[server(prefix = "/api", endpoint = "click_sandbox_card")]
pub async fn click_sandbox_card(
    /// Who clicks.
    person: String,
    /// The card's message.
    message: String,
    /// Which submit button, from 0.
    button: usize,
    /// The card's text inputs by id.
    inputs: Option<std::collections::HashMap<String, String>>,
) -> Result<String, ConsoleError> {
    let sandbox = ssr::sandbox_for_admin()?;
    let caller = sandbox.act_as(&person).await?;
    let values = inputs
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    let action = sandbox
        .click_card(&caller, &message, button, values)
        .await?;
    Ok(action.id)
}
