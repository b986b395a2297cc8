//! The generic webhook: any endpoint that takes a JSON `POST`.
//!
//! Each request carries three headers: `X-Steward-Delivery` (stable across retries of one
//! action, so a receiver can drop repeats), `X-Steward-Timestamp` (Unix seconds) and
//! `X-Steward-Signature: v1=<hex>`, the HMAC-SHA256 with the shared signing secret of
//! `<timestamp>.<body>`. A receiver recomputes it over the raw body, compares in constant time
//! and rejects timestamps more than five minutes off, so a captured request cannot be replayed
//! later. Any 2xx answer means it was taken.

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::{
    integrations::{Escalation, Integration, IntegrationError, Outcome, exchange},
    secrets::constant_time_eq,
    time::now_ms,
};

const SYSTEM: &str = "the webhook";
/// The header with the delivery id.
pub const DELIVERY_HEADER: &str = "X-Steward-Delivery";
/// The header with the signing time.
pub const TIMESTAMP_HEADER: &str = "X-Steward-Timestamp";
/// The header with the signature.
pub const SIGNATURE_HEADER: &str = "X-Steward-Signature";
/// How far a signed timestamp may be from the receiver's clock.
pub const TOLERANCE_SECS: i64 = 300;

/// The event for `escalation`.
pub(super) fn payload(escalation: &Escalation) -> serde_json::Value {
    json!({
        "event": "steward.escalation",
        "id": escalation.correlation,
        "severity": escalation.severity,
        "title": escalation.title,
        "description": escalation.description,
        "source": escalation.source,
        "details": escalation.details,
    })
}

/// `v1=<hex>`: the signature of `body` sent at `timestamp` with `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `signature` is `secret`'s signature of `body` at `timestamp`, and the timestamp is
/// within [`TOLERANCE_SECS`] of `now_secs`.
pub fn verify(secret: &str, timestamp: i64, body: &[u8], signature: &str, now_secs: i64) -> bool {
    (now_secs - timestamp).abs() <= TOLERANCE_SECS
        && constant_time_eq(
            sign(secret, timestamp, body).as_bytes(),
            signature.as_bytes(),
        )
}

pub(super) async fn send(
    http: &reqwest::Client,
    integration: &Integration,
    payload: &serde_json::Value,
    correlation: &str,
) -> Result<Outcome, IntegrationError> {
    let body = serde_json::to_vec(payload).expect("JSON values serialise");
    let timestamp = now_ms() / 1000;
    let signature = sign(integration.secret.expose(), timestamp, &body);
    let request = http
        .post(&integration.settings.base_url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(DELIVERY_HEADER, correlation)
        .header(TIMESTAMP_HEADER, timestamp)
        .header(SIGNATURE_HEADER, signature)
        .body(body);
    let answer = exchange(SYSTEM, request, |_| None).await?;
    Ok(Outcome {
        reference: format!("HTTP {}", answer.status),
        link: None,
    })
}

#[cfg(test)]
mod tests {
    use super::{sign, verify};

    #[test]
    fn a_signature_verifies_only_for_its_body_secret_and_time() {
        let body = br#"{"event":"steward.escalation"}"#;
        let signature = sign("shh", 1_700_000_000, body);
        assert!(signature.starts_with("v1=") && signature.len() == 67);
        assert!(verify(
            "shh",
            1_700_000_000,
            body,
            &signature,
            1_700_000_100
        ));
        assert!(!verify(
            "shh",
            1_700_000_000,
            b"{}",
            &signature,
            1_700_000_100
        ));
        assert!(!verify(
            "other",
            1_700_000_000,
            body,
            &signature,
            1_700_000_100
        ));
        assert!(!verify(
            "shh",
            1_700_000_001,
            body,
            &signature,
            1_700_000_100
        ));
        assert!(!verify(
            "shh",
            1_700_000_000,
            body,
            &signature,
            1_700_000_301
        ));
    }
}
