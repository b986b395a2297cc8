use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use domain::{Backend, db_test, users::Role};
use sqlx::{AnyConnection, Connection, Executor};

use crate::helpers::{ORIGIN, app, get, get_as, production_app, send, session_cookie};

const HOUR: Duration = Duration::from_secs(3600);

db_test!(async fn overview_renders_the_installation_on_the_server(db) {
    let cookie = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let response = get_as(&app(&db), "/", &cookie).await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.header("content-type").starts_with("text/html"));
    let html = response.body;
    assert!(html.contains("<title>Overview · Steward</title>"), "{html}");
    let engine = match db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    assert!(html.contains(&format!(r#"data-testid="database-engine">{engine}<"#)), "{html}");
    // The role grant and the sign-in were audited.
    assert!(html.contains(r#"data-testid="audit-entries">2<"#), "{html}");
    assert!(html.contains("Built-in Webex sandbox (no Webex account needed)"), "{html}");
    assert!(html.contains(r#"data-testid="viewer" class="viewer-name">Test Person</span>"#), "{html}");
    // Rendered completely on the server: no loading placeholder left for JavaScript to fill.
    assert!(!html.contains("Loading…"), "{html}");
    assert!(html.contains("/pkg/steward.js"), "the page loads the wasm bundle");
});

db_test!(async fn console_pages_send_people_without_a_session_to_sign_in(db) {
    for path in ["/", "/no/such/page", "/no-role"] {
        let response = get(&app(&db), path).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.header("location"), "/login");
    }
});

db_test!(async fn people_without_a_role_are_sent_to_the_no_role_page(db) {
    let cookie = session_cookie(&db, "nobody@example.com", &[], Duration::ZERO).await;
    let response = get_as(&app(&db), "/", &cookie).await;
    assert_eq!((response.status, response.header("location")), (StatusCode::SEE_OTHER, "/no-role"));
    let page = get_as(&app(&db), "/no-role", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>You don&#x27;t have access yet</h1>") || page.body.contains("<h1>You don't have access yet</h1>"), "{}", page.body);
    assert!(page.body.contains("nobody@example.com"));
});

db_test!(async fn sessions_end_at_the_absolute_time_out(db) {
    let fresh = session_cookie(&db, "a@example.com", &[Role::Manager], 11 * HOUR).await;
    assert_eq!(get_as(&app(&db), "/", &fresh).await.status, StatusCode::OK);
    let stale = session_cookie(&db, "b@example.com", &[Role::Manager], 13 * HOUR).await;
    let response = get_as(&app(&db), "/", &stale).await;
    assert_eq!((response.status, response.header("location")), (StatusCode::SEE_OTHER, "/login"));
});

db_test!(async fn verifying_an_intact_chain_says_so(db) {
    let cookie = session_cookie(&db, "a@example.com", &[Role::Manager], Duration::ZERO).await;
    let html = get_as(&app(&db), "/?verify=1", &cookie).await.body;
    assert!(html.contains("Chain intact: 2 entries verified."), "{html}");
});

db_test!(async fn verifying_a_tampered_chain_names_the_changed_entry(db, url) {
    let cookie = session_cookie(&db, "a@example.com", &[Role::Admin], Duration::ZERO).await;
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    let drop_trigger = match db.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
    };
    conn.execute(drop_trigger).await.unwrap();
    conn.execute("UPDATE audit_log SET target = 'user:mallory@example.com' WHERE seq = 2").await.unwrap();
    conn.close().await.unwrap();

    let html = get_as(&app(&db), "/?verify=1", &cookie).await.body;
    assert!(
        html.contains("Chain broken at entry 2: its content was changed after it was written. 1 entry before it verified."),
        "{html}"
    );
});

db_test!(async fn unknown_pages_get_a_404_page(db) {
    let cookie = session_cookie(&db, "a@example.com", &[Role::Reviewer], Duration::ZERO).await;
    let response = get_as(&app(&db), "/no/such/page", &cookie).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(response.body.contains("<h1>Page not found</h1>"), "{}", response.body);
    assert!(response.body.contains("<title>Page not found · Steward</title>"));
});

db_test!(async fn login_page_renders_without_a_session(db) {
    let response = get(&app(&db), "/login?error=state").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.body.contains("<h1>Sign in to Steward</h1>"));
    assert!(response.body.contains("did not match this browser"), "{}", response.body);
    assert!(response.body.contains("not connected to a Webex sign-in provider"));
});

db_test!(async fn a_failing_query_shows_the_error_page_with_status_500(db, url) {
    let cookie = session_cookie(&db, "a@example.com", &[Role::Admin], Duration::ZERO).await;
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    conn.execute("DROP TABLE audit_head").await.unwrap();
    conn.close().await.unwrap();
    let response = get_as(&app(&db), "/", &cookie).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.body.contains("Something went wrong"), "{}", response.body);
    assert!(response.body.contains("Steward could not read its database"), "{}", response.body);
});

db_test!(async fn an_unreachable_database_answers_503_instead_of_guessing(db) {
    let cookie = session_cookie(&db, "a@example.com", &[Role::Admin], Duration::ZERO).await;
    let app = app(&db);
    db.close().await;
    let response = get_as(&app, "/", &cookie).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
});

db_test!(async fn server_functions_check_the_callers_role(db) {
    let request = |cookie: Option<&str>| {
        let mut builder = Request::post("/api/load_system_status")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, ORIGIN);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder.body(Body::empty()).unwrap()
    };
    let anonymous = send(&app(&db), request(None)).await;
    assert!(anonymous.body.contains("SignInRequired"), "{}", anonymous.body);
    assert_ne!(anonymous.status, StatusCode::OK);

    let no_role = session_cookie(&db, "x@example.com", &[], Duration::ZERO).await;
    let refused = send(&app(&db), request(Some(&no_role))).await;
    assert!(refused.body.contains("Forbidden"), "{}", refused.body);

    let manager = session_cookie(&db, "m@example.com", &[Role::Manager], Duration::ZERO).await;
    let response = send(&app(&db), request(Some(&manager))).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let status = response.json();
    assert_eq!(status["migrations_applied"], status["migrations_known"]);
    assert_eq!(status["sandbox"], true);
});

db_test!(async fn sandbox_mode_is_announced_on_every_page_and_production_never_is(db) {
    let admin = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let banner = r#"data-testid="sandbox-banner""#;
    for path in ["/login", "/", "/review", "/agents", "/audit", "/people", "/settings", "/nowhere"] {
        let sandbox = get_as(&app(&db), path, &admin).await.body;
        assert!(sandbox.contains(banner), "{path}: {sandbox}");
        let production = get_as(&production_app(&db), path, &admin).await.body;
        assert!(!production.contains(banner), "{path}: {production}");
    }
});
