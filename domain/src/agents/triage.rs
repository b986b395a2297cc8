//! IT alert triage: every message in a space where alert triage acts is read as an alert, rated
//! Critical, Warning or Info by rules an admin can change, and answered in its thread with a card
//! naming the hosts, services, error codes and addresses involved, similar earlier alerts, and
//! Acknowledge and Escalate buttons.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    Db,
    agents::{AgentFunction, CardAction, MAX_REPLY_BYTES, Reply, fit_blocks},
    ai::{AlertAssessment, PromptVersion, Severity},
    audit::Actor,
    settings::{self, SettingKey, SettingsError},
    webex::{cards::AdaptiveCard, markup::escape_markdown, timestamp::format_ms},
};

/// The variables an alert triage template may use.
pub const VARIABLES: [&str; 3] = ["alert", "rules", "earlier"];

/// The setting holding the severity rules.
pub const RULES_SETTING: &str = "alert_triage.severity_rules";

/// How alerts are rated: the first rule that matches decides; when none does, `default`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeverityRules {
    /// The rules, in the order they are tried.
    pub rules: Vec<SeverityRule>,
    /// The severity when no rule matches.
    pub default: Severity,
}

/// One rule. It matches when every condition it sets holds: one of `any` appears, all of `all`
/// appear (whole words or phrases, ignoring case), and a percentage in the alert is at least
/// `percent_at_least`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeverityRule {
    /// A name for people, shown as the reason of a rating.
    pub name: String,
    /// The severity it gives.
    pub severity: Severity,
    /// Phrases of which one must appear.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<String>,
    /// Phrases that must all appear.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all: Vec<String>,
    /// The lowest percentage (e.g. disk usage) that matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_at_least: Option<f64>,
}

/// Why severity rules were refused.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// A rule is malformed.
    #[error("rule {index} ({name}): {problem}")]
    Invalid {
        /// Its position, from 1.
        index: usize,
        /// Its name.
        name: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// The stored rules are not valid JSON rules.
    #[error("the stored severity rules cannot be read: {0}")]
    Corrupt(String),
    /// Reading or writing the setting failed.
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

fn rule(
    name: &str,
    severity: Severity,
    any: &[&str],
    all: &[&str],
    percent: Option<f64>,
) -> SeverityRule {
    let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
    SeverityRule {
        name: name.to_owned(),
        severity,
        any: owned(any),
        all: owned(all),
        percent_at_least: percent,
    }
}

impl Default for SeverityRules {
    fn default() -> Self {
        Self {
            rules: vec![
                rule(
                    "recovered",
                    Severity::Info,
                    &[
                        "[recovered]",
                        "recovered",
                        "resolved",
                        "back to normal",
                        "back under",
                        "reachable again",
                    ],
                    &[],
                    None,
                ),
                rule(
                    "disk nearly full",
                    Severity::Critical,
                    &[],
                    &["disk"],
                    Some(95.0),
                ),
                rule(
                    "outage",
                    Severity::Critical,
                    &[
                        "unreachable",
                        "down",
                        "outage",
                        "disk full",
                        "no space left",
                        "[critical]",
                        "sev1",
                        "sev 1",
                        "p1",
                        "5xx",
                        "http 500",
                        "http 502",
                        "http 503",
                        "http 504",
                        "data loss",
                    ],
                    &[],
                    None,
                ),
                rule(
                    "resource pressure",
                    Severity::Warning,
                    &["disk", "memory", "cpu", "load", "swap"],
                    &[],
                    Some(80.0),
                ),
                rule(
                    "informational",
                    Severity::Info,
                    &["info", "[info]", "succeeded"],
                    &[],
                    None,
                ),
                rule(
                    "errors",
                    Severity::Warning,
                    &[
                        "[warn]", "warning", "error", "errors", "spike", "degraded", "latency",
                        "timeout", "timeouts",
                    ],
                    &[],
                    None,
                ),
            ],
            default: Severity::Warning,
        }
    }
}

static PERCENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+(?:\.\d+)?)\s?%").expect("valid pattern"));

impl SeverityRules {
    /// Checks that every rule has a name and at least one condition, and sane percentages.
    pub fn validate(&self) -> Result<(), RulesError> {
        for (i, rule) in self.rules.iter().enumerate() {
            let invalid = |problem| RulesError::Invalid {
                index: i + 1,
                name: rule.name.clone(),
                problem,
            };
            if rule.name.trim().is_empty() {
                return Err(invalid("it needs a name"));
            }
            if rule.any.is_empty() && rule.all.is_empty() && rule.percent_at_least.is_none() {
                return Err(invalid("it needs at least one condition"));
            }
            if rule
                .any
                .iter()
                .chain(&rule.all)
                .any(|p| p.trim().is_empty())
            {
                return Err(invalid("phrases must not be empty"));
            }
            if rule
                .percent_at_least
                .is_some_and(|p| !(0.0..=100.0).contains(&p))
            {
                return Err(invalid("percent_at_least must be between 0 and 100"));
            }
        }
        Ok(())
    }

    /// The severity of an alert text and the reason for it.
    pub fn rate(&self, text: &str) -> (Severity, String) {
        let lower = text.to_lowercase();
        let highest_percent = PERCENT
            .captures_iter(text)
            .filter_map(|c| c[1].parse::<f64>().ok())
            .fold(None, |max: Option<f64>, p| {
                Some(max.map_or(p, |m| m.max(p)))
            });
        for rule in &self.rules {
            let any = rule.any.is_empty()
                || rule
                    .any
                    .iter()
                    .any(|p| contains_phrase(&lower, &p.to_lowercase()));
            let all = rule
                .all
                .iter()
                .all(|p| contains_phrase(&lower, &p.to_lowercase()));
            let percent = rule
                .percent_at_least
                .is_none_or(|min| highest_percent.is_some_and(|p| p >= min));
            if any && all && percent {
                return (rule.severity, format!("rule \"{}\"", rule.name));
            }
        }
        (self.default, "no rule matched".to_owned())
    }
}

/// Whether `phrase` appears in `text` on word boundaries (both already lower-case).
fn contains_phrase(text: &str, phrase: &str) -> bool {
    let edge_is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let needs_start = edge_is_word(phrase.chars().next());
    let needs_end = edge_is_word(phrase.chars().last());
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        (!needs_start || !edge_is_word(before)) && (!needs_end || !edge_is_word(after))
    })
}

/// The severity rules in force: the stored ones, or the built-in ones when none are stored.
pub async fn rules(db: &Db) -> Result<SeverityRules, RulesError> {
    let key = SettingKey::parse(RULES_SETTING).expect("a valid key");
    match settings::get(db, &key).await? {
        None => Ok(SeverityRules::default()),
        Some(value) => {
            serde_json::from_value(value).map_err(|e| RulesError::Corrupt(e.to_string()))
        }
    }
}

/// Replaces the severity rules, audited as a settings change. Returns whether they changed.
pub async fn set_rules(db: &Db, rules: &SeverityRules, actor: &Actor) -> Result<bool, RulesError> {
    rules.validate()?;
    let key = SettingKey::parse(RULES_SETTING).expect("a valid key");
    let value = serde_json::to_value(rules).expect("rules serialise");
    Ok(settings::set(db, &key, value, actor).await?)
}

/// Version 1 of the alert triage prompt, which every installation starts with.
pub fn builtin_prompt() -> PromptVersion {
    PromptVersion {
        function: AgentFunction::AlertTriage,
        version: 1,
        template: "Rate the alert below as critical, warning or info using the severity rules, \
                   list the hosts, services, error codes and IP addresses it names, and pick the \
                   earlier alerts that describe the same problem.\n\nSeverity rules:\n{{rules}}\n\n\
                   Earlier alerts in this space:\n{{earlier}}\n\nAlert:\n{{alert}}"
            .to_owned(),
        settings: json!({}),
    }
}

/// The first line of an alert, which names it.
pub fn title(alert: &str) -> String {
    let line = alert.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let title: String = line.trim().chars().take(200).collect();
    if title.is_empty() {
        "Alert".to_owned()
    } else {
        title
    }
}

/// The card and its markdown fallback for an assessed alert. `alert` is the alert message's ID,
/// which the card's buttons send back.
pub fn render(alert: &str, alert_title: &str, assessment: &AlertAssessment) -> Reply {
    let e = &assessment.entities;
    let facts: Vec<(&str, String)> = [
        ("Severity", assessment.severity.label().to_owned()),
        ("Hosts", e.hosts.join(", ")),
        ("Services", e.services.join(", ")),
        ("Error codes", e.error_codes.join(", ")),
        ("IP addresses", e.ip_addresses.join(", ")),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let similar: Vec<String> = assessment
        .similar
        .iter()
        .map(|s| {
            format!(
                "{} ({})",
                s.alert.text.chars().take(160).collect::<String>(),
                when(s.alert.created_ms)
            )
        })
        .collect();

    let mut card = AdaptiveCard::new()
        .heading(format!(
            "{} alert: {}",
            assessment.severity.label(),
            alert_title
        ))
        .facts(facts.iter().map(|(k, v)| (*k, v.clone())))
        .text(format!("Rated by {}.", assessment.reason));
    card = if similar.is_empty() {
        card.text("No similar earlier alerts in this space.")
    } else {
        card.text("Similar earlier alerts:").markdown(
            similar
                .iter()
                .map(|s| format!("- {}", escape_markdown(s)))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    };
    let card = card
        .submit(
            "Acknowledge",
            CardAction::AcknowledgeAlert {
                alert: alert.to_owned(),
            }
            .data(),
        )
        .submit(
            "Escalate",
            CardAction::EscalateAlert {
                alert: alert.to_owned(),
            }
            .data(),
        );

    let mut blocks = vec![format!(
        "**{} alert**: {}",
        assessment.severity.label(),
        escape_markdown(alert_title)
    )];
    blocks.extend(
        facts
            .iter()
            .skip(1)
            .map(|(k, v)| format!("- {k}: {}", escape_markdown(v))),
    );
    if !similar.is_empty() {
        blocks.push("Similar earlier alerts:".to_owned());
        blocks.extend(similar.iter().map(|s| format!("- {}", escape_markdown(s))));
    }
    Reply {
        markdown: fit_blocks(&blocks, MAX_REPLY_BYTES),
        card: Some(card),
    }
}

/// `2026-03-02 20:26 UTC`, from milliseconds.
pub(crate) fn when(ms: i64) -> String {
    // `2026-03-02T20:26:02.321Z` → `2026-03-02 20:26 UTC`
    let iso = format_ms(ms);
    format!("{} {} UTC", &iso[..10], &iso[11..16])
}

impl crate::Classify for RulesError {
    fn is_transient(&self) -> bool {
        match self {
            Self::Settings(e) => e.is_transient(),
            Self::Invalid { .. } | Self::Corrupt(_) => false,
        }
    }

    fn refusal(&self) -> Option<String> {
        match self {
            Self::Invalid { .. } => Some(self.to_string()),
            Self::Corrupt(_) | Self::Settings(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{SeverityRule, SeverityRules, contains_phrase};
    use crate::ai::Severity;

    #[test]
    fn the_seeded_alerts_get_the_severity_an_operator_would_give() {
        let rules = SeverityRules::default();
        for (text, expected) in [
            (
                "[Triggered] Disk usage above 95% on web-01 (/var): 97.2% used.",
                Severity::Critical,
            ),
            (
                "ALERT payments-gateway 5xx rate 14% over 5m (HTTP 503) from 10.20.4.17",
                Severity::Critical,
            ),
            (
                "[Recovered] CPU load back to normal on db-02 (load 1.3).",
                Severity::Info,
            ),
            (
                "[Warn] Memory usage 88% on cache-03. service:session-cache",
                Severity::Warning,
            ),
            (
                "ERROR spike: auth-service logged 312 x ERR_TOKEN_EXPIRED in 10m",
                Severity::Warning,
            ),
            (
                "[Triggered] Disk usage above 90% on web-02 (/var/log): 91.0% used.",
                Severity::Warning,
            ),
            (
                "[Recovered] Disk usage on web-02 back under 80%.",
                Severity::Info,
            ),
            (
                "INFO nightly backup job finished on backup-01 in 41m, 0 errors",
                Severity::Info,
            ),
            (
                "[Triggered] Host unreachable: vpn-gw-02 missed 5 heartbeats.",
                Severity::Critical,
            ),
            (
                "Disk full on web-01: no space left on device",
                Severity::Critical,
            ),
            (
                "Deploy of checkout-api v2.3 is rolling out",
                Severity::Warning,
            ),
        ] {
            assert_eq!(rules.rate(text).0, expected, "{text}");
        }
        assert_eq!(
            rules.rate("[Recovered] vpn-gw-02 reachable again.").1,
            "rule \"recovered\""
        );
    }

    #[test]
    fn phrases_match_whole_words_only() {
        assert!(contains_phrase("service down now", "down"));
        assert!(!contains_phrase("download finished", "down"));
        assert!(!contains_phrase("shutdown complete", "down"));
        assert!(contains_phrase("[recovered] x", "[recovered]"));
        assert!(contains_phrase("http 503)", "http 503"));
    }

    #[test]
    fn rules_without_conditions_or_with_bad_percentages_are_refused() {
        let mut rules = SeverityRules::default();
        rules.rules.push(SeverityRule {
            name: "empty".into(),
            severity: Severity::Info,
            any: vec![],
            all: vec![],
            percent_at_least: None,
        });
        assert!(
            rules
                .validate()
                .unwrap_err()
                .to_string()
                .contains("rule 7 (empty)")
        );
        let mut rules = SeverityRules::default();
        rules.rules[1].percent_at_least = Some(140.0);
        assert!(rules.validate().is_err());
        assert!(SeverityRules::default().validate().is_ok());
    }
}
