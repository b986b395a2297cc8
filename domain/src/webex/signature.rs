//! Webhook signatures: `X-Spark-Signature` is the lowercase hex HMAC-SHA1 of the exact request
//! body, keyed with the webhook's secret. Verification works on the raw bytes, never on
//! re-serialised JSON, and compares in constant time.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The header Webex signs deliveries with.
pub const SIGNATURE_HEADER: &str = "x-spark-signature";

type HmacSha1 = Hmac<Sha1>;

/// The signature Webex sends for `body` under `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = HmacSha1::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `signature` (the header's value) is the signature of exactly `body` under `secret`.
pub fn verify(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature.trim()) else {
        return false;
    };
    let mut mac = HmacSha1::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::{sign, verify};

    #[test]
    fn signature_is_lowercase_hex_hmac_sha1() {
        // RFC 2202 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn only_the_exact_bytes_verify() {
        let body = br#"{"id":"abc","data":{"id":"m1"}}"#;
        let signature = sign(b"secret", body);
        assert!(verify(b"secret", body, &signature));
        assert!(verify(b"secret", body, &signature.to_uppercase()));
        // The same JSON with other whitespace is another message.
        assert!(!verify(
            b"secret",
            br#"{"id": "abc", "data": {"id": "m1"}}"#,
            &signature
        ));
        assert!(!verify(b"other", body, &signature));
        assert!(!verify(b"secret", body, "not hex"));
        assert!(!verify(b"secret", body, ""));
    }
}
