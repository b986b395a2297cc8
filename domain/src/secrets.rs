//! Comparing secrets without leaking, through timing, how much of a guess was right.

use subtle::ConstantTimeEq;

/// Whether `a` and `b` are equal, in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn equal_only_when_bytes_and_lengths_match() {
        assert!(constant_time_eq(b"state-123", b"state-123"));
        assert!(!constant_time_eq(b"state-123", b"state-124"));
        assert!(!constant_time_eq(b"state-123", b"state-12"));
        assert!(constant_time_eq(b"", b""));
    }
}
