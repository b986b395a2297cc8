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
