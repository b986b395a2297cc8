//! Builds the real router over a test database and sends it requests in-process.

use std::{sync::Arc, time::Duration};

use app::state::AppState;
use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, Response, StatusCode},
};
use domain::{
    Db,
    audit::Actor,
    users::{self, EmailAddress, Role, WebexProfile},
};
use http_body_util::BodyExt;
use server::{
    auth::AuthSettings,
    http::{
        HttpSettings, ServerState, router, security::SecurityHeaders, webhooks::WebhookIngress,
    },
    runtime::Ingest,
    sessions::DbSessionStore,
};
use tower::ServiceExt;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
};

/// The router as `steward serve` builds it, over `db`.
pub fn app(db: &Db) -> Router {
    app_with(db, settings())
}

/// The origin the test router believes it is served at.
pub const ORIGIN: &str = "http://steward.test";

pub fn settings() -> HttpSettings {
    HttpSettings {
        max_body_bytes: 64 * 1024,
        request_timeout: Duration::from_secs(10),
        security: SecurityHeaders::default(),
        public_origin: ORIGIN.to_owned(),
        secure_cookies: false,
        session_idle: Duration::from_secs(3600),
    }
}

pub fn no_sign_in() -> AuthSettings {
    AuthSettings {
        sign_in: None,
        max_age: Duration::from_secs(12 * 3600),
    }
}

/// A session cookie for someone with `roles`, as if they had signed in `age` ago.
pub async fn session_cookie(db: &Db, email: &str, roles: &[Role], age: Duration) -> String {
    let email = EmailAddress::parse(email).unwrap();
    for role in roles {
        users::grant_role(db, &email, *role, &Actor::system("test"))
            .await
            .unwrap();
    }
    let profile = WebexProfile {
        email: email.clone(),
        display_name: "Test Person".into(),
        person_id: format!("person-{email}"),
        org_id: "org".into(),
    };
    let (user, _) = users::sign_in(db, &profile).await.unwrap();
    let signed_in_ms = domain::time::now_ms() - i64::try_from(age.as_millis()).unwrap();
    let mut data = std::collections::HashMap::new();
    data.insert(
        "user".to_owned(),
        serde_json::json!({ "user_id": user.id, "signed_in_ms": signed_in_ms }),
    );
    let mut record = Record {
        id: Id::default(),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    DbSessionStore::new(db.clone())
        .create(&mut record)
        .await
        .unwrap();
    format!("steward_session={}", record.id)
}

/// A GET with a session cookie.
pub async fn get_as(app: &Router, uri: &str, cookie: &str) -> TestResponse {
    send(
        app,
        Request::get(uri)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// The router as `steward serve` builds it outside sandbox mode.
pub fn production_app(db: &Db) -> Router {
    let mut state = state(db, no_sign_in(), None);
    state.app.sandbox = None;
    router(state, &settings())
}

pub fn app_with(db: &Db, settings: HttpSettings) -> Router {
    app_with_auth(db, settings, no_sign_in())
}

pub fn app_with_auth(db: &Db, settings: HttpSettings, auth: AuthSettings) -> Router {
    router(state(db, auth, None), &settings)
}

/// The router with the webhook route, and the ingest behind it.
pub async fn webhook_app(db: &Db) -> (Router, Ingest) {
    let ingest = Ingest::open(db).await.unwrap();
    let ingress = WebhookIngress {
        secrets: ingest.secrets.clone(),
        ingestor: ingest.ingestor.clone(),
        bot_id: Arc::clone(&ingest.bot_id),
    };
    (
        router(state(db, no_sign_in(), Some(ingress)), &settings()),
        ingest,
    )
}

fn state(db: &Db, auth: AuthSettings, webhooks: Option<WebhookIngress>) -> ServerState {
    ServerState {
        leptos_options: leptos::prelude::LeptosOptions::builder()
            .output_name("steward")
            .site_root("target/site")
            .build(),
        app: AppState {
            db: db.clone(),
            sandbox: Some(webex_sandbox::Sandbox::new(db.clone())),
            sign_in_available: false,
            spaces: None,
        },
        metrics: server::telemetry::metrics_handle(),
        sandbox: None,
        auth,
        webhooks,
    }
}

/// A response with its body read.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn send(app: &Router, request: Request<Body>) -> TestResponse {
    let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&bytes);
    let html = parts
        .headers
        .get("content-type")
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    TestResponse {
        status: parts.status,
        headers: parts.headers,
        body: if html {
            without_hydration_marks(&body)
        } else {
            body.into_owned()
        },
    }
}

/// HTML without the empty comments (`<!>`) Leptos puts after dynamic text for hydration, so
/// assertions read the markup as a person's browser shows it.
pub fn without_hydration_marks(html: &str) -> String {
    html.replace("<!>", "")
}

pub async fn get(app: &Router, uri: &str) -> TestResponse {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}
