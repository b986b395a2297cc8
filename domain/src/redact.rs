//! PII redaction: what is removed from message text before it reaches an AI engine, and from what
//! an engine produces before Steward posts it.
//!
//! The built-in rules cover e-mail addresses, phone numbers, payment card numbers (only digit
//! runs that pass the Luhn check, so order numbers survive), US social security numbers, IBANs,
//! and secrets that look like credentials (bearer tokens, API keys, long random strings). Admins
//! may switch built-in kinds off (never secrets) and add their own patterns in Settings; see
//! [`rules`].

pub mod rules;

use std::{borrow::Cow, collections::BTreeSet, sync::LazyLock};

use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};

pub use self::rules::{CustomRule, RedactionError, RedactionRules};

/// What kind of data a redaction removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// An e-mail address.
    Email,
    /// A payment card number.
    Card,
    /// A national identity number.
    NationalId,
    /// A bank account number.
    Iban,
    /// A phone number.
    Phone,
    /// A password, token or key.
    Secret,
    /// A match of an admin's own rule.
    Custom,
}

impl PiiKind {
    /// The built-in kinds an admin may switch off: all but secrets, which are always removed.
    pub const OPTIONAL: [Self; 5] = [
        Self::Email,
        Self::Phone,
        Self::Card,
        Self::NationalId,
        Self::Iban,
    ];

    /// What it is called in Settings.
    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "E-mail addresses",
            Self::Card => "Payment card numbers",
            Self::NationalId => "National identity numbers (US SSN)",
            Self::Iban => "Bank account numbers (IBAN)",
            Self::Phone => "Phone numbers",
            Self::Secret => "Passwords, tokens and keys",
            Self::Custom => "Custom rules",
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Card => "card",
            Self::NationalId => "national_id",
            Self::Iban => "iban",
            Self::Phone => "phone",
            Self::Secret => "secret",
            Self::Custom => "custom",
        }
    }

    /// The placeholder left in the text.
    pub fn placeholder(self) -> &'static str {
        match self {
            Self::Email => "[email]",
            Self::Card => "[card number]",
            Self::NationalId => "[national id]",
            Self::Iban => "[bank account]",
            Self::Phone => "[phone]",
            Self::Secret => "[secret]",
            Self::Custom => "[redacted]",
        }
    }
}

struct Rule {
    kind: PiiKind,
    pattern: Regex,
    /// Confirms a match the pattern alone cannot tell from innocent text.
    confirm: Option<fn(&str) -> bool>,
}

// The order matters: secrets and e-mail addresses go first so the digit rules do not chew
// pieces out of them, cards before phone numbers so a card is not mistaken for a phone.
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rule = |kind, pattern: &str, confirm| Rule {
        kind,
        pattern: Regex::new(pattern).expect("built-in redaction patterns compile"),
        confirm,
    };
    vec![
        rule(
            PiiKind::Secret,
            r"(?i)\b(?:bearer\s+[A-Za-z0-9._~+/=-]{16,}|(?:sk|pk|rk)[-_](?:live[-_]|test[-_])?[A-Za-z0-9]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,})",
            None,
        ),
        rule(
            PiiKind::Secret,
            r"(?i)\b(?:password|passwd|pwd|secret|token|api[_-]?key)\s*[:=]\s*\S+",
            None,
        ),
        rule(
            PiiKind::Secret,
            r"\b[A-Za-z0-9+/_-]{40,}={0,2}",
            Some(looks_random),
        ),
        rule(
            PiiKind::Email,
            r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b",
            None,
        ),
        rule(
            PiiKind::Iban,
            r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b",
            None,
        ),
        rule(PiiKind::Card, r"\b\d(?:[ -]?\d){12,18}\b", Some(luhn)),
        rule(PiiKind::NationalId, r"\b\d{3}-\d{2}-\d{4}\b", None),
        // International numbers start with `+`; otherwise only the unmistakable North American
        // shape counts, so runs of digit groups (order numbers, versions) are left alone.
        rule(
            PiiKind::Phone,
            r"\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){2,4}\b|\(\d{3}\)\s?\d{3}[\s.-]\d{4}\b|\b\d{3}[.-]\d{3}[.-]\d{4}\b",
            None,
        ),
    ]
});

/// Text with PII replaced by placeholders, and what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redacted {
    /// The text to pass on.
    pub text: String,
    /// What was removed, one entry per occurrence, in rule order.
    pub found: Vec<PiiKind>,
}

/// Replaces every match of the built-in rules with its placeholder.
pub fn redact(text: &str) -> Redacted {
    static DEFAULT: LazyLock<Redactor> = LazyLock::new(Redactor::default);
    DEFAULT.redact(text)
}

/// The rules in force: the built-in ones not switched off, then the admins' own.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    off: BTreeSet<PiiKind>,
    custom: Vec<(Regex, String)>,
}

impl Redactor {
    /// Compiles `rules`.
    pub fn new(rules: &RedactionRules) -> Result<Self, RedactionError> {
        let custom = rules
            .custom
            .iter()
            .enumerate()
            .map(|(i, rule)| Ok((rule.compile(i + 1)?, rule.placeholder.clone())))
            .collect::<Result<_, RedactionError>>()?;
        Ok(Self {
            off: rules
                .off
                .iter()
                .copied()
                .filter(|k| *k != PiiKind::Secret)
                .collect(),
            custom,
        })
    }

    /// Replaces every match with its placeholder.
    pub fn redact(&self, text: &str) -> Redacted {
        let mut current: Cow<'_, str> = Cow::Borrowed(text);
        let mut found = Vec::new();
        for rule in RULES.iter().filter(|r| !self.off.contains(&r.kind)) {
            let replaced = rule.pattern.replace_all(&current, |caps: &Captures<'_>| {
                let matched = &caps[0];
                if rule.confirm.is_none_or(|confirm| confirm(matched)) {
                    found.push(rule.kind);
                    rule.kind.placeholder().to_owned()
                } else {
                    matched.to_owned()
                }
            });
            if let Cow::Owned(text) = replaced {
                current = Cow::Owned(text);
            }
        }
        for (pattern, placeholder) in &self.custom {
            let replaced = pattern.replace_all(&current, |_: &Captures<'_>| {
                found.push(PiiKind::Custom);
                placeholder.clone()
            });
            if let Cow::Owned(text) = replaced {
                current = Cow::Owned(text);
            }
        }
        Redacted {
            text: current.into_owned(),
            found,
        }
    }
}

/// The Luhn checksum that every payment card number passes.
fn luhn(candidate: &str) -> bool {
    let digits: Vec<u32> = candidate.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Long strings that mix letters and digits read as keys; long words or paths do not.
fn looks_random(candidate: &str) -> bool {
    let digits = candidate.chars().filter(char::is_ascii_digit).count();
    let upper = candidate.chars().filter(char::is_ascii_uppercase).count();
    let lower = candidate.chars().filter(char::is_ascii_lowercase).count();
    digits >= 4 && upper + lower >= 8 && !candidate.contains("__")
}

#[cfg(test)]
mod tests {
    use super::{PiiKind, luhn, redact};

    #[test]
    fn personal_data_is_replaced_by_placeholders() {
        let redacted = redact(
            "Mail jane.doe@example.com or call +1 415-555-0132. Card 4111 1111 1111 1111, \
             SSN 123-45-6789, IBAN DE89 3704 0044 0532 0130 00.",
        );
        assert_eq!(
            redacted.text,
            "Mail [email] or call [phone]. Card [card number], SSN [national id], IBAN [bank account]."
        );
        assert_eq!(
            redacted.found,
            vec![
                PiiKind::Email,
                PiiKind::Iban,
                PiiKind::Card,
                PiiKind::NationalId,
                PiiKind::Phone
            ]
        );
    }

    #[test]
    fn credentials_are_removed() {
        for text in [
            "use Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc",
            "key sk-live-ABCdef0123456789ABCdef01",
            "aws AKIAIOSFODNN7EXAMPLE please",
            "password: hunter2!",
            "the token is 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ] {
            let redacted = redact(text);
            assert!(
                redacted.found.contains(&PiiKind::Secret),
                "{text} -> {}",
                redacted.text
            );
            assert!(redacted.text.contains("[secret]"), "{}", redacted.text);
        }
    }

    #[test]
    fn ordinary_numbers_and_names_survive() {
        for text in [
            "Disk usage above 95% on web-01 (/var): 97.2% used.",
            "Order 1234 5678 9012 3456 shipped",
            "The beta launches on March 14 for 200 customers.",
            "see /var/log/nginx/access.log and the falcon_beta_feature_flag_rollout_plan",
            "ERR_TOKEN_EXPIRED from 10.20.7.4 on auth-01",
        ] {
            let redacted = redact(text);
            assert_eq!(redacted.text, text);
            assert!(redacted.found.is_empty());
        }
    }

    #[test]
    fn luhn_accepts_card_numbers_only() {
        assert!(luhn("4111 1111 1111 1111"));
        assert!(luhn("5500-0000-0000-0004"));
        assert!(!luhn("4111 1111 1111 1112"));
        assert!(!luhn("1234"));
    }
}
