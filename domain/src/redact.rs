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
        // Google API keys, and JSON Web Tokens (header.payload.signature, the header starting
        // `{"` in base64url) with or without "Bearer".
        rule(
            PiiKind::Secret,
            r"\bAIza[0-9A-Za-z_-]{35}\b|\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
            None,
        ),
        // `password: x`, `pw=x`, `the password is x`, `passcode is x`.
        rule(
            PiiKind::Secret,
            r"(?i)\b(?:password|passwd|passcode|pwd|pw|secret|token|api[_-]?key)\s*(?:[:=]|\bis\b)\s*\S+",
            None,
        ),
        rule(
            PiiKind::Secret,
            r"\b[A-Za-z0-9+/_-]{40,}={0,2}",
            Some(looks_random),
        ),
        // Hex keys (32 digits and more: 128-bit keys, API secrets, hashes of them).
        rule(
            PiiKind::Secret,
            r"\b[0-9a-fA-F]{32,}\b",
            Some(has_hex_letters_and_digits),
        ),
        // Backslashes are allowed inside, so an address already escaped for markdown
        // (`jane\_doe@…`) is still found whole.
        rule(
            PiiKind::Email,
            r"(?i)\b[a-z0-9._%+\\-]+@[a-z0-9.-]+\.[a-z]{2,}\b",
            None,
        ),
        // Upper or lower case, grouped by spaces or dashes or not at all; the mod-97 check
        // tells an IBAN from a product code.
        rule(
            PiiKind::Iban,
            r"(?i)\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){3,7}(?:[ -]?[A-Z0-9]{1,3})?\b",
            Some(iban_checksum),
        ),
        // Digits grouped by spaces (one or two), dashes or dots; the Luhn check confirms.
        rule(
            PiiKind::Card,
            r"\b\d(?:(?:[ .-]| {2})?\d){12,18}\b",
            Some(luhn),
        ),
        // SSNs with dashes or spaces, or as nine bare digits where the text says it is one.
        rule(
            PiiKind::NationalId,
            r"(?i)\b\d{3}[- ]\d{2}[- ]\d{4}\b|\b(?:ssn|social security(?: number| no\.?)?)\W{0,3}\d{9}\b",
            None,
        ),
        // International numbers start with `+`; otherwise the North American shape with
        // separators, or ten bare digits where the text says it is a phone number, so runs of
        // digit groups (order numbers, versions) are left alone.
        rule(
            PiiKind::Phone,
            r"(?i)\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){2,4}\b|\(\d{3}\)\s?\d{3}[\s.-]\d{4}\b|\b\d{3}[.\s-]\d{3}[.\s-]\d{4}\b|\b(?:phone|tel|call|mobile|cell|ph)\b[^\d\n]{0,12}\d{10,11}\b",
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

/// The ISO 13616 check: the country code and check digits moved to the end, letters as
/// numbers (A = 10 … Z = 35), the whole number modulo 97 is 1.
fn iban_checksum(candidate: &str) -> bool {
    let compact: Vec<char> = candidate
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let mut remainder = 0u32;
    for c in compact[4..].iter().chain(&compact[..4]) {
        let Some(value) = c.to_digit(36) else {
            return false;
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// A run of hex that has both letters and digits: a key, not a long number or a word.
fn has_hex_letters_and_digits(candidate: &str) -> bool {
    candidate.chars().any(|c| c.is_ascii_digit())
        && candidate.chars().any(|c| c.is_ascii_alphabetic())
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

    /// Every format the rules must catch, each with a real-looking sample, and what it becomes.
    #[test]
    fn each_format_is_caught() {
        let cases: &[(&str, &str, PiiKind)] = &[
            (
                "call 415 555 0132 today",
                "call [phone] today",
                PiiKind::Phone,
            ),
            ("call me: 4155550132", "[phone]", PiiKind::Phone),
            ("mobile 4155550132", "[phone]", PiiKind::Phone),
            ("+44 20 7946 0958", "[phone]", PiiKind::Phone),
            ("(415) 555-0132", "[phone]", PiiKind::Phone),
            ("415.555.0132", "[phone]", PiiKind::Phone),
            ("SSN 123-45-6789", "SSN [national id]", PiiKind::NationalId),
            ("SSN: 123456789", "[national id]", PiiKind::NationalId),
            (
                "social security number 123 45 6789",
                "[national id]",
                PiiKind::NationalId,
            ),
            (
                "IBAN DE89 3704 0044 0532 0130 00",
                "IBAN [bank account]",
                PiiKind::Iban,
            ),
            (
                "iban de89370400440532013000",
                "iban [bank account]",
                PiiKind::Iban,
            ),
            (
                "GB82-WEST-1234-5698-7654-32",
                "[bank account]",
                PiiKind::Iban,
            ),
            (
                "card 4111.1111.1111.1111",
                "card [card number]",
                PiiKind::Card,
            ),
            (
                "card 4111  1111  1111  1111",
                "card [card number]",
                PiiKind::Card,
            ),
            (
                "card 4111-1111-1111-1111",
                "card [card number]",
                PiiKind::Card,
            ),
            ("the password is hunter2", "the [secret]", PiiKind::Secret),
            ("pw: hunter2", "[secret]", PiiKind::Secret),
            ("Password = S3cr3t!", "[secret]", PiiKind::Secret),
            (
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "[secret]",
                PiiKind::Secret,
            ),
            (
                "key 3f7a9c2e4b8d1f6a0e5c7b9d2a4f6e8c ok",
                "key [secret] ok",
                PiiKind::Secret,
            ),
            (
                "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
                "[secret]",
                PiiKind::Secret,
            ),
            (
                "mail jane\\_doe@example.com",
                "mail [email]",
                PiiKind::Email,
            ),
        ];
        for (text, expected, kind) in cases {
            let redacted = redact(text);
            assert!(
                redacted.text.contains(expected) && redacted.found.contains(kind),
                "{text:?} -> {:?} ({:?}), expected {expected:?}",
                redacted.text,
                redacted.found
            );
        }
    }

    #[test]
    fn product_codes_and_counts_that_look_like_them_survive() {
        for text in [
            "Ticket DE12 ABCD EFGH IJKL is open",
            "build 1234567890 passed",
            "error 0x7f in a 32-bit build",
            "commit 1234567890123456789012345678901234567890 deployed",
            "we had 123456789 requests",
        ] {
            let redacted = redact(text);
            assert_eq!(redacted.text, *text, "{:?}", redacted.found);
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
