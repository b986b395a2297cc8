//! The `steward` binary's commands, run as processes.

use std::{process::Stdio, time::Duration};

use tokio::process::Command;

fn steward() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_steward"));
    command
        .env_clear()
        .env("STEWARD_LOG", "warn")
        .kill_on_drop(true);
    command
}

#[tokio::test]
async fn the_sandbox_command_serves_the_webex_api_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/steward.db", dir.path().display());

    let output = steward()
        .args(["sandbox-token", "steward@acme.webex.bot"])
        .env("DATABASE_URL", &db)
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert_eq!(token.len(), 64, "{token}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = steward()
        .args(["sandbox", "--port", &port.to_string()])
        .env("DATABASE_URL", &db)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/sandbox/v1/people/me");
    let http = reqwest::Client::new();
    let mut me = None;
    for _ in 0..100 {
        if let Ok(response) = http.get(&url).bearer_auth(&token).send().await {
            me = Some(response.json::<serde_json::Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().await.unwrap();
    let me = me.expect("the sandbox answered");
    assert_eq!(me["type"], "bot");
    assert_eq!(me["emails"][0], "steward@acme.webex.bot");
}

#[tokio::test]
async fn a_bad_setting_stops_start_up_with_its_name() {
    let output = steward()
        .args(["migrate"])
        .env("DATABASE_URL", "mysql://db/steward")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "invalid setting DATABASE_URL (--database-url, `database_url` in steward.toml)"
        ),
        "{stderr}"
    );
}

/// Runs `steward` with `args` on the SQLite database in `dir`; returns success, stdout, stderr.
async fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = steward()
        .args(args)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/steward.db", dir.display()),
        )
        .output()
        .await
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[tokio::test]
async fn the_policy_command_switches_functions_and_reports_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, _) = run(dir.path(), &["policy", "list"]).await;
    assert!(ok);
    assert!(out.contains("alert_triage: on\nsummarize: on\n"), "{out}");
    assert!(out.contains("Steward knows no spaces yet"), "{out}");

    let (ok, out, _) = run(dir.path(), &["policy", "switch", "summarize", "off"]).await;
    assert!(ok);
    assert_eq!(out, "summarize is now switched off\n");
    let (_, out, _) = run(dir.path(), &["policy", "switch", "summarize", "off"]).await;
    assert_eq!(out, "summarize was already switched off\n");
    let (_, out, _) = run(dir.path(), &["policy", "list"]).await;
    assert!(out.contains("summarize: off (switched off)"), "{out}");

    for (args, error) in [
        (
            &["policy", "set", "summarize", "Nowhere", "live"][..],
            "Steward knows no space `Nowhere`",
        ),
        (
            &["policy", "set", "faq", "Nowhere", "live"][..],
            "`faq` is not an agent function",
        ),
        (
            &["policy", "switch", "summarize", "maybe"][..],
            "`maybe` is not a switch state",
        ),
    ] {
        let (ok, _, err) = run(dir.path(), args).await;
        assert!(!ok, "{args:?} succeeded");
        assert!(err.contains(error), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn severity_rules_are_printed_and_replaced_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, _) = run(dir.path(), &["policy", "severity-rules"]).await;
    assert!(ok);
    let mut rules: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rules["rules"][1]["name"], "disk nearly full");
    rules["rules"][1]["percent_at_least"] = serde_json::json!(90.0);
    let file = dir.path().join("rules.json");
    std::fs::write(&file, rules.to_string()).unwrap();
    let (ok, out, err) = run(
        dir.path(),
        &["policy", "severity-rules", file.to_str().unwrap()],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(out, "replaced the severity rules (6 rules)\n");
    let (_, out, _) = run(dir.path(), &["policy", "severity-rules"]).await;
    assert!(out.contains("\"percent_at_least\": 90.0"), "{out}");

    rules["rules"][1]["percent_at_least"] = serde_json::json!(140.0);
    std::fs::write(&file, rules.to_string()).unwrap();
    let (ok, _, err) = run(
        dir.path(),
        &["policy", "severity-rules", file.to_str().unwrap()],
    )
    .await;
    assert!(!ok);
    assert!(
        err.contains("rule 2 (disk nearly full): percent_at_least must be between 0 and 100"),
        "{err}"
    );
}

#[tokio::test]
async fn a_worker_without_webex_says_what_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(dir.path(), &["worker"]).await;
    assert!(!ok);
    assert!(
        err.contains("a worker needs Webex: set STEWARD_WEBEX_BOT_TOKEN"),
        "{err}"
    );
}

#[tokio::test]
async fn a_database_serves_only_the_mode_it_was_set_up_for() {
    // The sandbox's own commands mark a new database as a sandbox…
    let sandbox_dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(
        sandbox_dir.path(),
        &["sandbox-token", "steward@acme.webex.bot"],
    )
    .await;
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = run(sandbox_dir.path(), &["migrate"]).await;
    assert!(!ok, "a sandbox database was opened for production");
    assert!(
        stderr.contains("holds a sandbox installation and cannot be opened in production mode"),
        "{stderr}"
    );
    let (ok, _, stderr) = run(sandbox_dir.path(), &["--sandbox", "migrate"]).await;
    assert!(ok, "{stderr}");

    // …and a production one refuses sandbox mode, whose sign-in would let anyone be its admin.
    let production_dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(production_dir.path(), &["migrate"]).await;
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = run(production_dir.path(), &["--sandbox", "migrate"]).await;
    assert!(!ok, "a production database was opened in sandbox mode");
    assert!(
        stderr.contains("sandbox sign-in would let anyone act as its admins"),
        "{stderr}"
    );
}

#[tokio::test]
async fn sandbox_mode_refuses_to_listen_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(dir.path(), &["--sandbox", "--bind", "0.0.0.0:0", "migrate"]).await;
    assert!(!ok);
    assert!(stderr.contains("it would listen on 0.0.0.0:0"), "{stderr}");
    let (ok, _, stderr) = run(
        dir.path(),
        &[
            "--sandbox",
            "--sandbox-expose",
            "--bind",
            "0.0.0.0:0",
            "migrate",
        ],
    )
    .await;
    assert!(ok, "{stderr}");
}

#[tokio::test]
async fn secrets_rotate_seals_what_was_stored_in_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/steward.db", dir.path().display());
    let db = domain::Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    domain::credentials::set(
        &db,
        "integration.jira",
        "jira-api-token-123",
        &domain::audit::Actor::system("test"),
    )
    .await
    .unwrap();
    db.close().await;

    let (ok, _, stderr) = run(dir.path(), &["secrets", "rotate"]).await;
    assert!(
        !ok && stderr.contains("set STEWARD_SECRETS_KEY"),
        "{stderr}"
    );
    let key_file = dir.path().join("secrets.key");
    std::fs::write(&key_file, "0123456789abcdef0123456789abcdef\n").unwrap();
    let key_arg = format!("--secrets-key-file={}", key_file.display());
    let (ok, out, stderr) = run(dir.path(), &[&key_arg, "secrets", "rotate"]).await;
    assert!(ok, "{stderr}");
    assert_eq!(
        out.trim(),
        "re-sealed 1 credentials and 0 webhook secrets with the current key"
    );

    let db = domain::Db::connect(&url).await.unwrap();
    let stored: String = sqlx::query_scalar("SELECT value FROM credentials")
        .fetch_one(db.reader())
        .await
        .unwrap();
    assert!(
        stored.starts_with("v1:") && !stored.contains("jira-api-token-123"),
        "{stored}"
    );
    let vault = domain::vault::Vault::new("0123456789abcdef0123456789abcdef").unwrap();
    let keyed = db.clone().with_vault(vault);
    let secret = domain::credentials::get(&keyed, "integration.jira")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(secret.expose(), "jira-api-token-123");
    db.close().await;
}
