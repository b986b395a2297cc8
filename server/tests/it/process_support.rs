//! `steward` as real processes: the Webex sandbox on its own (Webex stays up while Steward
//! crashes), and `steward serve` and `steward worker` pointed at it, which tests kill with
//! SIGKILL and start again.

use std::{path::Path, process::Stdio, time::Duration};

use domain::webex::signature::sign;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `steward` process, killed when dropped.
pub struct Process {
    child: Child,
}

impl Process {
    /// SIGKILL: no shutdown code runs.
    pub async fn kill9(&mut self) {
        self.child.kill().await.unwrap();
    }
}

fn steward(log: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_steward"));
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    command
        .env_clear()
        .env("STEWARD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .kill_on_drop(true);
    command
}

async fn wait_until_up(url: &str) {
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(response) = http.get(url).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} did not come up");
}

/// The Webex sandbox as its own process.
pub struct SandboxProcess {
    _process: Process,
    /// `http://127.0.0.1:PORT/sandbox/v1`.
    pub base: String,
    pub bot_token: String,
    /// The compliance officer's, with which Steward reads history.
    pub reader_token: String,
    pub http: reqwest::Client,
    dir: std::path::PathBuf,
}

impl SandboxProcess {
    pub async fn start(dir: &Path) -> Self {
        let db = format!("sqlite://{}/sandbox.db", dir.display());
        let log = dir.join("sandbox.log");
        let token = |email: &str| {
            let mut command = steward(&log);
            command
                .args(["sandbox-token", email])
                .env("DATABASE_URL", &db)
                .stdout(Stdio::piped());
            command
        };
        let output = token("steward@acme.webex.bot").output().await.unwrap();
        assert!(output.status.success());
        let bot_token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        let output = token(webex_sandbox::seed::READER_EMAIL)
            .output()
            .await
            .unwrap();
        let reader_token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        let port = free_port();
        let child = steward(&log)
            .args(["sandbox", "--port", &port.to_string()])
            .env("DATABASE_URL", &db)
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}/sandbox/v1");
        wait_until_up(&format!("http://127.0.0.1:{port}/healthz")).await;
        Self {
            _process: Process { child },
            base,
            bot_token,
            reader_token,
            http: reqwest::Client::new(),
            dir: dir.to_owned(),
        }
    }

    /// A token of the demo person with this e-mail.
    pub async fn token(&self, email: &str) -> String {
        let db = format!("sqlite://{}/sandbox.db", self.dir.display());
        let output = steward(&self.dir.join("sandbox.log"))
            .args(["sandbox-token", email])
            .env("DATABASE_URL", &db)
            .stdout(Stdio::piped())
            .output()
            .await
            .unwrap();
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    pub async fn get(&self, path: &str, token: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
        response.json().await.unwrap()
    }

    /// The room with this title, as the bot sees it.
    pub async fn room(&self, title: &str) -> String {
        let rooms = self.get("/rooms?max=1000", &self.bot_token).await;
        rooms["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["title"] == title)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Settings for a `steward serve` or `steward worker` talking to a sandbox process.
pub struct StewardSettings<'a> {
    pub database_url: &'a str,
    pub sandbox: &'a SandboxProcess,
    pub workers: usize,
    pub log: &'a Path,
}

impl StewardSettings<'_> {
    fn command(&self, subcommand: &str) -> Command {
        let mut command = steward(self.log);
        command
            .arg(subcommand)
            .env("DATABASE_URL", self.database_url)
            .env("STEWARD_WEBEX_API_URL", &self.sandbox.base)
            .env("STEWARD_WEBEX_BOT_TOKEN", &self.sandbox.bot_token)
            .env("STEWARD_WEBEX_READER_TOKEN", &self.sandbox.reader_token)
            .env("STEWARD_WORKERS", self.workers.to_string())
            .env("STEWARD_JOB_LEASE_SECS", "3")
            .env("STEWARD_SHUTDOWN_GRACE_SECS", "2");
        command
    }

    /// `steward serve` on `port`, once it answers `/readyz`.
    pub async fn serve(&self, port: u16) -> Process {
        let child = self
            .command("serve")
            .env("STEWARD_BIND", format!("127.0.0.1:{port}"))
            .spawn()
            .unwrap();
        wait_until_up(&format!("http://127.0.0.1:{port}/readyz")).await;
        Process { child }
    }

    /// `steward worker`.
    pub fn worker(&self) -> Process {
        Process {
            child: self.command("worker").spawn().unwrap(),
        }
    }
}

/// Webex's delivery of a `messages/created` event for `message`, and its signature.
pub fn delivery(message: &Value, secret: &str) -> (Vec<u8>, String) {
    let body = serde_json::to_vec(&json!({
        "id": "fault-webhook", "name": "Steward firehose", "targetUrl": "http://steward/webhooks/webex",
        "resource": "messages", "event": "created", "orgId": "org", "createdBy": "bot",
        "appId": "app", "ownedBy": "creator", "status": "active",
        "created": "2026-01-01T00:00:00.000Z", "actorId": message["personId"],
        "data": {
            "id": message["id"], "roomId": message["roomId"], "roomType": message["roomType"],
            "personId": message["personId"], "personEmail": message["personEmail"],
            "created": message["created"], "mentionedPeople": message["mentionedPeople"],
        }
    }))
    .unwrap();
    let signature = sign(secret.as_bytes(), &body);
    (body, signature)
}

/// A PostgreSQL server of the test's own (Debian's binaries, a fresh cluster in a temporary
/// directory, its own port), which the test can stop and start without touching anyone else's.
pub struct PrivatePostgres {
    bin: std::path::PathBuf,
    data: std::path::PathBuf,
    pub port: u16,
}

impl PrivatePostgres {
    /// `initdb` and start a cluster under `dir` (owned by the `postgres` user when the test runs
    /// as root, which PostgreSQL refuses to run as).
    pub async fn start(dir: &Path) -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's server binaries (Debian's postgresql package)")
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("bin"))
            .find(|bin| bin.join("initdb").exists())
            .expect("initdb in /usr/lib/postgresql/*/bin");
        let data = dir.join("pgdata");
        std::fs::create_dir_all(&data).unwrap();
        let postgres = Self {
            bin,
            data,
            port: free_port(),
        };
        if nix_is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir)
                .status()
                .await
                .unwrap();
            assert!(status.success());
        }
        postgres
            .run(
                "initdb",
                &["-A", "trust", "-U", "postgres", "--no-sync", "-D"],
            )
            .await;
        postgres.up().await;
        postgres
    }

    /// `postgres://…` for the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub async fn up(&self) {
        let options = format!(
            "-p {} -k {} -h 127.0.0.1 -c fsync=off",
            self.port,
            self.data.display()
        );
        self.run(
            "pg_ctl",
            &["-w", "-o", &options, "-l", "/dev/null", "start", "-D"],
        )
        .await;
    }

    /// Stops the server at once, as a crash or a failover would (`-m immediate`).
    pub async fn down(&self) {
        self.run("pg_ctl", &["-w", "-m", "immediate", "stop", "-D"])
            .await;
    }

    async fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if nix_is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        let output = command.args(args).arg(&self.data).output().await.unwrap();
        assert!(
            output.status.success(),
            "{} failed: {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let program = self.bin.join("pg_ctl");
        let mut command = if nix_is_root() {
            let mut command = std::process::Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            std::process::Command::new(&program)
        };
        command
            .args(["-m", "immediate", "stop", "-D"])
            .arg(&self.data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok();
    }
}

/// Whether this process runs as root.
fn nix_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}
