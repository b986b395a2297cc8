//! The bot joining and leaving spaces. A space the bot joins shows up for admins; if no agent
//! function acts there, the bot says so, once, rather than sitting in the space deaf.

use serde_json::json;

use crate::{
    agents::help::NOTHING_ENABLED,
    audit::{self, Actor, NewEntry},
    bot::{Failure, Runtime},
    db,
    inbox::{self, EventState, InboxEvent},
    outbox::{NewOutbox, queue_post},
    policy,
    queue::{self, ClaimedJob},
    time::now_ms,
    webex::client::WebexError,
};

impl Runtime {
    pub(super) async fn handle_membership(
        &self,
        job: &ClaimedJob,
        event: &InboxEvent,
    ) -> Result<(), Failure> {
        if event.person_id.as_deref() != Some(self.inner.me.id.as_str()) {
            return self
                .finish_event(
                    job,
                    event.id,
                    EventState::Ignored,
                    Some("a membership change of someone else"),
                )
                .await;
        }
        let Some(room_id) = event.room_id.clone() else {
            return self
                .finish_event(
                    job,
                    event.id,
                    EventState::Ignored,
                    Some("the event names no space"),
                )
                .await;
        };
        let joined = event.event == "created";
        let at = event.created_ms.unwrap_or_else(now_ms);
        if joined {
            match self.inner.bot.room(&room_id).await {
                Ok(room) => {
                    policy::remember_space(self.db(), &room.id, &room.title, room.kind).await?;
                }
                Err(WebexError::Api { status: 404, .. }) => {
                    // Removed again before Steward got to it.
                    return self
                        .finish_event(
                            job,
                            event.id,
                            EventState::Ignored,
                            Some("the bot is no longer in the space"),
                        )
                        .await;
                }
                Err(error) => return Err(error.into()),
            }
        }
        let active = policy::active_in(self.db(), &room_id).await?;
        let now = now_ms();
        let mut tx = self.db().begin().await?;
        db::policy::set_bot_membership(&mut tx, &room_id, joined, at).await?;
        audit::append(
            &mut tx,
            self.db(),
            NewEntry {
                actor: event
                    .actor_id
                    .as_deref()
                    .map_or_else(|| Actor::system("webex"), Actor::webex),
                action: if joined {
                    "space.bot_added"
                } else {
                    "space.bot_removed"
                }
                .into(),
                target: format!("space:{room_id}"),
                before: None,
                after: Some(json!({ "event_id": event.id, "active_functions": active.len() })),
            },
        )
        .await?;
        let greet = joined
            && active.is_empty()
            && db::policy::claim_greeting(&mut tx, &room_id, now).await?;
        let state = if greet {
            queue_post(
                &mut tx,
                &NewOutbox {
                    event_id: Some(event.id),
                    draft_id: None,
                    room_id: &room_id,
                    parent_id: None,
                    markdown: NOTHING_ENABLED,
                    card_json: None,
                },
            )
            .await?;
            EventState::Replying
        } else {
            EventState::Recorded
        };
        inbox::move_event(&mut tx, event.id, state, None).await?;
        queue::complete_in(&mut tx, job, state.as_str()).await?;
        tx.commit().await?;
        if greet {
            self.announce_jobs();
        }
        Ok(())
    }
}
