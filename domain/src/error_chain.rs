//! Rendering an error with its causes, for logs.

use std::error::Error;

/// `error: cause: cause of cause`, so one log line says what failed and why.
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
