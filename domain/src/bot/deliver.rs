//! Delivery: posting an outbox message to Webex, at most once as far as Webex allows.
//!
//! The outbox row is the intent, committed before any POST. Just before posting, the row is
//! stamped `attempted`; after Webex answers, it is marked sent in the same transaction that
//! completes the job. When a worker crashes between the two, or Webex's answer is lost, the next
//! attempt first looks for the message it may have left — the bot's own messages in that thread
//! that Webex announced over the webhook, and the thread's recent messages as the history reader
//! (or, in a 1:1 space, the bot) sees them — and only posts again when there is none.

use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::{
    audit::{self, Actor, NewEntry},
    bot::{Failure, Runtime},
    db::{self, outbox::OutboxRow},
    inbox::{self, EventState},
    outbox::{self, OutboxState, Settled},
    queue::{self, ClaimedJob},
    time::now_ms,
    webex::{
        cards::AdaptiveCard,
        client::{ListMessages, WebexError},
        timestamp::parse_ms,
        types::{CreateMessage, Message, RoomKind},
    },
};

/// Clock difference tolerated between Steward and Webex when matching a lost post.
const CLOCK_SKEW_MS: i64 = 60_000;

impl Runtime {
    pub(super) async fn deliver(&self, job: &ClaimedJob, outbox_id: i64) -> Result<(), Failure> {
        let Some(row) = db::outbox::find(self.db().reader(), outbox_id).await? else {
            return Err(Failure::Fatal(format!(
                "outbox message {outbox_id} does not exist"
            )));
        };
        if row.state != OutboxState::Pending {
            let mut tx = self.db().begin().await?;
            queue::complete_in(&mut tx, job, &format!("already {}", row.state)).await?;
            tx.commit().await?;
            return Ok(());
        }
        if let Some(attempted) = row.attempted_ms
            && let Some(found) = self.find_lost_post(&row, attempted).await?
        {
            tracing::info!(outbox = row.id, message = %found, "found a post whose answer was lost; not posting again");
            return self.mark_sent(job, &row, &found, true).await;
        }
        db::outbox::mark_attempted(self.db(), row.id, now_ms()).await?;
        let request = CreateMessage {
            room_id: Some(row.room_id.clone()),
            parent_id: row.parent_id.clone(),
            markdown: Some(row.markdown.clone()),
            attachments: row
                .card_json
                .as_deref()
                .and_then(|json| serde_json::from_str::<AdaptiveCard>(json).ok())
                .map(|card| vec![card.into_attachment()]),
            ..CreateMessage::default()
        };
        match self.inner.bot.create_message(&request).await {
            Ok(message) => self.mark_sent(job, &row, &message.id, false).await,
            Err(WebexError::Api {
                status,
                message,
                tracking_id,
            }) if status != 401 => {
                // Webex refused the message itself; sending it again cannot help.
                let reason = format!(
                    "Webex refused the reply ({status}: {message}, trackingId {tracking_id})"
                );
                Err(Failure::Fatal(reason))
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn mark_sent(
        &self,
        job: &ClaimedJob,
        row: &OutboxRow,
        message_id: &str,
        recovered: bool,
    ) -> Result<(), Failure> {
        let now = now_ms();
        let mut tx = self.db().begin().await?;
        outbox::settle(
            &mut tx,
            row.id,
            Settled::Sent {
                message_id,
                at: now,
            },
        )
        .await?;
        if let Some(event_id) = row.event_id {
            inbox::move_event(&mut tx, event_id, EventState::Replied, None).await?;
        }
        audit::append(
            &mut tx,
            self.db(),
            NewEntry {
                actor: Actor::system("runtime"),
                action: "reply.sent".into(),
                target: format!("space:{}", row.room_id),
                before: None,
                after: Some(json!({
                    "outbox_id": row.id,
                    "event_id": row.event_id,
                    "draft_id": row.draft_id,
                    "message_id": message_id,
                    "attempts": job.attempts,
                    "recovered": recovered,
                    "queued_ms": now - row.created_ms,
                })),
            },
        )
        .await?;
        queue::complete_in(&mut tx, job, "sent").await?;
        tx.commit().await?;
        metrics::counter!("steward_replies_sent_total").increment(1);
        Ok(())
    }

    /// The ID of a message the bot already posted for this outbox row, if any.
    async fn find_lost_post(
        &self,
        row: &OutboxRow,
        attempted_ms: i64,
    ) -> Result<Option<String>, Failure> {
        let since = attempted_ms - CLOCK_SKEW_MS;
        let announced = db::inbox::own_messages_since(
            self.db(),
            &row.room_id,
            row.parent_id.as_deref(),
            &self.inner.me.id,
            since,
        )
        .await?;
        for id in announced {
            match self.inner.bot.message(&id).await {
                Ok(message) if self.is_post_of(&message, row).await? => return Ok(Some(id)),
                Ok(_) | Err(WebexError::Api { status: 404, .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        // A crash right after the POST also loses Webex's announcement of the post. What the
        // bot cannot list itself (its own posts in a group space), the history reader can.
        let kind = db::policy::space(self.db().reader(), &row.room_id)
            .await?
            .map_or(RoomKind::Group, |space| space.kind);
        if let Some(client) = self.history(kind) {
            let query = ListMessages {
                room_id: row.room_id.clone(),
                parent_id: row.parent_id.clone(),
                mentioned_people: None,
                before: None,
                max: Some(50),
            };
            let recent: Vec<Message> = client.messages(&query).take(50).try_collect().await?;
            for message in recent {
                let recent_enough = parse_ms(&message.created).is_some_and(|at| at >= since);
                if recent_enough && self.is_post_of(&message, row).await? {
                    return Ok(Some(message.id));
                }
            }
        }
        Ok(None)
    }

    /// Whether `message` is the bot's post of `row` and not already another row's.
    async fn is_post_of(&self, message: &Message, row: &OutboxRow) -> Result<bool, Failure> {
        Ok(message.person_id == self.inner.me.id
            && message.room_id == row.room_id
            && message.parent_id == row.parent_id
            && message.markdown.as_deref() == Some(row.markdown.as_str())
            && !db::outbox::claimed_message(self.db(), &message.id).await?)
    }
}
