//! Approve and Reject clicks on review cards in the reviewer space: only Steward reviewers (and
//! admins) decide, exactly once, and the card's thread says what happened.

use crate::{
    agents::Reply,
    audit::Actor,
    bot::{Failure, Runtime},
    drafts::{self, DraftError},
    inbox::InboxEvent,
    queue::ClaimedJob,
    users::{self, EmailAddress, Role},
    webex::{markup::escape_markdown, types::AttachmentAction},
};

impl Runtime {
    /// Approve (`reason` `None`) or Reject on the review card of draft `draft_id`.
    pub(super) async fn review_click(
        &self,
        job: &ClaimedJob,
        event: &InboxEvent,
        action: &AttachmentAction,
        draft_id: i64,
        reason: Option<&str>,
    ) -> Result<(), Failure> {
        let approve = reason.is_none();
        let thread = (action.room_id.as_str(), action.message_id.as_str());
        let reply = match self.reviewer(&action.person_id).await? {
            None => Reply::text(
                "Only Steward reviewers can decide drafts. An admin can give you the reviewer \
                 role in the Steward console.",
            ),
            Some(reviewer) if approve => {
                // Read (and remembered) first, so the disclosure under the answer can name them.
                self.display_name(&action.person_id, "a reviewer").await;
                match drafts::approve(self.db(), draft_id, &reviewer, None).await {
                    Ok(_) => {
                        self.announce_jobs();
                        self.decided_reply(&action.person_id, "approved", None)
                            .await
                    }
                    Err(error) => self.refusal(draft_id, error).await?,
                }
            }
            Some(reviewer) => {
                let reason = reason.unwrap_or_default();
                if reason.is_empty() {
                    Reply::text("Say why in the Reason field, then press Reject.")
                } else {
                    match drafts::reject(self.db(), draft_id, &reviewer, reason).await {
                        Ok(()) => {
                            self.decided_reply(&action.person_id, "rejected", Some(reason))
                                .await
                        }
                        Err(error) => self.refusal(draft_id, error).await?,
                    }
                }
            }
        };
        let outcome = if approve { "approved" } else { "rejected" };
        let mut tx = self.db().begin().await?;
        self.answer_click_in(&mut tx, job, event, thread, &reply, outcome)
            .await?;
        tx.commit().await?;
        self.announce_jobs();
        Ok(())
    }

    /// The Steward reviewer (or admin) behind a Webex person: by the person ID they signed in
    /// with, or else by their e-mail at Webex.
    async fn reviewer(&self, person_id: &str) -> Result<Option<Actor>, Failure> {
        let unavailable = |e: users::UsersError| Failure::Retry(e.to_string());
        let mut found = users::find_by_person_id(self.db(), person_id)
            .await
            .map_err(unavailable)?;
        if found.is_none()
            && let Ok(person) = self.inner.bot.person(person_id).await
            && let Some(email) = person.emails.first()
            && let Ok(email) = EmailAddress::parse(email)
        {
            found = users::find_with_roles(self.db(), &email)
                .await
                .map_err(unavailable)?;
        }
        Ok(found.and_then(|(user, roles)| {
            roles
                .iter()
                .any(|r| matches!(r, Role::Reviewer | Role::Admin))
                .then_some(Actor::User(user.id))
        }))
    }

    /// `Riley Chen approved this draft.`, with the clicker's Webex name.
    async fn decided_reply(&self, person_id: &str, verb: &str, reason: Option<&str>) -> Reply {
        let who = self.display_name(person_id, "a reviewer").await;
        let reason = reason
            .map(|r| format!(": {}", escape_markdown(r)))
            .unwrap_or_default();
        Reply::markdown(format!(
            "**{}** {verb} this draft{reason}.",
            escape_markdown(&who)
        ))
    }

    /// What to say when a decision was refused; a database failure is retried instead.
    async fn refusal(&self, draft_id: i64, error: DraftError) -> Result<Reply, Failure> {
        match error {
            DraftError::AlreadyDecided(_) => {
                let draft = drafts::find(self.db(), draft_id)
                    .await
                    .map_err(|e| Failure::Retry(e.to_string()))?;
                let who = match &draft.decided_by {
                    Some(actor) => users::describe_actor(self.db(), actor)
                        .await
                        .unwrap_or_else(|_| "a reviewer".to_owned()),
                    None => "a reviewer".to_owned(),
                };
                Ok(Reply::markdown(format!(
                    "This draft was already {} by **{}**.",
                    draft.state,
                    escape_markdown(&who)
                )))
            }
            DraftError::NotFound(_) => Ok(Reply::text("That draft no longer exists.")),
            DraftError::Invalid(message) => Ok(Reply::text(message)),
            other => Err(Failure::Retry(other.to_string())),
        }
    }
}
