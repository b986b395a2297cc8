//! Changing the state of an event, a draft, an action or an outbox message. Each aggregate moves
//! in one function of its own module, through the SQL in `db`, which updates a row only from a
//! state that may become the new one (see [`vocab::Lifecycle`]); anything else is refused here.

pub use vocab::{IllegalMove, Lifecycle};

/// Why a thing's state did not change.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    /// Its state does not allow the move.
    #[error(transparent)]
    Illegal(#[from] IllegalMove),
    /// There is no such thing.
    #[error("there is no {what} {id}")]
    NotFound {
        /// What was to move, e.g. `event`.
        what: &'static str,
        /// Its id.
        id: i64,
    },
    /// The database failed.
    #[error("cannot change a state")]
    Query(#[from] sqlx::Error),
}

impl crate::Classify for MoveError {
    fn is_transient(&self) -> bool {
        matches!(self, Self::Query(_))
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::Illegal(_) | Self::NotFound { .. } => Some(self.to_string()),
            Self::Query(_) => None,
        }
    }
}

/// Explains a move that changed no row: the row's state (`None`: no row) did not allow it.
pub(crate) fn refused<T: Lifecycle>(id: i64, current: Option<T>, to: T) -> MoveError {
    match current {
        Some(from) => from.illegal(id, to).into(),
        None => MoveError::NotFound { what: T::NOUN, id },
    }
}

#[cfg(test)]
mod tests;
