//! The outbox: every message Steward posts to Webex is recorded here, in the transaction that
//! decided to post it, before anything is sent. A `deliver` job posts it, behind the earlier
//! posts of the same space, and marks it sent (see `bot::deliver`).

use sqlx::AnyConnection;

pub use vocab::OutboxState;

pub(crate) use crate::db::outbox::NewOutbox;
use crate::{
    db,
    lifecycle::{self, MoveError},
    queue::{self, Job, NewJob},
    time::now_ms,
};

/// Records `post` as an intent and queues its delivery behind the space's earlier posts, inside
/// the caller's transaction. Returns the outbox id.
pub(crate) async fn queue_post(
    conn: &mut AnyConnection,
    post: &NewOutbox<'_>,
) -> Result<i64, sqlx::Error> {
    let id = db::outbox::insert(conn, post, now_ms()).await?;
    queue::enqueue(
        conn,
        &NewJob::new(Job::Deliver { outbox_id: id }).in_order_of(post.room_id),
    )
    .await?;
    Ok(id)
}

/// How a message left the outbox.
pub(crate) enum Settled<'a> {
    /// Webex accepted it as this message.
    Sent {
        /// The Webex message ID.
        message_id: &'a str,
        /// When (ms).
        at: i64,
    },
    /// It will never be posted, for this reason.
    Dead(&'a str),
}

/// Moves outbox message `id` out of `pending`, inside the caller's transaction; the one place an
/// outbox message's state changes.
pub(crate) async fn settle(
    conn: &mut AnyConnection,
    id: i64,
    settled: Settled<'_>,
) -> Result<(), MoveError> {
    let to = match settled {
        Settled::Sent { .. } => OutboxState::Sent,
        Settled::Dead(_) => OutboxState::Dead,
    };
    if db::outbox::settle(conn, id, &settled).await? {
        return Ok(());
    }
    let current = db::outbox::state_of(conn, id).await?;
    Err(lifecycle::refused(id, current, to))
}
