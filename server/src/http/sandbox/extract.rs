//! Extractors that turn bad requests into Webex's error shapes instead of axum's defaults.

use axum::{
    extract::{FromRequest, FromRequestParts, Query, Request},
    http::{header, request::Parts},
};
use serde::de::DeserializeOwned;
use webex_sandbox::{Caller, SandboxError};

use crate::http::sandbox::{ApiError, SandboxState};

/// The authenticated caller, from `Authorization: Bearer …`; 401 otherwise.
pub struct SandboxCaller(pub Caller);

impl FromRequestParts<SandboxState> for SandboxCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SandboxState,
    ) -> Result<Self, Self::Rejection> {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        Ok(Self(state.sandbox.authenticate(authorization).await?))
    }
}

/// A JSON body: 415 unless the content type is JSON, 400 when it does not parse.
pub struct WebexJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for WebexJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if mime != "application/json" {
            let shown = if content_type.is_empty() {
                "none".to_owned()
            } else {
                content_type
            };
            return Err(ApiError(SandboxError::new(
                415,
                format!("Content type '{shown}' not supported"),
            )));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError(SandboxError::new(e.status().as_u16(), e.body_text())))?;
        serde_json::from_slice(&bytes).map(Self).map_err(|e| {
            ApiError(SandboxError::bad_request(format!(
                "Could not parse the request body: {e}"
            )))
        })
    }
}

/// Query parameters: 400 with Webex's body when they do not parse.
pub struct WebexQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for WebexQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| Self(q))
            .map_err(|e| ApiError(SandboxError::bad_request(e.body_text())))
    }
}
