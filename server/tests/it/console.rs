use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use domain::{
    Backend, db_test,
    users::{self, EmailAddress},
};
use sqlx::{AnyConnection, Connection, Executor};

use crate::helpers::{app, get, send};

db_test!(async fn overview_renders_the_installation_on_the_server(db) {
    let admin = EmailAddress::parse("admin@example.com").unwrap();
    users::seed_admins(&db, &[admin]).await.unwrap();

    let response = get(&app(&db), "/").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.header("content-type").starts_with("text/html"));
    let html = response.body;
    assert!(html.contains("<title>Overview · Steward</title>"), "{html}");
    let engine = match db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    assert!(html.contains(&format!(r#"data-testid="database-engine">{engine}<"#)), "{html}");
    assert!(html.contains(r#"data-testid="audit-entries">1<"#), "{html}");
    assert!(html.contains("Built-in Webex sandbox (no Webex account needed)"), "{html}");
    // Rendered completely on the server: no loading placeholder left for JavaScript to fill.
    assert!(!html.contains("Loading…"), "{html}");
    assert!(html.contains("/pkg/steward.js"), "the page loads the wasm bundle");
});

db_test!(async fn verifying_an_intact_chain_says_so(db) {
    users::seed_admins(&db, &[EmailAddress::parse("a@example.com").unwrap()]).await.unwrap();
    let html = get(&app(&db), "/?verify=1").await.body;
    assert!(html.contains("Chain intact: 1 entry verified."), "{html}");
});

db_test!(async fn verifying_a_tampered_chain_names_the_changed_entry(db, url) {
    let emails = ["a@example.com", "b@example.com", "c@example.com"].map(|e| EmailAddress::parse(e).unwrap());
    users::seed_admins(&db, &emails).await.unwrap();

    let mut conn = AnyConnection::connect(&url).await.unwrap();
    let drop_trigger = match db.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
    };
    conn.execute(drop_trigger).await.unwrap();
    conn.execute("UPDATE audit_log SET target = 'user:mallory@example.com' WHERE seq = 2").await.unwrap();
    conn.close().await.unwrap();

    let html = get(&app(&db), "/?verify=1").await.body;
    assert!(
        html.contains("Chain broken at entry 2: its content was changed after it was written. 1 entry before it verified."),
        "{html}"
    );
});

db_test!(async fn unknown_pages_get_a_404_page(db) {
    let response = get(&app(&db), "/no/such/page").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(response.body.contains("<h1>Page not found</h1>"), "{}", response.body);
    assert!(response.body.contains("<title>Page not found · Steward</title>"));
});

db_test!(async fn login_page_renders_without_javascript(db) {
    let response = get(&app(&db), "/login").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.body.contains("<h1>Sign in to Steward</h1>"));
});

db_test!(async fn a_failing_database_shows_the_error_page_with_status_500(db) {
    let app = app(&db);
    db.close().await;
    let response = get(&app, "/").await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.body.contains("Something went wrong"), "{}", response.body);
    assert!(response.body.contains("Steward could not read its database"), "{}", response.body);
});

db_test!(async fn the_status_server_function_answers_json(db) {
    let request = Request::post("/api/load_system_status")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .unwrap();
    let response = send(&app(&db), request).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let status = response.json();
    assert_eq!(status["migrations_applied"], status["migrations_known"]);
    assert_eq!(status["sandbox"], true);
});
