//! The redaction rules admins set in Settings: built-in kinds switched off and their own
//! patterns, stored as the setting `redaction.rules` and audited like every setting.
//!
//! A custom rule is one line, `[placeholder] = pattern`, e.g. `[employee id] = EMP-\d{6}`. The
//! pattern is a Rust regular expression (linear time, no look-around, so no rule can stall a
//! worker); it must compile within a size limit and must not match empty text.

use std::collections::BTreeSet;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::{
    Db,
    audit::Actor,
    redact::{PiiKind, Redactor},
    settings::{self, SettingKey, SettingsError},
};

/// The setting that holds the rules.
pub const SETTING: &str = "redaction.rules";
/// The most custom rules one installation may have.
pub const MAX_CUSTOM: usize = 20;
/// The longest pattern accepted.
pub const MAX_PATTERN_CHARS: usize = 500;

/// Built-in kinds switched off, and custom rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactionRules {
    /// Built-in kinds not redacted. Secrets are always redacted, whatever this says.
    #[serde(default)]
    pub off: BTreeSet<PiiKind>,
    /// The admins' own rules, applied after the built-in ones, in order.
    #[serde(default)]
    pub custom: Vec<CustomRule>,
}

/// One custom rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRule {
    /// What replaces a match, e.g. `[employee id]`.
    pub placeholder: String,
    /// The regular expression.
    pub pattern: String,
}

impl CustomRule {
    /// Compiles the pattern; `line` numbers the rule in errors.
    pub(super) fn compile(&self, line: usize) -> Result<Regex, RedactionError> {
        let invalid = |message: String| RedactionError::Invalid { line, message };
        if self.pattern.chars().count() > MAX_PATTERN_CHARS {
            return Err(invalid(format!(
                "the pattern is longer than {MAX_PATTERN_CHARS} characters"
            )));
        }
        let regex = RegexBuilder::new(&self.pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| match e {
                regex::Error::Syntax(detail) => invalid(format!(
                    "the pattern is not a valid regular expression: {}",
                    detail.lines().last().unwrap_or_default().trim()
                )),
                regex::Error::CompiledTooBig(_) => invalid("the pattern is too complex".into()),
                other => invalid(other.to_string()),
            })?;
        if regex.is_match("") {
            return Err(invalid("the pattern matches empty text".into()));
        }
        Ok(regex)
    }
}

/// Why rules were refused.
#[derive(Debug, thiserror::Error)]
pub enum RedactionError {
    /// A custom rule is wrong.
    #[error("line {line}: {message}")]
    Invalid {
        /// The rule's line, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Too many rules.
    #[error("keep to {MAX_CUSTOM} custom rules")]
    TooMany,
    /// The setting could not be read or written.
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// Parses custom rules, one `[placeholder] = pattern` per line; blank lines and lines starting
/// with `#` are skipped.
pub fn parse_custom(text: &str) -> Result<Vec<CustomRule>, RedactionError> {
    let mut rules = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let invalid = |message: &str| RedactionError::Invalid {
            line: line_no,
            message: message.to_owned(),
        };
        let (placeholder, pattern) = line
            .split_once(" = ")
            .ok_or_else(|| invalid("write it as [placeholder] = pattern"))?;
        let placeholder = placeholder.trim();
        let shaped = placeholder.starts_with('[')
            && placeholder.ends_with(']')
            && (3..=40).contains(&placeholder.chars().count());
        if !shaped {
            return Err(invalid(
                "the placeholder is a short label in square brackets, e.g. [employee id]",
            ));
        }
        let rule = CustomRule {
            placeholder: placeholder.to_owned(),
            pattern: pattern.trim().to_owned(),
        };
        rule.compile(line_no)?;
        rules.push(rule);
    }
    if rules.len() > MAX_CUSTOM {
        return Err(RedactionError::TooMany);
    }
    Ok(rules)
}

/// Custom rules as the one-per-line text [`parse_custom`] reads.
pub fn format_custom(rules: &[CustomRule]) -> String {
    rules
        .iter()
        .map(|r| format!("{} = {}\n", r.placeholder, r.pattern))
        .collect()
}

fn key() -> SettingKey {
    SettingKey::parse(SETTING).expect("a valid key")
}

/// The rules in force (the defaults when never set).
pub async fn rules(db: &Db) -> Result<RedactionRules, SettingsError> {
    Ok(settings::get(db, &key())
        .await?
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default())
}

/// Saves `rules` after checking every custom rule compiles; audited. Returns whether they changed.
pub async fn set_rules(
    db: &Db,
    rules: &RedactionRules,
    actor: &Actor,
) -> Result<bool, RedactionError> {
    Redactor::new(rules)?;
    if rules.custom.len() > MAX_CUSTOM {
        return Err(RedactionError::TooMany);
    }
    let mut rules = rules.clone();
    rules.off.remove(&PiiKind::Secret);
    rules.off.remove(&PiiKind::Custom);
    let value = serde_json::to_value(&rules).expect("rules serialise");
    Ok(settings::set(db, &key(), value, actor).await?)
}

impl crate::Classify for RedactionError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Invalid { .. } | Self::TooMany => false,
            Self::Settings(e) => e.is_transient(),
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::Invalid { .. } | Self::TooMany => Some(self.to_string()),
            Self::Settings(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{RedactionRules, format_custom, parse_custom};
    use crate::redact::{PiiKind, Redactor};

    #[test]
    fn custom_rules_parse_compile_and_redact_after_the_built_in_ones() {
        let custom =
            parse_custom("# ours\n[employee id] = EMP-\\d{6}\n\n[project] = (?i)project falcon\n")
                .unwrap();
        assert_eq!(custom.len(), 2);
        assert_eq!(parse_custom(&format_custom(&custom)).unwrap(), custom);
        let redactor = Redactor::new(&RedactionRules {
            off: [PiiKind::Phone, PiiKind::Secret].into(),
            custom,
        })
        .unwrap();
        let redacted = redactor
            .redact("EMP-123456 on Project Falcon, call +1 415-555-0132, password: hunter2");
        assert_eq!(
            redacted.text,
            "[employee id] on [project], call +1 415-555-0132, [secret]"
        );
        assert_eq!(
            redacted.found,
            vec![PiiKind::Secret, PiiKind::Custom, PiiKind::Custom]
        );
    }

    #[test]
    fn bad_rules_are_refused_with_their_line() {
        let error = |text: &str| parse_custom(text).unwrap_err().to_string();
        assert_eq!(
            error("[ok] = fine\nno separator"),
            "line 2: write it as [placeholder] = pattern"
        );
        assert!(error("employee = EMP").starts_with("line 1: the placeholder"));
        assert!(
            error("[x] = EMP-(")
                .starts_with("line 1: the pattern is not a valid regular expression")
        );
        assert_eq!(error("[x] = a*"), "line 1: the pattern matches empty text");
        let many = "[x] = a\n".repeat(21);
        assert_eq!(error(&many), "keep to 20 custom rules");
    }
}
