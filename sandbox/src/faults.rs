//! Fault injection, for tests and demos: the next N calls, or a share of calls, answer 429 with
//! `Retry-After`, a 5xx, or slowly; webhook deliveries can be dropped.

use std::{collections::VecDeque, time::Duration};

use serde::{Deserialize, Serialize};

use crate::Sandbox;

/// What an injected fault does to one API call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// 429 Too Many Requests with `Retry-After: retry_after_secs`.
    RateLimit {
        /// Seconds the client must wait.
        retry_after_secs: u64,
    },
    /// A server error with this status (500, 502, 503 or 504).
    ServerError {
        /// The status.
        status: u16,
    },
    /// Answer normally, but only after `millis`.
    Slow {
        /// The delay.
        millis: u64,
    },
}

impl Fault {
    /// The delay a slow fault adds.
    pub fn delay(self) -> Option<Duration> {
        match self {
            Self::Slow { millis } => Some(Duration::from_millis(millis)),
            _ => None,
        }
    }
}

/// The faults still to inject.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultPlan {
    /// Faults for the next calls, one each, in order.
    #[serde(default)]
    pub next: VecDeque<Fault>,
    /// A fault for a share (0.0 to 1.0) of the calls after those.
    #[serde(default)]
    pub share: Option<(f64, Fault)>,
    /// How many of the next webhook deliveries to drop.
    #[serde(default)]
    pub drop_next_deliveries: u32,
}

impl Sandbox {
    /// Replaces the fault plan.
    pub fn set_faults(&self, plan: FaultPlan) {
        *self.faults.lock().expect("fault plan lock") = plan;
    }

    /// The fault plan as it stands.
    pub fn faults(&self) -> FaultPlan {
        self.faults.lock().expect("fault plan lock").clone()
    }

    /// The fault for the call being handled, if any.
    pub fn take_fault(&self) -> Option<Fault> {
        let mut plan = self.faults.lock().expect("fault plan lock");
        if let Some(fault) = plan.next.pop_front() {
            return Some(fault);
        }
        match plan.share {
            Some((share, fault)) if rand::random::<f64>() < share => Some(fault),
            _ => None,
        }
    }

    /// Whether the next delivery should be dropped (and counts it).
    pub(crate) fn take_delivery_drop(&self) -> bool {
        let mut plan = self.faults.lock().expect("fault plan lock");
        if plan.drop_next_deliveries > 0 {
            plan.drop_next_deliveries -= 1;
            true
        } else {
            false
        }
    }
}
