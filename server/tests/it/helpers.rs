//! Builds the real router over a test database and sends it requests in-process.

use std::time::Duration;

use app::state::AppState;
use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, Response, StatusCode},
};
use domain::Db;
use http_body_util::BodyExt;
use server::http::{HttpSettings, ServerState, router, security::SecurityHeaders};
use tower::ServiceExt;

/// The router as `steward serve` builds it, over `db`.
pub fn app(db: &Db) -> Router {
    app_with(db, settings())
}

pub fn settings() -> HttpSettings {
    HttpSettings {
        max_body_bytes: 64 * 1024,
        request_timeout: Duration::from_secs(10),
        security: SecurityHeaders::default(),
    }
}

pub fn app_with(db: &Db, settings: HttpSettings) -> Router {
    let state = ServerState {
        leptos_options: leptos::prelude::LeptosOptions::builder()
            .output_name("steward")
            .site_root("target/site")
            .build(),
        app: AppState {
            db: db.clone(),
            sandbox: true,
        },
        metrics: server::telemetry::metrics_handle(),
        sandbox: None,
    };
    router(state, &settings)
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
    TestResponse {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn get(app: &Router, uri: &str) -> TestResponse {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}
