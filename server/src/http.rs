//! The HTTP surface: one axum router serving the console (Leptos pages and server functions),
//! its static files, and the operational endpoints, behind one stack of middleware.

pub mod audit_export;
pub mod health;
pub mod limits;
pub mod metrics;
pub mod sandbox;
pub mod security;
pub mod webhooks;

use std::{sync::OnceLock, time::Duration};

use app::{App, shell, state::AppState};
use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, FromRef},
    http::{HeaderValue, Request, StatusCode, header},
    middleware,
    response::Response,
    routing::get,
};
use leptos::prelude::{LeptosOptions, provide_context};
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use metrics_exporter_prometheus::PrometheusHandle;
use tower::ServiceBuilder;
use tower_http::{
    LatencyUnit,
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::{ServeDir, ServeFile},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{
    auth::{self, AuthSettings, SESSION_COOKIE},
    config::Config,
    http::security::SecurityHeaders,
    sessions::DbSessionStore,
};

/// Limits and policies of the HTTP layer, taken from [`Config`].
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Largest request body; larger ones get 413.
    pub max_body_bytes: usize,
    /// Longest a request may take; slower ones get 408.
    pub request_timeout: Duration,
    /// Response headers that protect the console in the browser.
    pub security: SecurityHeaders,
    /// `scheme://host[:port]` people reach Steward at; state-changing requests must come from it.
    pub public_origin: String,
    /// Console session cookies are `Secure` (served over HTTPS).
    pub secure_cookies: bool,
    /// Inactivity after which a session ends.
    pub session_idle: Duration,
}

impl HttpSettings {
    /// The settings a configuration asks for.
    pub fn from_config(config: &Config) -> Self {
        Self {
            max_body_bytes: config.max_body_bytes,
            request_timeout: config.request_timeout,
            security: SecurityHeaders {
                hsts: config.served_over_https(),
            },
            public_origin: config.public_url.origin().ascii_serialization(),
            secure_cookies: config.served_over_https(),
            session_idle: config.session_idle,
        }
    }
}

/// Everything a request handler can reach.
#[derive(Clone)]
pub struct ServerState {
    /// Where the console's built files are and how they are named.
    pub leptos_options: LeptosOptions,
    /// What the console's server functions read.
    pub app: AppState,
    /// Renders the Prometheus exposition at `/metrics`.
    pub metrics: PrometheusHandle,
    /// The built-in Webex sandbox, in sandbox mode.
    pub sandbox: Option<sandbox::SandboxState>,
    /// Sign-in and session rules.
    pub auth: AuthSettings,
    /// Where Webex delivers events; `None` serves no webhook route.
    pub webhooks: Option<webhooks::WebhookIngress>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos_options.clone()
    }
}

/// Builds the whole router. Tests call this and drive it with `oneshot`, so what they exercise
/// is exactly what `steward serve` serves.
pub fn router(state: ServerState, settings: &HttpSettings) -> Router {
    let app_state = state.app.clone();
    let provide_app_state = move || provide_context(app_state.clone());
    let options = state.leptos_options.clone();
    let pkg_dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let favicon = format!("{}/favicon.svg", options.site_root);
    let webhook_routes = limits::limited(
        state
            .webhooks
            .clone()
            .map(webhooks::routes)
            .unwrap_or_default(),
        limits::WEBHOOKS,
    );

    let mut router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render));
    if let Some(sandbox) = &state.sandbox {
        router = router.nest_service("/sandbox/v1", sandbox::routes(sandbox.clone()));
        router = router.nest_service(
            "/sandbox/integrations",
            sandbox::integrations::routes(sandbox.sandbox.clone(), sandbox.integrations_url()),
        );
    }
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.app.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(settings.session_idle).unwrap_or(time::Duration::HOUR),
        ))
        // The stored expiry must move with activity, or the idle time-out would count from
        // sign-in; so every request that loads a session saves it again.
        .with_always_save(true);
    router
        .merge(limits::limited(auth::routes(), limits::SIGN_IN))
        .merge(audit_export::routes())
        .leptos_routes_with_context(
            &state,
            console_routes(),
            provide_app_state.clone(),
            move || shell(options.clone()),
        )
        .fallback(file_and_error_handler_with_context::<ServerState, _>(
            provide_app_state,
            shell,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), auth::guard))
        .layer(sessions)
        // Static files are added after the session layers: serving the bundle should not read
        // and re-save the session three times per page view.
        .nest_service(
            "/pkg",
            ServiceBuilder::new()
                .layer(middleware::from_fn(static_cache))
                .service(
                    ServeDir::new(&pkg_dir)
                        .precompressed_gzip()
                        .precompressed_br(),
                ),
        )
        .route_service("/favicon.svg", ServeFile::new(&favicon))
        .layer(middleware::from_fn_with_state(
            settings.public_origin.clone(),
            security::check_origin,
        ))
        // Webex authenticates with a signature, not a session, and sends no Origin: the webhook
        // route sits outside the session and origin layers, inside the tracing and limits.
        .merge(webhook_routes)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(drop_unusable_request_id))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_request(())
                        .on_response(
                            DefaultOnResponse::new()
                                .level(Level::INFO)
                                .latency_unit(LatencyUnit::Millis),
                        ),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                // Pages and answers go out compressed when the client accepts it; the bundle's
                // files are compressed at build time and sent as they are.
                .layer(CompressionLayer::new())
                .layer(middleware::from_fn(metrics::track))
                .layer(middleware::from_fn_with_state(
                    settings.security.clone(),
                    security::headers,
                ))
                // Checks Content-Length up front and counts streamed bytes, for every route;
                // `DefaultBodyLimit` tells axum's own extractors the same limit.
                .layer(RequestBodyLimitLayer::new(settings.max_body_bytes))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    settings.request_timeout,
                ))
                .layer(DefaultBodyLimit::max(settings.max_body_bytes)),
        )
        .with_state(state)
}

/// Bundle files named by the hash of their content never change, so browsers keep them for a
/// year; anything else under `/pkg` (a debug build's files) is checked on every use.
async fn static_cache(request: Request<Body>, next: middleware::Next) -> Response {
    let immutable = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let policy = if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Whether a file name carries a content hash: `name.<16 hex digits>.ext`.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let mut parts = file.split('.');
    let (Some(_), Some(hash), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The console's routes, discovered once per process. Discovery renders the application in a
/// special mode, and doing that while another request renders races inside Leptos and can leave
/// that request hanging; computing the list once, before anything is served, avoids the overlap
/// (and the repeated work when tests build many routers).
fn console_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Keeps a client's `x-request-id` only when it looks like an id (at most 64 letters, digits,
/// `-`, `_`, `.` or `:`), so that a client cannot write spaces, quotes or fake fields into log
/// lines; an unusable one is replaced by a fresh UUID.
async fn drop_unusable_request_id(mut request: Request<Body>, next: middleware::Next) -> Response {
    let usable = |id: &[u8]| {
        (1..=64).contains(&id.len())
            && id
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    };
    if let Some(id) = request.headers().get("x-request-id")
        && !usable(id.as_bytes())
    {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

/// One span per request with its id, method and path. The query string is left out on purpose:
/// OAuth codes and similar secrets travel there.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_content_hashed_names_are_kept_for_good() {
        assert!(is_hashed("/steward.0123456789abcdef.wasm"));
        assert!(is_hashed("/pkg/steward.0123456789abcdef.css.br"));
        assert!(!is_hashed("/steward.css"));
        assert!(!is_hashed("/steward_bg.wasm"));
        assert!(!is_hashed("/steward.0123456789abcdeg.js"));
        assert!(!is_hashed("/steward.0123.js"));
    }
}
