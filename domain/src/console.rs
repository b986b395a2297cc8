//! Read models of the governance console: what each page shows, read with a fixed number of
//! queries however much the page holds. A server function calls one of these and maps the result
//! to its page's data; changes go through the aggregates (`policy`, `prompts`, `drafts`, …).

pub mod actions;
pub mod agents;
pub mod audit;
mod names;
pub mod prompts;
pub mod review;
pub mod settings;

pub use names::Names;

use crate::Classify;

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The page asks for something that does not exist, e.g. a prompt version.
    #[error("{0}")]
    NotFound(String),
    /// Steward's storage (or another system it reads) failed.
    #[error("cannot read the page")]
    Failed {
        /// Whether trying again may help.
        transient: bool,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ReadError {
    fn failed(error: impl Classify + Send + Sync) -> Self {
        Self::Failed {
            transient: error.is_transient(),
            source: Box::new(error),
        }
    }
}

/// `From` for the errors of what the read models read.
macro_rules! read_errors {
    ($($error:ty),+ $(,)?) => {
        $(
            impl From<$error> for ReadError {
                fn from(error: $error) -> Self {
                    Self::failed(error)
                }
            }
        )+
    };
}

read_errors!(
    sqlx::Error,
    crate::actions::ActionError,
    crate::audit::AuditError,
    crate::credentials::CredentialError,
    crate::drafts::DraftError,
    crate::graduation::GraduationError,
    crate::integrations::IntegrationError,
    crate::policy::PolicyError,
    crate::prompts::PromptError,
    crate::settings::SettingsError,
);

/// One page of a list read in id order: `limit` items, and where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The cursor of the next page, when there is one.
    pub next: Option<i64>,
}

impl<T> Page<T> {
    /// A page from up to `limit + 1` items read: the extra one only says there is more.
    pub(crate) fn of(mut items: Vec<T>, limit: i64, cursor: impl Fn(&T) -> i64) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = items.len() > limit;
        items.truncate(limit);
        let next = more.then(|| items.last().map(&cursor)).flatten();
        Self { items, next }
    }
}

impl Classify for ReadError {
    fn is_transient(&self) -> bool {
        match self {
            Self::NotFound(_) => false,
            Self::Failed { transient, .. } => *transient,
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::NotFound(message) => Some(message.clone()),
            Self::Failed { .. } => None,
        }
    }
}
