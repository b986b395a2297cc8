//! Audit exports over HTTP: the filter's entries as CSV or JSON lines, for admins and managers.

use std::time::Duration;

use axum::{body::Body, http::Request};
use domain::{
    audit::{self, Actor, NewEntry},
    db_test,
    users::Role,
};
use serde_json::json;

use crate::helpers::{app, send, session_cookie};

async fn record(db: &domain::Db, n: usize, function: &str) {
    audit::record(
        db,
        NewEntry {
            actor: Actor::system("runtime"),
            action: "agent.reply".into(),
            target: format!("space:room-{n}"),
            before: None,
            after: Some(json!({ "function": function, "decision": "reply", "n": n })),
        },
    )
    .await
    .unwrap();
}

db_test!(async fn an_export_streams_every_entry_the_filter_selects(db) {
    // More than one batch of the stream.
    for n in 0..1_205 {
        record(&db, n, if n % 2 == 0 { "summarize" } else { "alert_triage" }).await;
    }
    let app = app(&db);
    let cookie = session_cookie(&db, "manager@example.com", &[Role::Manager], Duration::ZERO).await;
    let get = |uri: &str| {
        Request::get(uri)
            .header("cookie", cookie.as_str())
            .body(Body::empty())
            .unwrap()
    };

    let csv = send(&app, get("/audit/export.csv?function=summarize")).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(csv.header("content-disposition").contains("steward-audit.csv"));
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "seq");
    assert_eq!(&headers[2], "actor");
    assert_eq!(&headers[3], "actor_id");
    assert_eq!(&headers[6], "function");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // The grant of the manager role is an entry too, but not about summaries.
    assert_eq!(rows.len(), 603);
    assert!(rows.iter().all(|r| &r[6] == "summarize"));
    // People read who did it; the id as stored stands beside it.
    assert!(rows.iter().all(|r| &r[2] == "Steward (runtime)" && &r[3] == "system:runtime"));
    assert!(rows.windows(2).all(|w| w[0][0].parse::<i64>().unwrap() > w[1][0].parse::<i64>().unwrap()));

    let jsonl = send(&app, get("/audit/export.jsonl?q=alert_triage")).await;
    assert_eq!(jsonl.status, 200);
    let lines: Vec<serde_json::Value> = jsonl.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 602);
    assert_eq!(lines[0]["after"]["function"], "alert_triage");
    assert_eq!(lines[0]["hash"].as_str().unwrap().len(), 64);
    assert_eq!(lines[0]["actor"], "Steward (runtime)");
    assert_eq!(lines[0]["actor_id"], "system:runtime");

    // The actor filter takes a person's e-mail, as a manager knows them.
    let mine = send(&app, get("/audit/export.jsonl?actor=manager%40example.com")).await;
    assert_eq!(mine.status, 200);
    let mine: Vec<serde_json::Value> = mine.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|e| e["actor_id"].as_str().unwrap().starts_with("user:")));
    let nobody = send(&app, get("/audit/export.csv?actor=nobody%40example.com")).await;
    assert_eq!(nobody.status, 400);
    assert!(nobody.body.contains("No one called"));

    // Browsers accept compressed answers; the stream is compressed as it goes.
    let compressed = send(
        &app,
        Request::get("/audit/export.csv")
            .header("cookie", cookie.as_str())
            .header("accept-encoding", "gzip, br")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(compressed.status, 200);
    assert_eq!(compressed.header("content-encoding"), "br");

    let bad = send(&app, get("/audit/export.csv?from=yesterday")).await;
    assert_eq!(bad.status, 400);
});

db_test!(async fn a_reviewer_cannot_export_the_audit_log(db) {
    let app = app(&db);
    let cookie = session_cookie(&db, "reviewer@example.com", &[Role::Reviewer], Duration::ZERO).await;
    let response = send(
        &app,
        Request::get("/audit/export.jsonl").header("cookie", cookie).body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(response.status, 403);
    assert!(!response.body.contains("role.grant"));
});
