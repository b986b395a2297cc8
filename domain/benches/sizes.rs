//! The size-and-time report of a release build: the console bundle's bytes (raw beside gzip and
//! brotli), the `steward` binary's bytes, and the time from starting `steward serve` to `/readyz`
//! answering 200, on an empty SQLite database (beside the first start, which migrates it) and on
//! the same database holding a million audit entries. Target: start-up under 1 s where no
//! migration runs.
//!
//! It measures what `scripts/build.sh --release` built (`make sizes` builds it first), driving the
//! binary from outside as an operator would; it lives with the domain benches because it seeds the
//! audit log through the domain's own API. Pass a number to seed another count.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use domain::{Db, testing::audit_log};

const STARTS: usize = 5;
const PORT: u16 = 3197;

fn main() -> anyhow::Result<()> {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the workspace root")?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = target.join("release/steward");
    let site = root.join("target/site");

    bundle(&site.join("pkg"))?;
    let bytes = std::fs::metadata(&binary)
        .with_context(|| format!("{} (run scripts/build.sh --release)", binary.display()))?
        .len();
    report(&format!("\nbinary {}", binary.display()));
    report(&format!("  {:<40} {:>10.1} MB", "size", bytes as f64 / 1e6));

    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("steward.db").display());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    report("\nstart to /readyz 200 (SQLite)");
    report(&format!("  {:<40} {:>12}", "", "median of 5"));
    let first = start(&binary, &site, &url)?;
    report(&format!(
        "  {:<40} {:>10.0}ms",
        "first start, migrating an empty database",
        ms(first)
    ));
    let empty = median(&binary, &site, &url)?;
    report(&format!(
        "  {:<40} {:>10.0}ms",
        "baseline: empty database",
        ms(empty)
    ));
    runtime.block_on(async {
        let db = Db::connect(&url).await?;
        let seeded = Instant::now();
        audit_log::seed(&db, rows, |_| ()).await?;
        db.close().await;
        report(&format!(
            "  ({rows} audit entries seeded in {:.0} s)",
            seeded.elapsed().as_secs_f64()
        ));
        anyhow::Ok(())
    })?;
    let full = median(&binary, &site, &url)?;
    report(&format!(
        "  {:<40} {:>10.0}ms   target < 1000 ms",
        format!("{rows} audit entries"),
        ms(full)
    ));
    Ok(())
}

/// The bundle's files as the server names them in `hash.txt`, each raw beside its compressed copies.
fn bundle(pkg: &Path) -> anyhow::Result<()> {
    let hashes = std::fs::read_to_string(pkg.join("hash.txt")).with_context(|| {
        format!(
            "{} (run scripts/build.sh --release)",
            pkg.join("hash.txt").display()
        )
    })?;
    report(&format!("console bundle {}", pkg.display()));
    report(&format!(
        "  {:<40} {:>12} {:>12} {:>12}",
        "", "raw", "gzip", "brotli"
    ));
    let mut totals = [0u64; 3];
    for line in hashes.lines() {
        let Some((kind, hash)) = line.split_once(": ") else {
            continue;
        };
        let name = format!("steward.{hash}.{kind}");
        let sizes = ["", ".gz", ".br"].map(|suffix| {
            std::fs::metadata(pkg.join(format!("{name}{suffix}")))
                .map(|m| m.len())
                .unwrap_or(0)
        });
        for (total, size) in totals.iter_mut().zip(sizes) {
            *total += size;
        }
        report(&format!(
            "  {:<40} {:>12} {:>12} {:>12}",
            kind,
            kb(sizes[0]),
            kb(sizes[1]),
            kb(sizes[2])
        ));
    }
    report(&format!(
        "  {:<40} {:>12} {:>12} {:>12}   target: wasm < 400 KB gzip",
        "total",
        kb(totals[0]),
        kb(totals[1]),
        kb(totals[2])
    ));
    Ok(())
}

/// The median of [`STARTS`] starts.
fn median(binary: &Path, site: &Path, url: &str) -> anyhow::Result<Duration> {
    let mut took = (0..STARTS)
        .map(|_| start(binary, site, url))
        .collect::<anyhow::Result<Vec<_>>>()?;
    took.sort();
    Ok(took[STARTS / 2])
}

/// Starts `steward serve` as `make run` does and waits for `/readyz` to answer 200.
fn start(binary: &Path, site: &Path, url: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let child = Command::new(binary)
        .arg("serve")
        .env("STEWARD_SANDBOX", "true")
        .env("DATABASE_URL", url)
        .env("STEWARD_BIND", format!("127.0.0.1:{PORT}"))
        .env("LEPTOS_SITE_ROOT", site)
        .env("STEWARD_LOG", "warn")
        .stdout(Stdio::null())
        // Stopped right after it is ready, the runtime complains that the sandbox it serves
        // itself went away; a start-up failure shows as an early exit instead.
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("start {}", binary.display()))?;
    let mut child = Stopped(child);
    let ready = format!("http://127.0.0.1:{PORT}/readyz");
    loop {
        if let Ok(response) = status_of(&ready)
            && response == 200
        {
            break;
        }
        if let Some(status) = child.0.try_wait()? {
            bail!("steward exited with {status} before it was ready");
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("steward was not ready within a minute");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(started.elapsed())
}

/// One blocking GET on loopback: the status code.
fn status_of(url: &str) -> anyhow::Result<u16> {
    use std::io::{Read, Write};
    let address = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once('/'))
        .context("an http URL")?;
    let mut stream = std::net::TcpStream::connect(address.0)?;
    write!(
        stream,
        "GET /{} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        address.1, address.0
    )?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    std::str::from_utf8(&head[9..12])?
        .parse()
        .context("a status code")
}

/// The server, stopped (and waited for) however the measurement ends.
struct Stopped(Child);

impl Drop for Stopped {
    /// SIGTERM, as an operator stops it, so the next start finds the database closed cleanly.
    fn drop(&mut self) {
        let stopped = Command::new("kill")
            .arg(self.0.id().to_string())
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            self.0.kill().ok();
        }
        self.0.wait().ok();
    }
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn ms(took: Duration) -> f64 {
    took.as_secs_f64() * 1e3
}

#[expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
fn report(line: &str) {
    println!("{line}");
}
