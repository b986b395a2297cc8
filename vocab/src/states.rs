//! Where events, drafts, actions and alerts stand, and the moves between states each allows.
//!
//! Each aggregate changes state in one place in `domain`, which moves a row only from the
//! states [`Lifecycle::can_become`] allows, so a state is reached only the ways listed here.

use crate::{Term, terms};

/// The states of one kind of thing and the moves between them.
pub trait Lifecycle: Term {
    /// What moves, e.g. `event`.
    const NOUN: &'static str;

    /// Whether a thing in this state may move to `next`.
    fn can_become(self, next: Self) -> bool;

    /// The states from which a thing may move to `next`.
    fn ways_into(next: Self) -> Vec<Self> {
        Self::all()
            .iter()
            .copied()
            .filter(|from| from.can_become(next))
            .collect()
    }

    /// The refusal of the move of thing `id` from this state to `to`.
    fn illegal(self, id: i64, to: Self) -> IllegalMove {
        IllegalMove {
            what: Self::NOUN,
            id,
            from: self.name(),
            to: to.name(),
        }
    }
}

/// Implements [`Lifecycle`] with each state machine's own `can_become`.
macro_rules! lifecycle {
    ($($name:ident: $noun:literal),+ $(,)?) => {
        $(
            impl Lifecycle for $name {
                const NOUN: &'static str = $noun;

                fn can_become(self, next: Self) -> bool {
                    $name::can_become(self, next)
                }
            }
        )+
    };
}

lifecycle!(
    EventState: "event",
    DraftState: "draft",
    ActionState: "action",
    AlertState: "alert",
    OutboxState: "outbox message",
);

/// A state change the aggregate does not allow.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} {id} cannot go from {from} to {to}")]
pub struct IllegalMove {
    /// What moved, e.g. `event`.
    pub what: &'static str,
    /// Which one.
    pub id: i64,
    /// Where it stands.
    pub from: &'static str,
    /// Where it was asked to go.
    pub to: &'static str,
}

terms! {
    /// Where a received Webex event stands in the pipeline.
    pub enum EventState("an event state") {
        /// Stored, with a job to handle it.
        Queued = "queued", "Queued";
        /// A reply to it is in the outbox, waiting to be posted.
        Replying = "replying", "Replying";
        /// Its reply was posted.
        Replied = "replied", "Replied";
        /// Nothing to do (not for Steward, the bot's own message, a deleted message…).
        Ignored = "ignored", "Ignored";
        /// Handled without a reply (the bot joined a space where something is enabled…).
        Recorded = "recorded", "Recorded";
        /// The function it is for does not act in its space.
        Off = "off", "Off";
        /// Answered in shadow mode: recorded, never posted.
        Shadowed = "shadowed", "Shadowed";
        /// Its answer waits for a reviewer.
        Drafted = "drafted", "Held for review";
        /// Its job ran out of attempts or was refused for good.
        Dead = "dead", "Dead-lettered";
    }
}

impl EventState {
    /// Whether an event may be stored in this state: queued for the pipeline, or ignored at once.
    pub const fn is_initial(self) -> bool {
        matches!(self, Self::Queued | Self::Ignored)
    }

    /// Whether the event needs nothing more from the pipeline. A drafted event can still move
    /// on when a reviewer approves its draft.
    pub const fn is_terminal(self) -> bool {
        !matches!(self, Self::Queued | Self::Replying)
    }

    /// Whether an event in this state may move to `next`.
    pub const fn can_become(self, next: Self) -> bool {
        use EventState::*;
        matches!(
            (self, next),
            (
                Queued,
                Replying | Ignored | Recorded | Off | Shadowed | Drafted | Dead
            ) | (Replying, Replied | Dead)
                | (Drafted, Replying)
        )
    }
}

terms! {
    /// Where an agent's draft stands.
    pub enum DraftState("a draft state") {
        /// Written in shadow mode: kept for evaluation, never posted.
        Shadow = "shadow", "Shadow";
        /// Waiting for a reviewer.
        Pending = "pending", "Waiting for review";
        /// Approved (perhaps edited) and queued for posting.
        Approved = "approved", "Approved";
        /// Rejected with a reason; nothing was posted.
        Rejected = "rejected", "Rejected";
    }
}

impl DraftState {
    /// Whether a draft may be written in this state.
    pub const fn is_initial(self) -> bool {
        matches!(self, Self::Shadow | Self::Pending)
    }

    /// Whether nobody will decide the draft any more.
    pub const fn is_terminal(self) -> bool {
        !matches!(self, Self::Pending)
    }

    /// Whether a draft in this state may move to `next`.
    pub const fn can_become(self, next: Self) -> bool {
        matches!(
            (self, next),
            (Self::Pending, Self::Approved | Self::Rejected)
        )
    }
}

terms! {
    /// Where an external action stands.
    pub enum ActionState("an action state") {
        /// Proposed, waiting for a person's approval.
        Pending = "pending", "Waiting for approval";
        /// Approved; its job is sending it.
        Approved = "approved", "Sending";
        /// Sent; the other system made its record.
        Succeeded = "succeeded", "Done";
        /// Approved, but the other system refused it or never answered.
        Failed = "failed", "Failed";
        /// Rejected with a reason; nothing was sent.
        Rejected = "rejected", "Rejected";
    }
}

impl ActionState {
    /// Whether an action may be proposed in this state.
    pub const fn is_initial(self) -> bool {
        matches!(self, Self::Pending)
    }

    /// Whether the action is over.
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Rejected)
    }

    /// Whether an action in this state may move to `next`.
    pub const fn can_become(self, next: Self) -> bool {
        matches!(
            (self, next),
            (Self::Pending, Self::Approved | Self::Rejected)
                | (Self::Approved, Self::Succeeded | Self::Failed)
        )
    }
}

terms! {
    /// Where a triaged alert stands.
    pub enum AlertState("an alert state") {
        /// Nobody has taken it yet.
        Open = "open", "Open";
        /// Someone said they are on it.
        Acknowledged = "acknowledged", "Acknowledged";
        /// Someone escalated it.
        Escalated = "escalated", "Escalated";
    }
}

impl AlertState {
    /// Whether an alert in this state may move to `next`.
    pub const fn can_become(self, next: Self) -> bool {
        matches!(
            (self, next),
            (Self::Open, Self::Acknowledged | Self::Escalated)
                | (Self::Acknowledged, Self::Escalated)
        )
    }
}

terms! {
    /// Where a message Steward is to post stands.
    pub enum OutboxState("an outbox state") {
        /// Recorded; its `deliver` job posts it.
        Pending = "pending", "Waiting to be posted";
        /// Posted to Webex.
        Sent = "sent", "Posted";
        /// Webex refused it, or it ran out of attempts.
        Dead = "dead", "Dead-lettered";
    }
}

impl OutboxState {
    /// Whether a message in this state may move to `next`.
    pub const fn can_become(self, next: Self) -> bool {
        matches!((self, next), (Self::Pending, Self::Sent | Self::Dead))
    }
}

#[cfg(test)]
mod tests {
    use super::{ActionState, AlertState, DraftState, EventState, Lifecycle, OutboxState};

    #[test]
    fn event_states_are_reached_only_the_intended_ways() {
        use EventState::*;
        let into = EventState::ways_into;
        assert_eq!(into(Queued), []);
        assert_eq!(into(Replying), [Queued, Drafted]);
        assert_eq!(into(Replied), [Replying]);
        assert_eq!(into(Dead), [Queued, Replying]);
        for decided in [Ignored, Recorded, Off, Shadowed, Drafted] {
            assert_eq!(into(decided), [Queued], "{decided}");
        }
        for state in EventState::ALL {
            assert!(!state.can_become(state), "{state} moves to itself");
            if state.is_terminal() && state != Drafted {
                assert!(
                    EventState::ALL.iter().all(|&next| !state.can_become(next)),
                    "{state} is terminal but moves on"
                );
            }
        }
        assert!(Queued.is_initial() && Ignored.is_initial() && !Replied.is_initial());
    }

    #[test]
    fn drafts_are_decided_once() {
        use DraftState::*;
        let into = DraftState::ways_into;
        assert_eq!(into(Approved), [Pending]);
        assert_eq!(into(Rejected), [Pending]);
        assert_eq!(into(Pending), []);
        assert_eq!(into(Shadow), []);
        assert!(
            !Shadow.can_become(Approved),
            "a shadow draft is never posted"
        );
        for state in DraftState::ALL {
            assert_eq!(state.is_terminal(), state != Pending);
        }
    }

    #[test]
    fn actions_are_sent_only_after_approval() {
        use ActionState::*;
        let into = ActionState::ways_into;
        assert_eq!(into(Approved), [Pending]);
        assert_eq!(into(Rejected), [Pending]);
        assert_eq!(into(Succeeded), [Approved]);
        assert_eq!(into(Failed), [Approved]);
        assert_eq!(into(Pending), []);
        for state in ActionState::ALL.into_iter().filter(|s| s.is_terminal()) {
            assert!(ActionState::ALL.iter().all(|&next| !state.can_become(next)));
        }
    }

    #[test]
    fn alerts_only_move_forward() {
        use AlertState::*;
        let into = AlertState::ways_into;
        assert_eq!(into(Acknowledged), [Open]);
        assert_eq!(into(Escalated), [Open, Acknowledged]);
        assert_eq!(into(Open), []);
    }

    #[test]
    fn outbox_messages_are_posted_or_dead_lettered_once() {
        use OutboxState::*;
        assert_eq!(OutboxState::ways_into(Sent), [Pending]);
        assert_eq!(OutboxState::ways_into(Dead), [Pending]);
        assert_eq!(OutboxState::ways_into(Pending), []);
    }

    #[test]
    fn a_refused_move_names_the_thing_and_both_states() {
        let refusal = EventState::Replied.illegal(7, EventState::Queued);
        assert_eq!(
            refusal.to_string(),
            "event 7 cannot go from replied to queued"
        );
    }
}
