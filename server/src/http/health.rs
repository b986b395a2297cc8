//! `/healthz` (the process answers) and `/readyz` (it can serve: database reachable, schema
//! current), for load balancers and orchestrators.

use std::time::Duration;

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;

use crate::http::ServerState;

/// How long readiness waits for the database before calling it unreachable.
const READINESS_TIMEOUT: Duration = Duration::from_secs(3);

/// Always 200 while the process serves HTTP.
pub async fn healthz() -> &'static str {
    "ok"
}

/// 200 with the database's state when Steward can serve; 503 with the reason when it cannot.
pub async fn readyz(State(state): State<ServerState>) -> impl IntoResponse {
    let db = &state.app.db;
    let backend = db.backend().as_str();
    match tokio::time::timeout(READINESS_TIMEOUT, db.readiness()).await {
        Ok(Ok(readiness)) => {
            let ready = readiness.is_ready();
            let body = json!({
                "status": if ready { "ready" } else { "not_ready" },
                "database": {
                    "backend": backend,
                    "reachable": true,
                    "migrations": {
                        "applied": readiness.migrations_applied,
                        "known": readiness.migrations_known,
                    },
                },
                "reason": (!ready).then_some("database migrations are pending; run `steward migrate`"),
            });
            let status = if ready {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            (status, Json(body))
        }
        Ok(Err(error)) => {
            tracing::warn!(error = %domain::error_chain(&error), "readiness check failed");
            not_ready(
                backend,
                "the database did not answer or its schema could not be read",
            )
        }
        Err(_) => {
            tracing::warn!(timeout = ?READINESS_TIMEOUT, "readiness check timed out");
            not_ready(backend, "the database did not answer in time")
        }
    }
}

fn not_ready(backend: &str, reason: &str) -> (StatusCode, Json<serde_json::Value>) {
    let body = json!({
        "status": "not_ready",
        "database": { "backend": backend, "reachable": false },
        "reason": reason,
    });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body))
}
