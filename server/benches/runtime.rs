//! Benchmarks of the bot runtime, each printed beside a baseline measured in the same run:
//!
//! - ingest: verified webhook events per second into a real `steward serve` (SQLite and
//!   PostgreSQL) from 32 concurrent senders, beside a plain axum server that only answers 200;
//!   with latency percentiles and the server's peak resident memory;
//! - webhook → reply: a person mentions the bot in the sandbox at 50 events/s, and the time until
//!   the bot's reply exists, beside the time the sandbox takes to store one message;
//! - queue: jobs claimed and completed per second by four workers, beside single-row committed
//!   writes per second on the same database.
//!
//! Run with `cargo bench -p server --bench runtime` (PostgreSQL must be up; `make postgres`).
//! Pass `ingest`, `latency` or `queue` to run one of them.

use std::{
    process::Stdio,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use domain::{
    Backend,
    queue::{self, Job, NewJob},
    testing::{TestDb, register_webhook_secret},
    webex::{markup::mention_person, signature::sign, timestamp::parse_ms},
};
use serde_json::{Value, json};
use sqlx::{AnyPool, Executor, any::AnyPoolOptions};
use tokio::process::{Child, Command};

const SENDERS: usize = 32;
const EVENTS_PER_SENDER: usize = 1_500;
const SECRET: &str = "b3nchb3nchb3nchb3nchb3nchb3nch00";
const PLAIN_ROLE: &str = "STEWARD_BENCH_PLAIN_PORT";

fn main() -> anyhow::Result<()> {
    // The baseline server runs as a child process of this binary, like `steward serve` does.
    if let Ok(port) = std::env::var(PLAIN_ROLE) {
        return plain_server(port.parse()?);
    }
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        if wanted("ingest") {
            let plain = ingest_plain().await?;
            for backend in [Backend::Sqlite, Backend::Postgres] {
                let steward = ingest_steward(backend).await?;
                report_ingest(backend, &steward, &plain);
            }
        }
        if wanted("latency") {
            latency().await?;
        }
        if wanted("queue") {
            for backend in [Backend::Sqlite, Backend::Postgres] {
                queue_throughput(backend).await?;
            }
        }
        Ok(())
    })
}

/// What a load run measured.
struct Load {
    events: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    peak_rss_kib: Option<u64>,
    failures: usize,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
fn report_ingest(backend: Backend, steward: &Load, plain: &Load) {
    let line = |name: &str, load: &Load| {
        let mut sorted = load.latencies.clone();
        sorted.sort();
        format!(
            "{name:<34} {:>9.0} events/s   p50 {:>8}   p99 {:>8}   failures {}{}",
            load.per_second(),
            ms(percentile(&sorted, 50.0)),
            ms(percentile(&sorted, 99.0)),
            load.failures,
            load.peak_rss_kib
                .map(|kib| format!("   peak RSS {:.1} MiB", kib as f64 / 1024.0))
                .unwrap_or_default()
        )
    };
    println!("\ningest, {SENDERS} senders × {EVENTS_PER_SENDER} signed events, {backend}");
    println!("  {}", line("steward serve /webhooks/webex", steward));
    println!("  {}", line("baseline: plain axum answering 200", plain));
    println!(
        "  steward reaches {:.0}% of the baseline",
        100.0 * steward.per_second() / plain.per_second()
    );
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("an address")
        .port()
}

async fn wait_until_up(url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(response) = http.get(url).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{url} did not come up")
}

fn steward() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_steward"));
    command
        .env_clear()
        .env("STEWARD_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    command
}

/// Peak resident memory of a process, from `/proc`.
fn peak_rss_kib(child: &Child) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()?)).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Signed webhook bodies, made before the clock starts so the senders only send.
fn signed_events(sender: usize) -> Vec<(Vec<u8>, String)> {
    (0..EVENTS_PER_SENDER)
        .map(|n| {
            let body = serde_json::to_vec(&json!({
                "id": "bench-webhook", "name": "Steward firehose",
                "targetUrl": "http://127.0.0.1/webhooks/webex", "resource": "messages",
                "event": "created", "orgId": "org", "createdBy": "bot", "appId": "app",
                "ownedBy": "creator", "status": "active", "created": "2026-01-01T00:00:00.000Z",
                "actorId": "person",
                "data": {
                    "id": format!("bench-message-{sender}-{n}"), "roomId": "bench-room",
                    "roomType": "group", "personId": "person", "personEmail": "p@acme.example",
                    "created": "2026-01-01T00:00:00.000Z"
                }
            }))
            .expect("events serialise");
            let signature = sign(SECRET.as_bytes(), &body);
            (body, signature)
        })
        .collect()
}

/// 32 senders, each posting its events one after the other.
async fn send_load(url: &str, child: Option<&Child>) -> anyhow::Result<Load> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(SENDERS)
        .build()?;
    let batches: Vec<_> = (0..SENDERS).map(signed_events).collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for batch in batches {
        let http = http.clone();
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(batch.len());
            let mut failures = 0;
            for (body, signature) in batch {
                let sent = Instant::now();
                let answer = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-spark-signature", signature)
                    .body(body)
                    .send()
                    .await;
                match answer {
                    Ok(a) if a.status().is_success() => latencies.push(sent.elapsed()),
                    _ => failures += 1,
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::with_capacity(SENDERS * EVENTS_PER_SENDER);
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await?;
        latencies.extend(l);
        failures += f;
    }
    Ok(Load {
        events: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
        peak_rss_kib: child.and_then(peak_rss_kib),
        failures,
    })
}

/// The ceiling: an axum server that answers 200 and does nothing else.
async fn ingest_plain() -> anyhow::Result<Load> {
    let port = free_port();
    let exe = std::env::current_exe()?;
    let child = Command::new(exe)
        .env(PLAIN_ROLE, port.to_string())
        .kill_on_drop(true)
        .spawn()?;
    wait_until_up(&format!("http://127.0.0.1:{port}/healthz")).await?;
    send_load(
        &format!("http://127.0.0.1:{port}/webhooks/webex"),
        Some(&child),
    )
    .await
}

fn plain_server(port: u16) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let app = axum::Router::new()
            .route("/healthz", axum::routing::get(|| async { "ok" }))
            .route(
                "/webhooks/webex",
                axum::routing::post(|_body: axum::body::Bytes| async { "{}" }),
            );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}

/// `steward serve` with no bot token: every verified event is stored with its job, and nothing
/// consumes them, so this measures ingest alone.
async fn ingest_steward(backend: Backend) -> anyhow::Result<Load> {
    let test_db = TestDb::new(backend).await;
    register_webhook_secret(test_db.db(), "bench-webhook", SECRET).await;
    let port = free_port();
    let child = steward()
        .arg("serve")
        .env("DATABASE_URL", test_db.url())
        .env("STEWARD_BIND", format!("127.0.0.1:{port}"))
        .spawn()?;
    wait_until_up(&format!("http://127.0.0.1:{port}/readyz")).await?;
    let load = send_load(
        &format!("http://127.0.0.1:{port}/webhooks/webex"),
        Some(&child),
    )
    .await?;
    let stored = queue::counts(test_db.db()).await?.queued;
    drop(child);
    test_db.cleanup().await;
    if usize::try_from(stored)? != load.events {
        bail!(
            "{} events acknowledged but {stored} jobs stored",
            load.events
        );
    }
    Ok(load)
}

/// Webhook → reply through the sandbox: Sam mentions the bot 50 times a second for ten seconds.
#[expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
async fn latency() -> anyhow::Result<()> {
    const RATE: u64 = 50;
    const SECONDS: u64 = 10;
    let dir = tempfile::tempdir()?;
    let database_url = format!("sqlite://{}/steward.db", dir.path().display());
    let token = |email: &'static str| {
        let database_url = database_url.clone();
        async move {
            let output = steward()
                .args(["sandbox-token", email])
                .env("DATABASE_URL", &database_url)
                .stdout(Stdio::piped())
                .output()
                .await?;
            anyhow::Ok(String::from_utf8(output.stdout)?.trim().to_owned())
        }
    };
    let bot_token = token("steward@acme.webex.bot").await?;
    let sam = token("sam.okafor@acme.example").await?;
    let port = free_port();
    let _child = steward()
        .arg("serve")
        .env("DATABASE_URL", &database_url)
        .env("STEWARD_BIND", format!("127.0.0.1:{port}"))
        .env("STEWARD_SANDBOX", "true")
        .spawn()?;
    let origin = format!("http://127.0.0.1:{port}");
    wait_until_up(&format!("{origin}/readyz")).await?;
    let api = format!("{origin}/sandbox/v1");
    let http = reqwest::Client::new();
    let get = |path: String, token: String| {
        let http = http.clone();
        let api = api.clone();
        async move {
            anyhow::Ok(
                http.get(format!("{api}{path}"))
                    .bearer_auth(token)
                    .send()
                    .await?
                    .json::<Value>()
                    .await?,
            )
        }
    };
    // The runtime registers its webhooks once it is up.
    for _ in 0..100 {
        let hooks = get("/webhooks".into(), bot_token.clone()).await?;
        if hooks["items"].as_array().is_some_and(|h| h.len() == 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let bot = get("/people/me".into(), bot_token.clone()).await?;
    let mention = mention_person(bot["id"].as_str().context("bot id")?, "Steward");
    let rooms = get("/rooms?max=1000".into(), sam.clone()).await?;
    let room = rooms["items"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["title"] == "Project Falcon"))
        .context("the project space")?["id"]
        .as_str()
        .context("room id")?
        .to_owned();

    let questions = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let mut ticker = tokio::time::interval(Duration::from_millis(1000 / RATE));
    let mut posts = Vec::new();
    for n in 0..RATE * SECONDS {
        ticker.tick().await;
        let http = http.clone();
        let api = api.clone();
        let sam = sam.clone();
        let body = json!({ "roomId": room, "markdown": format!("{mention} help ({n})") });
        let questions = Arc::clone(&questions);
        posts.push(tokio::spawn(async move {
            let sent = Instant::now();
            let posted: Value = http
                .post(format!("{api}/messages"))
                .bearer_auth(sam)
                .json(&body)
                .send()
                .await?
                .json()
                .await?;
            questions.lock().await.push((posted, sent.elapsed()));
            anyhow::Ok(())
        }));
    }
    for post in posts {
        post.await??;
    }
    let questions = questions.lock().await.clone();
    let mut replies = std::collections::HashMap::new();
    for _ in 0..300 {
        let page = get(format!("/messages?roomId={room}&max=1000"), sam.clone()).await?;
        replies = page["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["personId"] == bot["id"])
            .filter_map(|m| Some((m["parentId"].as_str()?.to_owned(), m["created"].clone())))
            .collect();
        if questions
            .iter()
            .all(|(q, _)| q["id"].as_str().is_some_and(|id| replies.contains_key(id)))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut latencies: Vec<Duration> = Vec::new();
    let mut unanswered = 0;
    for (question, _) in &questions {
        let asked = question["created"].as_str().and_then(parse_ms);
        let answered = question["id"]
            .as_str()
            .and_then(|id| replies.get(id))
            .and_then(|c| c.as_str().and_then(parse_ms));
        match (asked, answered) {
            (Some(a), Some(b)) => latencies.push(Duration::from_millis(u64::try_from(b - a)?)),
            _ => unanswered += 1,
        }
    }
    latencies.sort();
    let mut floor: Vec<Duration> = questions.iter().map(|(_, d)| *d).collect();
    floor.sort();
    println!(
        "\nwebhook → reply through the sandbox, {} mentions at {RATE}/s, SQLite, local engine",
        questions.len()
    );
    println!(
        "  {:<34} p50 {:>8}   p99 {:>8}   max {:>8}   unanswered {unanswered}",
        "mention → the bot's reply exists",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
    println!(
        "  {:<34} p50 {:>8}   p99 {:>8}   max {:>8}",
        "baseline: the sandbox stores a post",
        ms(percentile(&floor, 50.0)),
        ms(percentile(&floor, 99.0)),
        ms(floor.last().copied().unwrap_or_default()),
    );
    Ok(())
}

/// Jobs claimed and completed per second by four workers.
#[expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
async fn queue_throughput(backend: Backend) -> anyhow::Result<()> {
    const JOBS: usize = 4_000;
    const WORKERS: usize = 4;
    let test_db = TestDb::new(backend).await;
    let db = test_db.db().clone();
    let jobs: Vec<NewJob> = (0..JOBS)
        .map(|n| {
            Ok(NewJob::new(Job::Event {
                event_id: i64::try_from(n)?,
            }))
        })
        .collect::<anyhow::Result<_>>()?;
    queue::push_all(&db, &jobs).await?;
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let db = db.clone();
        workers.push(tokio::spawn(async move {
            let owner = format!("bench-{w}");
            while let Some(job) = queue::claim(&db, &owner, Duration::from_secs(30)).await? {
                queue::complete(&db, &job, "done").await?;
            }
            anyhow::Ok(())
        }));
    }
    for worker in workers {
        worker.await??;
    }
    let queue_rate = JOBS as f64 / started.elapsed().as_secs_f64();
    let done = queue::counts(&db).await?.done;
    let baseline = committed_writes_per_second(test_db.url(), WORKERS).await?;
    test_db.cleanup().await;
    if usize::try_from(done)? != JOBS {
        bail!("{done} of {JOBS} jobs done");
    }
    println!("\nqueue, {WORKERS} workers, {backend}");
    println!(
        "  {:<34} {queue_rate:>9.0} jobs/s   (a claim and a completion each: two commits)",
        "claim + complete"
    );
    println!(
        "  {:<34} {baseline:>9.0} commits/s",
        "baseline: one-row update, committed"
    );
    Ok(())
}

/// How many single-row updates, each its own committed transaction, `tasks` connections make
/// in two seconds on the database at `url`.
async fn committed_writes_per_second(url: &str, tasks: usize) -> anyhow::Result<f64> {
    let is_sqlite = url.starts_with("sqlite:");
    let pool: AnyPool = AnyPoolOptions::new()
        // SQLite has one writer; more connections would only fail with "database is locked".
        .max_connections(if is_sqlite { 1 } else { u32::try_from(tasks)? })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if is_sqlite {
                    conn.execute("PRAGMA synchronous = FULL").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?;
    pool.execute("CREATE TABLE bench_counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)")
        .await?;
    pool.execute("INSERT INTO bench_counter (id, n) VALUES (1, 0)")
        .await?;
    let deadline = Instant::now() + Duration::from_secs(2);
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let pool = pool.clone();
        handles.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                sqlx::query("UPDATE bench_counter SET n = n + 1 WHERE id = 1")
                    .execute(&pool)
                    .await?;
                n += 1;
            }
            anyhow::Ok(n)
        }));
    }
    let mut total = 0;
    for handle in handles {
        total += handle.await??;
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    pool.execute("DROP TABLE bench_counter").await?;
    pool.close().await;
    Ok(rate)
}
