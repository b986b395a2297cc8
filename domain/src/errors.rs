//! What all of Steward's errors share: a log line with every cause, and whether trying again may
//! help.

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

/// What kind of failure an error is: whether the same request may succeed later (a database
/// blip, a 5xx, a time-out) or never will, and whether it is a refusal meant for the person who
/// asked (bad input, something missing, a state that does not allow it). The runtime retries
/// transient failures and dead-letters the rest; the console shows a refusal in words and
/// anything else as "try again".
pub trait Classify: Error + 'static {
    /// Whether trying again later may succeed.
    fn is_transient(&self) -> bool;

    /// The refusal in words for the person who asked, when the error is one.
    fn refusal(&self) -> Option<String> {
        None
    }
}

impl Classify for sqlx::Error {
    /// Data that does not decode stays undecodable; everything else (connections, pools, the
    /// server's own errors) may pass.
    fn is_transient(&self) -> bool {
        !matches!(
            self,
            sqlx::Error::ColumnDecode { .. }
                | sqlx::Error::Decode(_)
                | sqlx::Error::TypeNotFound { .. }
                | sqlx::Error::ColumnNotFound(_)
                | sqlx::Error::ColumnIndexOutOfBounds { .. }
                | sqlx::Error::Configuration(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{Classify, error_chain};

    #[test]
    fn the_chain_names_every_cause() {
        let io = std::io::Error::other("disk full");
        let outer = sqlx::Error::Io(io);
        assert!(
            error_chain(&outer).ends_with("disk full"),
            "{}",
            error_chain(&outer)
        );
    }

    #[test]
    fn connection_trouble_passes_and_bad_data_stays() {
        assert!(sqlx::Error::PoolTimedOut.is_transient());
        let corrupt = sqlx::Error::ColumnDecode {
            index: "drafts.state".into(),
            source: "`x` is not a draft state".into(),
        };
        assert!(!corrupt.is_transient());
    }
}
