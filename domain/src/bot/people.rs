//! People's display names, and messages turned into what an agent reads.

use crate::{
    ai::ContextMessage,
    bot::{Failure, Runtime},
    db,
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
            Ok(person) => {
                // Kept so the console can name people who never sign in to it.
                let email = person.emails.first().map(String::as_str);
                if let Err(error) =
                    db::people::remember(self.db(), person_id, &person.display_name, email).await
                {
                    tracing::warn!(error = %crate::error_chain(&error), "cannot record a person's name");
                }
                person.display_name
            }
            Err(error) => {
                if !matches!(error, WebexError::Api { status: 404, .. }) {
                    tracing::warn!(error = %crate::error_chain(&error), "cannot read a person's name");
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

    /// Whether `person_id` belongs to an organization Steward serves (always, when none is
    /// configured). A person Webex does not know is not a member; Webex failing is retried.
    pub(super) async fn serves(&self, person_id: &str) -> Result<bool, Failure> {
        let organizations = &self.inner.settings.organizations;
        if organizations.is_empty() || person_id == self.identity().id {
            return Ok(true);
        }
        let cached = self.inner.orgs.lock().await.get(person_id).cloned();
        let org_id = match cached {
            Some(org_id) => org_id,
            None => match self.inner.bot.person(person_id).await {
                Ok(person) => {
                    let mut orgs = self.inner.orgs.lock().await;
                    if orgs.len() >= MAX_CACHED_NAMES {
                        orgs.clear();
                    }
                    orgs.insert(person_id.to_owned(), person.org_id.clone());
                    person.org_id
                }
                Err(WebexError::Api { status: 404, .. }) => return Ok(false),
                Err(error) => return Err(error.into()),
            },
        };
        let served = organizations.contains(&org_id);
        if !served {
            metrics::counter!("steward_outside_requests_total").increment(1);
        }
        Ok(served)
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
        let mut text = message.text.clone();
        if let Some(markdown) = &message.markdown {
            for (target, label) in mentions(markdown) {
                if matches!(&target, MentionTarget::PersonId(id) if *id == self.identity().id) {
                    // Addressing the bot is how people ask; it is not part of what they said.
                    let name = label.unwrap_or_else(|| self.identity().display_name.clone());
                    text = without_mention(&text, &name);
                    continue;
                }
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
        let redacted = redactor.redact(&text);
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

/// `text` without the first `name` in it, and the punctuation that joined it to the rest
/// ("Steward, is there…" becomes "is there…").
fn without_mention(text: &str, name: &str) -> String {
    let Some(at) = text.find(name).filter(|_| !name.is_empty()) else {
        return text.to_owned();
    };
    let before = text[..at].trim_end();
    let after = text[at + name.len()..].trim_start_matches([',', ':', ';', ' ']);
    match (before.is_empty(), after.is_empty()) {
        (true, _) => after.to_owned(),
        (false, true) => before.to_owned(),
        (false, false) => format!("{before} {after}"),
    }
}

#[cfg(test)]
mod tests {
    use super::without_mention;

    #[test]
    fn a_mention_of_the_bot_leaves_what_was_said() {
        assert_eq!(
            without_mention("Steward Is there a standard laptop?", "Steward"),
            "Is there a standard laptop?"
        );
        assert_eq!(
            without_mention("Steward, summarize", "Steward"),
            "summarize"
        );
        assert_eq!(
            without_mention("Thanks Steward: that helps", "Steward"),
            "Thanks that helps"
        );
        assert_eq!(without_mention("ask Steward", "Steward"), "ask");
        assert_eq!(
            without_mention("no mention here", "Steward"),
            "no mention here"
        );
    }
}
