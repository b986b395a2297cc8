//! Back-fill: Webex does not redeliver events a receiver missed, so Steward lists, per space, the
//! messages addressed to the bot since the last one it received and queues those it never saw.
//! Messages older than the installation, or than a day, are left alone: answering week-old
//! questions helps nobody.

use futures::TryStreamExt;
use serde_json::json;

use crate::{
    bot::{Runtime, RuntimeError},
    db,
    inbox::{Disposition, IngestOutcome, NewInboxEvent, ReceivedEvent},
    policy,
    settings::{self, SettingKey},
    time::now_ms,
    webex::{
        client::ListMessages,
        timestamp::parse_ms,
        types::{Message, RoomKind},
    },
};

/// How far back back-fill looks at most.
const MAX_AGE_MS: i64 = 24 * 60 * 60 * 1000;
/// The setting recording when the runtime first started.
const INSTALLED_SETTING: &str = "runtime.installed_ms";

/// What one back-fill pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackfillReport {
    /// Spaces looked at.
    pub spaces: usize,
    /// Messages Steward had missed and has now queued.
    pub queued: usize,
}

impl Runtime {
    /// Queues the messages addressed to the bot that Steward never received.
    pub async fn backfill(&self) -> Result<BackfillReport, RuntimeError> {
        let installed = self.installed_ms().await?;
        let floor = installed.max(now_ms() - MAX_AGE_MS);
        let mut report = BackfillReport::default();
        let rooms: Vec<_> = self.inner.bot.rooms().try_collect().await?;
        for room in rooms {
            report.spaces += 1;
            policy::remember_space(self.db(), &room.id, &room.title, room.kind).await?;
            let last_seen = db::inbox::last_message_ms(self.db(), &room.id, &self.inner.me.id)
                .await?
                .unwrap_or(floor);
            let since = last_seen.max(floor);
            let query = ListMessages {
                room_id: room.id.clone(),
                parent_id: None,
                // A bot may list a group space only for the messages that mention it.
                mentioned_people: (room.kind == RoomKind::Group).then(|| "me".to_owned()),
                before: None,
                max: Some(100),
            };
            let mut pages = std::pin::pin!(self.inner.bot.messages(&query));
            while let Some(message) = pages.try_next().await? {
                if parse_ms(&message.created).is_none_or(|at| at <= since) {
                    // Newest first: everything after this is older still.
                    break;
                }
                if message.person_id == self.inner.me.id
                    || db::inbox::find_by_data_id(self.db(), "messages", "created", &message.id)
                        .await?
                        .is_some()
                {
                    continue;
                }
                let stored = self
                    .inner
                    .ingestor
                    .store(NewInboxEvent {
                        event: missed_event(&message),
                        source: "backfill",
                        disposition: Disposition::Queue,
                    })
                    .await?;
                if matches!(stored, IngestOutcome::Queued(_)) {
                    report.queued += 1;
                }
            }
        }
        if report.queued > 0 {
            tracing::info!(
                queued = report.queued,
                "queued messages Steward missed while it was away"
            );
        }
        Ok(report)
    }

    /// When the runtime first started here, recorded on first use.
    async fn installed_ms(&self) -> Result<i64, RuntimeError> {
        let key = SettingKey::parse(INSTALLED_SETTING).expect("a valid key");
        if let Some(at) = settings::get(self.db(), &key)
            .await?
            .and_then(|v| v.as_i64())
        {
            return Ok(at);
        }
        let now = now_ms();
        settings::set(
            self.db(),
            &key,
            json!(now),
            &crate::audit::Actor::system("runtime"),
        )
        .await?;
        Ok(now)
    }
}

/// The `messages/created` event Webex would have delivered for `message`.
fn missed_event(message: &Message) -> ReceivedEvent {
    let mut data = json!({
        "id": message.id,
        "roomId": message.room_id,
        "roomType": message.room_type,
        "personId": message.person_id,
        "personEmail": message.person_email,
        "created": message.created,
    });
    if let Some(parent) = &message.parent_id {
        data["parentId"] = json!(parent);
    }
    if let Some(mentioned) = &message.mentioned_people {
        data["mentionedPeople"] = json!(mentioned);
    }
    ReceivedEvent {
        resource: "messages".to_owned(),
        event: "created".to_owned(),
        webhook_id: None,
        actor_id: Some(message.person_id.clone()),
        data,
    }
}
