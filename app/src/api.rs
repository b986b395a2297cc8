//! Server functions and the data they return. Each function authorises, calls one `domain`
//! function, and maps the result to a DTO defined here; no SQL and no business rules.

pub mod actions;
pub mod agents;
pub mod audit;
pub mod people;
pub mod prompts;
pub mod review;
pub mod sandbox;
pub mod session;
pub mod settings;
pub mod status;

/// A term of the vocabulary from a form or an address; another value is refused with the names
/// that would do.
#[cfg(feature = "ssr")]
pub(crate) fn term<T: vocab::Term>(text: &str) -> Result<T, crate::error::ConsoleError> {
    text.parse()
        .map_err(|e: vocab::UnknownTerm| crate::error::ConsoleError::invalid(e.to_string()))
}

/// Percent-encodes a value for a URL's query string.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
