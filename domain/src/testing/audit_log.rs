//! A large, realistic audit log for benchmarks: agent decisions across [`SPACES`] spaces, every
//! function and decision, with a console change by one of [`PEOPLE`] people every hundredth entry.

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;

use crate::{
    Db,
    audit::{self, Actor, AuditError, NewEntry},
    vocab::{AgentFunction, Decision},
};

/// Spaces the entries are spread over, `room-0` to `room-49`.
pub const SPACES: usize = 50;
/// Console users making changes, ids 1 to 20.
pub const PEOPLE: i64 = 20;
const BATCH: usize = 10_000;

/// Appends `rows` entries to `db`'s audit log (the same ones for the same count), calling
/// `progress` with the number written after each batch.
pub async fn seed(db: &Db, rows: usize, mut progress: impl FnMut(usize)) -> Result<(), AuditError> {
    let functions = AgentFunction::ALL;
    let decisions = Decision::ALL;
    let mut rng = StdRng::seed_from_u64(7);
    let mut written = 0;
    while written < rows {
        let batch: Vec<NewEntry> = (written..(written + BATCH).min(rows))
            .map(|n| {
                let function = functions[n % functions.len()];
                if n % 100 == 0 {
                    NewEntry {
                        actor: Actor::User(rng.gen_range(1..=PEOPLE)),
                        action: "policy.mode".into(),
                        target: format!("space:room-{}", rng.gen_range(0..SPACES)),
                        before: Some(json!({ "function": function, "mode": "review" })),
                        after: Some(json!({ "function": function, "mode": "live" })),
                    }
                } else {
                    let decision = decisions[rng.gen_range(0..decisions.len())];
                    NewEntry {
                        actor: Actor::system("runtime"),
                        action: format!("agent.{decision}"),
                        target: format!("space:room-{}", rng.gen_range(0..SPACES)),
                        before: None,
                        after: Some(json!({
                            "function": functions[rng.gen_range(0..functions.len())],
                            "decision": decision,
                            "message_id": format!("msg{n:08}"),
                            "person_id": format!("person-{}", rng.gen_range(0..500)),
                            "prompt_version": "summarize@v1",
                            "engine": "local/extractive-1",
                            "latency_ms": rng.gen_range(2..40),
                        })),
                    }
                }
            })
            .collect();
        written += batch.len();
        audit::record_all(db, batch).await?;
        progress(written);
    }
    Ok(())
}
