//! The audit log at a million entries: how long a console page of 50 takes for each kind of
//! filter, on SQLite and PostgreSQL, beside the newest page with no filter (the cheapest list
//! query) measured in the same run. Target: p95 under 100 ms.
//!
//! Run with `cargo bench -p domain --bench audit` (PostgreSQL must be up); pass a number to seed
//! another count, e.g. `cargo bench -p domain --bench audit -- 200000`.

use std::time::{Duration, Instant};

use domain::{
    Backend, Db,
    audit::{self, Actor, Filter},
    testing::{
        TestDb,
        audit_log::{self, PEOPLE, SPACES},
    },
    vocab::{AgentFunction, Decision},
};
use rand::{Rng, SeedableRng, rngs::StdRng};

const PAGE: i64 = 50;
const RUNS: usize = 60;
const DECISIONS: [Decision; 5] = Decision::ALL;
const FUNCTIONS: [AgentFunction; 2] = AgentFunction::ALL;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    // `sqlite` or `postgres` among the arguments measures that backend alone.
    let backends: Vec<Backend> = [Backend::Sqlite, Backend::Postgres]
        .into_iter()
        .filter(|b| {
            !args.iter().any(|a| a == "sqlite" || a == "postgres") || args.contains(&b.to_string())
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        for backend in backends {
            let test_db = TestDb::new(backend).await;
            let seeded = Instant::now();
            audit_log::seed(test_db.db(), rows, |_| ()).await?;
            // A live database has fresh planner statistics: the server refreshes them hourly.
            test_db.db().refresh_statistics().await?;
            report_seed(backend, rows, seeded.elapsed());
            measure(test_db.db(), rows).await?;
            test_db.cleanup().await;
        }
        anyhow::Ok(())
    })
}

#[expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
fn report_seed(backend: Backend, rows: usize, took: Duration) {
    println!(
        "\naudit log, {backend}: seeded {rows} entries in {:.1} s",
        took.as_secs_f64()
    );
}

/// A kind of page the console asks for, with a filter made fresh for each run.
struct Kind {
    name: &'static str,
    make: fn(&mut StdRng, usize) -> (Filter, Option<i64>),
}

const KINDS: [Kind; 10] = [
    Kind {
        name: "baseline: newest page, no filter",
        make: |_, _| (Filter::default(), None),
    },
    Kind {
        name: "a deep page (keyset)",
        make: |rng, rows| {
            (
                Filter::default(),
                Some(i64::try_from(rng.gen_range(PAGE as usize..rows)).unwrap_or(1)),
            )
        },
    },
    Kind {
        name: "one person's changes (1%)",
        make: |rng, _| {
            (
                Filter {
                    actor: Some(Actor::User(rng.gen_range(1..=PEOPLE))),
                    ..Filter::default()
                },
                None,
            )
        },
    },
    Kind {
        name: "a function",
        make: |rng, _| {
            (
                Filter {
                    function: Some(FUNCTIONS[rng.gen_range(0..2)]),
                    ..Filter::default()
                },
                None,
            )
        },
    },
    Kind {
        name: "a space (2%)",
        make: |rng, _| {
            (
                Filter {
                    space: Some(format!("room-{}", rng.gen_range(0..SPACES))),
                    ..Filter::default()
                },
                None,
            )
        },
    },
    Kind {
        name: "a decision",
        make: |rng, _| {
            (
                Filter {
                    decision: Some(DECISIONS[rng.gen_range(0..5)]),
                    ..Filter::default()
                },
                None,
            )
        },
    },
    Kind {
        name: "function + space + decision",
        make: |rng, _| {
            (
                Filter {
                    function: Some(FUNCTIONS[rng.gen_range(0..2)]),
                    space: Some(format!("room-{}", rng.gen_range(0..SPACES))),
                    decision: Some(DECISIONS[rng.gen_range(0..5)]),
                    ..Filter::default()
                },
                None,
            )
        },
    },
    Kind {
        name: "a time range (the last minute)",
        make: |_, _| {
            let now = domain::time::now_ms();
            (
                Filter {
                    from_ms: Some(now - 60_000),
                    to_ms: Some(now),
                    ..Filter::default()
                },
                None,
            )
        },
    },
    Kind {
        name: "words: a common one",
        make: |_, _| {
            (
                Filter {
                    text: Some("shadow".into()),
                    ..Filter::default()
                },
                None,
            )
        },
    },
    Kind {
        name: "words: one entry's message id",
        make: |rng, rows| {
            (
                Filter {
                    text: Some(format!("msg{:08}", rng.gen_range(1..rows))),
                    ..Filter::default()
                },
                None,
            )
        },
    },
];

#[expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
async fn measure(db: &Db, rows: usize) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(11);
    println!(
        "  {:<36} {:>9} {:>9} {:>9}",
        "page of 50", "p50", "p95", "max"
    );
    for kind in &KINDS {
        let mut took = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let (filter, before) = (kind.make)(&mut rng, rows);
            let started = Instant::now();
            let page = audit::search(db, &filter, before, PAGE).await?;
            took.push(started.elapsed());
            std::hint::black_box(page);
        }
        took.sort();
        let at = |p: f64| took[((p / 100.0) * (took.len() - 1) as f64).round() as usize];
        println!(
            "  {:<36} {:>7.1}ms {:>7.1}ms {:>7.1}ms",
            kind.name,
            at(50.0).as_secs_f64() * 1e3,
            at(95.0).as_secs_f64() * 1e3,
            took.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
    }
    Ok(())
}
