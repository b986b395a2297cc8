use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use domain::db_test;
use server::http::security::SecurityHeaders;

use crate::helpers::{ORIGIN, app, app_with, app_with_auth, get, send, settings};

db_test!(async fn pages_carry_a_csp_whose_nonce_matches_the_hydration_script(db) {
    let response = get(&app(&db), "/login").await;
    assert_eq!(response.status, StatusCode::OK);
    let csp = response.header("content-security-policy").to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("CSP names a nonce");
    assert!(nonce.len() >= 16);
    assert!(response.body.contains(&format!("nonce=\"{nonce}\"")), "hydration script lacks the nonce");
    for directive in ["default-src 'self'", "'wasm-unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'"] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(response.header("x-frame-options"), "DENY");
    assert_eq!(response.header("x-content-type-options"), "nosniff");
    assert!(response.headers.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");

    // A fresh nonce for every response.
    let again = get(&app(&db), "/login").await;
    assert_ne!(again.header("content-security-policy"), csp);
});

db_test!(async fn hsts_is_sent_when_served_over_https(db) {
    let mut settings = settings();
    settings.security = SecurityHeaders { hsts: true };
    let response = get(&app_with(&db, settings), "/healthz").await;
    assert!(response.header("strict-transport-security").starts_with("max-age="));
});

db_test!(async fn oversized_bodies_are_refused_with_413(db) {
    let body = vec![b'x'; 64 * 1024 + 1];
    let request = Request::post("/api/load_system_status")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, body.len())
        .header(header::ORIGIN, ORIGIN)
        .body(Body::from(body))
        .unwrap();
    let response = send(&app(&db), request).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
});

db_test!(async fn cross_origin_state_changes_are_refused(db) {
    let post = |origin: Option<&str>| {
        let mut builder = Request::post("/auth/logout");
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        builder.body(Body::empty()).unwrap()
    };
    for origin in [Some("https://evil.example"), None] {
        let response = send(&app(&db), post(origin)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{origin:?}");
    }
    let same_origin = send(&app(&db), post(Some(ORIGIN))).await;
    assert_eq!(same_origin.status, StatusCode::SEE_OTHER);
    // A same-origin Referer stands in for a missing Origin.
    let request = Request::post("/auth/logout").header(header::REFERER, format!("{ORIGIN}/")).body(Body::empty()).unwrap();
    assert_eq!(send(&app(&db), request).await.status, StatusCode::SEE_OTHER);
});

db_test!(async fn session_cookies_are_secure_when_served_over_https(db) {
    let mut settings = settings();
    settings.secure_cookies = true;
    let sign_in = server::auth::SignIn {
        client_id: "client".into(),
        client_secret: "secret".to_owned().into(),
        authorize_url: "https://webex.invalid/v1/authorize".into(),
        token_url: "https://webex.invalid/v1/access_token".into(),
        api_base: "https://webex.invalid/v1/".into(),
        redirect_url: "https://steward.example/auth/callback".into(),
        allowed_orgs: vec!["org".into()],
        sandbox: None,
        http: reqwest::Client::new(),
    };
    let auth = server::auth::AuthSettings { sign_in: Some(sign_in), max_age: std::time::Duration::from_secs(3600) };
    let response = get(&app_with_auth(&db, settings, auth), "/auth/login").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let location = response.header("location");
    assert!(location.starts_with("https://webex.invalid/v1/authorize?"), "{location}");
    assert!(location.contains("code_challenge_method=S256") && location.contains("state="), "{location}");
    let cookie = response.header("set-cookie");
    for attribute in ["steward_session=", "HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
    }
});
