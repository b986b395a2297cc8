//! People's display names, and messages turned into what an agent reads.

use crate::{
    ai::ContextMessage,
    bot::Runtime,
    redact::Redactor,
    webex::{
        client::WebexError,
        markup::{MentionTarget, mentions},
        types::Message,
    },
};

/// Names kept before the cache starts over; a directory of this size fits in a few megabytes.
const MAX_CACHED_NAMES: usize = 10_000;

impl Runtime {
    /// A person's display name, from the cache or Webex; their e-mail when Webex has no name.
    pub(super) async fn display_name(&self, person_id: &str, email: &str) -> String {
        if let Some(name) = self.inner.names.lock().await.get(person_id) {
            return name.clone();
        }
        let name = match self.inner.bot.person(person_id).await {
            Ok(person) => person.display_name,
            Err(error) => {
                if !matches!(error, WebexError::Api { status: 404, .. }) {
                    tracing::warn!(%error, "cannot read a person's name");
                }
                return email.to_owned();
            }
        };
        let mut names = self.inner.names.lock().await;
        if names.len() >= MAX_CACHED_NAMES {
            names.clear();
        }
        names.insert(person_id.to_owned(), name.clone());
        name
    }

    /// A message as an agent reads it: author's name, redacted text, names it mentions.
    /// Returns it with the number of redactions made.
    pub(super) async fn context_message(
        &self,
        message: &Message,
        redactor: &Redactor,
    ) -> (ContextMessage, usize) {
        let author = self
            .display_name(&message.person_id, &message.person_email)
            .await;
        let mut mentioned = Vec::new();
        if let Some(markdown) = &message.markdown {
            for (target, label) in mentions(markdown) {
                let name = match (label, target) {
                    (Some(label), _) => label,
                    (None, MentionTarget::PersonId(id)) => self.display_name(&id, &id).await,
                    (None, MentionTarget::PersonEmail(email)) => email,
                    (None, MentionTarget::All) => continue,
                };
                if !mentioned.contains(&name) {
                    mentioned.push(name);
                }
            }
        }
        let redacted = redactor.redact(&message.text);
        let found = redacted.found.len();
        (
            ContextMessage {
                author,
                text: redacted.text,
                mentioned,
            },
            found,
        )
    }
}
