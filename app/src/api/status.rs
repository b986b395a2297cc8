//! The installation's state, for the Overview page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::Role;

use crate::error::ConsoleError;

/// Steward's own state at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStatus {
    /// `SQLite` or `PostgreSQL`.
    pub database: String,
    /// Migrations of this build the database has applied.
    pub migrations_applied: usize,
    /// Migrations this build carries.
    pub migrations_known: usize,
    /// Entries in the audit log.
    pub audit_entries: i64,
    /// People per role, in display order.
    pub people: Vec<RoleCount>,
    /// Whether Steward talks to its built-in Webex sandbox.
    pub sandbox: bool,
    /// What the bot runtime has done.
    pub runtime: RuntimeStatus,
    /// Steward's version.
    pub version: String,
}

/// The bot runtime at a glance: Webex events by outcome, jobs by state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeStatus {
    /// Events received from Webex.
    pub events: i64,
    /// Events answered with a posted reply.
    pub replied: i64,
    /// Events waiting to be processed or for their reply to be posted.
    pub waiting: i64,
    /// Events held for review or recorded in shadow mode.
    pub drafted: i64,
    /// Events and replies that failed for good (dead-lettered).
    pub dead: i64,
    /// Jobs waiting, including those waiting out a back-off.
    pub jobs_queued: i64,
    /// Jobs being worked on.
    pub jobs_running: i64,
    /// Jobs dead-lettered.
    pub jobs_dead: i64,
}

/// How many people hold a role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCount {
    /// The role.
    pub role: Role,
    /// How many people hold it.
    pub people: i64,
}

/// The outcome of verifying the audit log's hash chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainCheck {
    /// Entries that verified before the first problem (all of them when intact).
    pub entries_checked: i64,
    /// The first entry that does not verify, and what is wrong with it.
    pub broken: Option<(i64, String)>,
    /// The ID of the audit key whose seals were checked; none when Steward has no key, so only
    /// the hashes were.
    pub key_id: Option<String>,
}

/// Reads the installation's state.
#[server(prefix = "/api", endpoint = "load_system_status")]
pub async fn load_system_status() -> Result<SystemStatus, ConsoleError> {
    crate::state::require_role(&Role::ALL)?;
    let state = crate::state::app_state()?;
    let overview = domain::status::overview(&state.db).await?;
    let readiness = overview.readiness;
    Ok(SystemStatus {
        database: match readiness.backend {
            domain::Backend::Sqlite => "SQLite",
            domain::Backend::Postgres => "PostgreSQL",
        }
        .to_owned(),
        migrations_applied: readiness.migrations_applied,
        migrations_known: readiness.migrations_known,
        audit_entries: overview.audit_entries,
        people: overview
            .role_counts
            .into_iter()
            .map(|(role, people)| RoleCount { role, people })
            .collect(),
        sandbox: state.sandbox.is_some(),
        runtime: runtime_status(&overview.events, &overview.jobs),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

#[cfg(feature = "ssr")]
fn runtime_status(
    events: &[(vocab::EventState, i64)],
    jobs: &domain::queue::QueueCounts,
) -> RuntimeStatus {
    use vocab::EventState::{Dead, Drafted, Queued, Replied, Replying, Shadowed};
    let count = |states: &[vocab::EventState]| {
        events
            .iter()
            .filter(|(state, _)| states.contains(state))
            .map(|(_, n)| n)
            .sum()
    };
    RuntimeStatus {
        events: events.iter().map(|(_, n)| n).sum(),
        replied: count(&[Replied]),
        waiting: count(&[Queued, Replying]),
        drafted: count(&[Drafted, Shadowed]),
        dead: count(&[Dead]),
        jobs_queued: jobs.queued,
        jobs_running: jobs.running,
        jobs_dead: jobs.dead,
    }
}

/// Walks the audit log's hash chain and reports the first entry that does not verify.
#[server(prefix = "/api", endpoint = "verify_audit_chain")]
pub async fn verify_audit_chain() -> Result<ChainCheck, ConsoleError> {
    crate::state::require_role(&Role::ALL)?;
    let state = crate::state::app_state()?;
    let report = domain::audit::verify(&state.db).await?;
    Ok(ChainCheck {
        entries_checked: report.entries_checked,
        broken: report.first_broken.map(|b| (b.seq, b.problem.to_string())),
        key_id: report.key_id,
    })
}
