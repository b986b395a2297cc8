//! The Settings page's server functions through the real router: bad input is a field error that
//! changes nothing, secrets go in and never come out, and the page renders on the server.

use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use domain::{
    credentials, db_test,
    integrations::{self, IntegrationKind},
    retention,
    users::Role,
};
use serde_json::Value;

use crate::helpers::{ORIGIN, TestResponse, app, get_as, send, session_cookie};

async fn call(app: &axum::Router, cookie: &str, function: &str, form: &str) -> TestResponse {
    let request = Request::post(format!("/api/{function}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", ORIGIN)
        .header("cookie", cookie)
        .body(Body::from(form.to_owned()))
        .unwrap();
    send(app, request).await
}

fn field_error(response: &TestResponse) -> (String, String) {
    let error: Value = response.json();
    let field = &error["Field"];
    (
        field[0].as_str().unwrap_or_default().to_owned(),
        field[1].as_str().unwrap_or_default().to_owned(),
    )
}

db_test!(async fn bad_settings_are_field_errors_and_change_nothing(db) {
    let app = app(&db);
    let cookie = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;

    let response = call(&app, &cookie, "save_integration", "kind=servicenow&base_url=not+a+url&username=u&secret=pw").await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(field_error(&response), ("servicenow.base_url".to_owned(), "Enter an absolute http:// or https:// URL.".to_owned()));
    let response = call(&app, &cookie, "save_integration", "kind=pagerduty&base_url=https%3A%2F%2Fevents.pagerduty.com&secret=short").await;
    assert_eq!(field_error(&response).0, "pagerduty.secret");
    let response = call(&app, &cookie, "save_integration", "kind=jira&base_url=https%3A%2F%2Facme.atlassian.net&username=ops%40acme.example&project=ops&secret=").await;
    assert_eq!(field_error(&response), ("jira.secret".to_owned(), "Enter the API token.".to_owned()));
    let response = call(&app, &cookie, "save_escalation_target", "target=jira").await;
    assert_eq!(field_error(&response), ("target".to_owned(), "Set up Jira first.".to_owned()));
    let response = call(&app, &cookie, "save_ai_provider", "provider=openai&base_url=https%3A%2F%2Fapi.example.com%2Fv1&model=m").await;
    assert_eq!(field_error(&response).0, "api_key");
    let response = call(&app, &cookie, "save_retention", "days=forever").await;
    assert_eq!(field_error(&response).0, "days");
    let response = call(&app, &cookie, "save_redaction", "custom=%5Bx%5D+%3D+a*").await;
    assert_eq!(field_error(&response), ("custom".to_owned(), "line 1: the pattern matches empty text".to_owned()));
    let response = call(&app, &cookie, "save_review_space", "room_id=nope").await;
    assert_eq!(field_error(&response).0, "room_id");
    let response = call(&app, &cookie, "save_disclosure", "generated=AI+wrote+this&reviewed=Checked").await;
    assert_eq!(field_error(&response), ("reviewed".to_owned(), "include {reviewer}, where the reviewer's name goes".to_owned()));
    let response = call(&app, &cookie, "save_disclosure", "generated=+&reviewed=by+%7Breviewer%7D").await;
    assert_eq!(field_error(&response).0, "generated");

    assert!(integrations::statuses(&db).await.unwrap().iter().all(|s| s.settings.is_none() && !s.secret_set));
    assert_eq!(retention::days(&db).await.unwrap(), None);
    assert!(credentials::set_names(&db).await.unwrap().is_empty());
    let changes = domain::audit::recent(&db, 50).await.unwrap();
    assert!(changes.iter().all(|e| !e.action.starts_with("setting.") && !e.action.starts_with("credential.")), "{changes:?}");
});

db_test!(async fn a_saved_secret_is_used_but_never_shown(db) {
    let app = app(&db);
    let cookie = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let response = call(&app, &cookie, "save_integration", "kind=webhook&base_url=https%3A%2F%2Fhooks.example.com%2Fsteward&secret=whsec-very-secret").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let stored = integrations::load(&db, IntegrationKind::Webhook).await.unwrap().unwrap();
    assert_eq!(stored.secret.expose(), "whsec-very-secret");
    // Saving again without a secret keeps it.
    let response = call(&app, &cookie, "save_integration", "kind=webhook&base_url=https%3A%2F%2Fhooks.example.com%2Fv2&secret=").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let stored = integrations::load(&db, IntegrationKind::Webhook).await.unwrap().unwrap();
    assert_eq!((stored.settings.base_url.as_str(), stored.secret.expose()), ("https://hooks.example.com/v2", "whsec-very-secret"));

    let loaded = call(&app, &cookie, "load_settings", "").await;
    assert!(loaded.body.contains("hooks.example.com/v2"));
    assert!(!loaded.body.contains("whsec-very-secret"));
    let page = get_as(&app, "/settings", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<title>Settings · Steward</title>"));
    assert!(!page.body.contains("whsec-very-secret"));
    let audit = serde_json::to_string(&domain::audit::recent(&db, 50).await.unwrap()).unwrap();
    assert!(audit.contains("credential.set") && !audit.contains("whsec-very-secret"));

    let preview = call(&app, &cookie, "preview_redaction", "kinds%5Bphone%5D=on&custom=%5Bticket%5D+%3D+TCK-%5Cd%2B&sample=mail+a%40b.example+about+TCK-42").await;
    assert_eq!(preview.json(), Value::String("mail a@b.example about [ticket]".into()));
});

db_test!(async fn the_ai_disclosure_wording_is_saved_audited_and_shown(db) {
    let app = app(&db);
    let cookie = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let response = call(&app, &cookie, "save_disclosure", "generated=Written+by+AI.&reviewed=Written+by+AI%2C+checked+by+%7Breviewer%7D.").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let wording = domain::disclosure::get(&db).await.unwrap();
    assert_eq!(wording.line(Some("Riley")), "Written by AI, checked by Riley.");
    let html = get_as(&app, "/settings", &cookie).await.body;
    assert!(html.contains(r#"value="Written by AI.""#), "{html}");
    let entry = &domain::audit::recent(&db, 1).await.unwrap()[0];
    assert_eq!((entry.action.as_str(), entry.target.as_str()), ("setting.update", "setting:ai.disclosure"));
});

db_test!(async fn a_credential_never_follows_an_address_to_another_site_and_can_be_cleared(db) {
    let app = app(&db);
    let cookie = session_cookie(&db, "admin@example.com", &[Role::Admin], Duration::ZERO).await;
    let response = call(&app, &cookie, "save_integration", "kind=webhook&base_url=https%3A%2F%2Fhooks.example.com%2Fsteward&secret=whsec-very-secret").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    // Another site without the secret: refused, and nothing changes.
    let response = call(&app, &cookie, "save_integration", "kind=webhook&base_url=https%3A%2F%2Fcollector.example.net%2Fsteward&secret=").await;
    let (field, message) = field_error(&response);
    assert_eq!(field, "webhook.secret");
    assert!(message.contains("https://collector.example.net instead of https://hooks.example.com"), "{message}");
    let stored = integrations::load(&db, IntegrationKind::Webhook).await.unwrap().unwrap();
    assert_eq!(stored.settings.base_url, "https://hooks.example.com/steward");

    // The AI provider's key does not follow its address either.
    let response = call(&app, &cookie, "save_ai_provider", "provider=openai&base_url=https%3A%2F%2Fapi.example.com%2Fv1&model=m&api_key=sk-test-0123456789abcdef").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let response = call(&app, &cookie, "save_ai_provider", "provider=openai&base_url=https%3A%2F%2Fllm.example.net%2Fv1&model=m").await;
    assert_eq!(field_error(&response).0, "api_key");

    // Clearing a credential leaves nothing to send, and says so in the audit log.
    let response = call(&app, &cookie, "clear_credential", "owner=webhook").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(integrations::load(&db, IntegrationKind::Webhook).await.unwrap().is_none());
    let response = call(&app, &cookie, "clear_credential", "owner=ai").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(credentials::set_names(&db).await.unwrap().is_empty());
    let cleared = domain::audit::recent(&db, 2).await.unwrap();
    assert!(cleared.iter().all(|e| e.action == "credential.clear"), "{cleared:?}");
    let response = call(&app, &cookie, "clear_credential", "owner=nothing").await;
    assert_eq!(field_error(&response).0, "owner");
});
