use axum::{body::Body, http::HeaderValue, http::Request, http::StatusCode};
use domain::db_test;

use crate::helpers::{app, get, send};

db_test!(async fn healthz_answers_while_the_process_runs(db) {
    let response = get(&app(&db), "/healthz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "ok");
});

db_test!(async fn readyz_reports_the_database_and_its_migrations(db) {
    let response = get(&app(&db), "/readyz").await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"]["backend"], db.backend().as_str());
    assert_eq!(body["database"]["reachable"], true);
    assert_eq!(body["database"]["migrations"]["applied"], body["database"]["migrations"]["known"]);
    assert!(body["database"]["migrations"]["known"].as_u64().unwrap() >= 1);
});

db_test!(async fn readyz_is_unavailable_when_the_database_is_gone(db) {
    let app = app(&db);
    db.close().await;
    let response = get(&app, "/readyz").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    let body = response.json();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["database"]["reachable"], false);
    // /healthz still answers: the process is alive, it just cannot serve.
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
});

db_test!(async fn metrics_count_requests_by_route_and_status(db) {
    let app = app(&db);
    get(&app, "/healthz").await;
    get(&app, "/no/such/page").await;
    let response = get(&app, "/metrics").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.header("content-type").starts_with("text/plain; version=0.0.4"));
    let body = response.body;
    assert!(body.contains(r#"steward_http_requests_total{method="GET",route="/healthz",status="200"}"#), "{body}");
    assert!(body.contains(r#"route="fallback",status="404""#), "{body}");
    assert!(body.contains("steward_http_request_duration_seconds_bucket"), "{body}");
    assert!(body.contains("steward_build_info"), "{body}");
});

db_test!(async fn every_response_carries_a_request_id(db) {
    let app = app(&db);
    let generated = get(&app, "/healthz").await;
    assert_eq!(generated.header("x-request-id").len(), 36, "a UUID");

    let request = Request::get("/healthz").header("x-request-id", "trace-me-123").body(Body::empty()).unwrap();
    assert_eq!(send(&app, request).await.header("x-request-id"), "trace-me-123");

    // An id that would write its own fields into a log line is replaced, not echoed.
    for forged in ["abc method=DELETE path=/admin", "\"quoted\"", &"x".repeat(65), "ü"] {
        let request = Request::get("/healthz")
            .header("x-request-id", HeaderValue::from_bytes(forged.as_bytes()).unwrap())
            .body(Body::empty())
            .unwrap();
        let answered = send(&app, request).await;
        let id = answered.header("x-request-id");
        assert!(id != forged && id.len() == 36, "{forged:?} came back as {id:?}");
    }
});

db_test!(async fn a_sandbox_seeded_before_installations_were_marked_stays_a_sandbox(db) {
    use domain::installation::{self, InstallationKind};
    webex_sandbox::Sandbox::new(db.clone()).seed_demo().await.unwrap();
    let refused = installation::claim(&db, InstallationKind::Production)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("holds a sandbox installation"), "{refused}");
    installation::claim(&db, InstallationKind::Sandbox).await.unwrap();
});
