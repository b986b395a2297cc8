//! Response headers that protect the console in the browser, including a Content-Security-Policy
//! with a fresh nonce per response that the page's own inline scripts carry.

use app::state::CspNonce;
use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::nonce::Nonce;

/// Which optional protections apply.
#[derive(Clone, Debug, Default)]
pub struct SecurityHeaders {
    /// Send `Strict-Transport-Security` (only when served over HTTPS).
    pub hsts: bool,
}

/// Adds the security headers to every response and hands the CSP nonce to the page renderer.
pub async fn headers(
    State(policy): State<SecurityHeaders>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new().to_string();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let csp = content_security_policy(&nonce);
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if policy.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Scripts only from Steward itself or carrying this response's nonce; WebAssembly may compile
/// (`wasm-unsafe-eval`, which does not allow JavaScript `eval`); no framing, plugins or foreign
/// form targets.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Refuses state-changing requests (anything but GET, HEAD and OPTIONS) whose `Origin` (or, when
/// a browser sends none, `Referer`) is not Steward's own, so another site cannot make a signed-in
/// browser act on Steward. The sandbox's APIs are exempt: they authenticate with bearer tokens,
/// basic auth or signatures, which browsers never attach on their own.
pub async fn check_origin(
    State(expected): State<String>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path();
    if safe || path.starts_with("/sandbox/v1/") || path.starts_with("/sandbox/integrations/") {
        return next.run(request).await;
    }
    let headers = request.headers();
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            let referer = headers.get(header::REFERER)?.to_str().ok()?;
            url::Url::parse(referer)
                .ok()
                .map(|u| u.origin().ascii_serialization())
        });
    if origin.as_deref() == Some(expected.as_str()) {
        next.run(request).await
    } else {
        tracing::warn!(origin = ?origin, "refused a cross-origin request");
        (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response()
    }
}
