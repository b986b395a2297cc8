//! Alert triage without a model: severity from the admin's rules, entities by pattern, and
//! earlier alerts ranked by how many words (numbers aside) and entities they share.

use std::{collections::BTreeSet, net::Ipv4Addr, sync::LazyLock};

use regex::Regex;

use crate::{
    agents::triage::SeverityRules,
    ai::{AlertAssessment, EarlierAlert, Entities, SimilarAlert},
};

/// Earlier alerts at least this alike are reported.
const MIN_SIMILARITY: f64 = 0.3;
/// At most this many similar alerts are reported.
const MAX_SIMILAR: usize = 3;

pub(super) fn assess(
    alert: &str,
    rules: &SeverityRules,
    earlier: &[EarlierAlert],
) -> AlertAssessment {
    let (severity, reason) = rules.rate(alert);
    let entities = extract_entities(alert);
    let words = fingerprint(alert);
    let mut similar: Vec<SimilarAlert> = earlier
        .iter()
        .map(|other| SimilarAlert {
            score: similarity(&words, &entities, &other.text),
            alert: other.clone(),
        })
        .filter(|s| s.score >= MIN_SIMILARITY)
        .collect();
    similar.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.alert.created_ms.cmp(&a.alert.created_ms))
    });
    similar.truncate(MAX_SIMILAR);
    AlertAssessment {
        severity,
        reason,
        entities,
        similar,
    }
}

static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d{1,4}(?:\.[a-z0-9-]+)*)\b")
        .expect("valid pattern")
});
static SERVICE_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bservice[:=]([a-z0-9][a-z0-9_.-]*)").expect("valid pattern")
});
static SERVICE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b([a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:service|api|gateway|db|cache|worker|queue))\b",
    )
    .expect("valid pattern")
});
static HTTP_STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bHTTP[ /]?([45]\d\d)\b").expect("valid pattern"));
static ERROR_CODE: LazyLock<Regex> = LazyLock::new(|| {
    // ORA-00600, E1234, ERR-42, or an upper-case identifier such as ERR_TOKEN_EXPIRED.
    Regex::new(r"\b((?:ERR|ORA|E)[_-]?\d{2,}|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")
        .expect("valid pattern")
});
static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\b").expect("valid pattern")
});

/// The hosts, services, error codes and IPv4 addresses a text names, each once, in order.
pub fn extract_entities(text: &str) -> Entities {
    let mut entities = Entities::default();
    for caps in SERVICE_TAG.captures_iter(text) {
        push_once(&mut entities.services, caps[1].trim_end_matches('.'));
    }
    for caps in SERVICE_NAME.captures_iter(text) {
        push_once(&mut entities.services, &caps[1]);
    }
    for caps in HOST.captures_iter(text) {
        let host = &caps[1];
        // `checkout-api` or `falcon-2026` style words are services and dates, not hosts.
        if !entities.services.iter().any(|s| s == host) {
            push_once(&mut entities.hosts, host);
        }
    }
    for caps in HTTP_STATUS.captures_iter(text) {
        push_once(&mut entities.error_codes, &format!("HTTP {}", &caps[1]));
    }
    for caps in ERROR_CODE.captures_iter(text) {
        push_once(&mut entities.error_codes, &caps[1]);
    }
    for caps in IPV4.captures_iter(text) {
        if caps[1].parse::<Ipv4Addr>().is_ok() {
            push_once(&mut entities.ip_addresses, &caps[1]);
        }
    }
    entities
}

fn push_once(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v.eq_ignore_ascii_case(value)) {
        list.push(value.to_owned());
    }
}

/// Lower-case words of three letters or more, with numbers dropped: `97.2% used` and `91.0% used`
/// say the same thing.
fn fingerprint(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '_')
        .map(str::to_lowercase)
        .filter(|w| w.len() >= 3 && !w.chars().all(|c| c.is_ascii_digit() || c == '-'))
        .collect()
}

/// Word overlap (Jaccard), with a bonus when the alerts name the same host or service.
fn similarity(words: &BTreeSet<String>, entities: &Entities, other: &str) -> f64 {
    let other_words = fingerprint(other);
    let shared = words.intersection(&other_words).count();
    let union = words.union(&other_words).count();
    if union == 0 {
        return 0.0;
    }
    let mut score = f64::from(u32::try_from(shared).unwrap_or(u32::MAX))
        / f64::from(u32::try_from(union).unwrap_or(u32::MAX));
    let other_entities = extract_entities(other);
    let same = |a: &[String], b: &[String]| {
        a.iter()
            .any(|x| b.iter().any(|y| x.eq_ignore_ascii_case(y)))
    };
    if same(&entities.hosts, &other_entities.hosts) {
        score += 0.2;
    }
    if same(&entities.services, &other_entities.services) {
        score += 0.1;
    }
    score.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::{assess, extract_entities};
    use crate::{
        agents::triage::SeverityRules,
        ai::{EarlierAlert, Severity},
    };

    #[test]
    fn entities_are_found_in_real_alert_texts() {
        let e = extract_entities(
            "[Triggered] Disk usage above 95% on web-01 (/var): 97.2% used. service:checkout-api env:prod",
        );
        assert_eq!(e.hosts, ["web-01"]);
        assert_eq!(e.services, ["checkout-api"]);
        assert!(e.error_codes.is_empty() && e.ip_addresses.is_empty());

        let e = extract_entities(
            "ALERT payments-gateway 5xx rate 14% over 5m (HTTP 503) from 10.20.4.17. service:payments-gateway",
        );
        assert_eq!(e.services, ["payments-gateway"]);
        assert_eq!(e.error_codes, ["HTTP 503"]);
        assert_eq!(e.ip_addresses, ["10.20.4.17"]);
        assert!(e.hosts.is_empty());

        let e = extract_entities(
            "ERROR spike: auth-service logged 312 x ERR_TOKEN_EXPIRED in 10m on host auth-01 (10.20.7.4)",
        );
        assert_eq!(e.services, ["auth-service"]);
        assert_eq!(e.hosts, ["auth-01"]);
        assert_eq!(e.error_codes, ["ERR_TOKEN_EXPIRED"]);
        assert_eq!(e.ip_addresses, ["10.20.7.4"]);

        let e = extract_entities("Host unreachable: vpn-gw-02 missed 5 heartbeats, not 999.1.1.1");
        assert_eq!(e.hosts, ["vpn-gw-02"]);
        assert!(e.ip_addresses.is_empty());
    }

    #[test]
    fn a_repeat_of_an_earlier_alert_is_found_and_unrelated_ones_are_not() {
        let earlier = |id: &str, text: &str, at: i64| EarlierAlert {
            message_id: id.to_owned(),
            text: text.to_owned(),
            created_ms: at,
        };
        let history = [
            earlier(
                "a",
                "[Triggered] Disk usage above 95% on web-01 (/var): 97.2% used. service:checkout-api env:prod",
                1,
            ),
            earlier(
                "b",
                "[Recovered] CPU load back to normal on db-02 (load 1.3). service:orders-db env:prod",
                2,
            ),
            earlier(
                "c",
                "[Triggered] Disk usage above 90% on web-02 (/var/log): 91.0% used. service:checkout-api env:prod",
                3,
            ),
            earlier(
                "d",
                "INFO nightly backup job finished on backup-01 in 41m, 0 errors",
                4,
            ),
        ];
        let assessment = assess(
            "[Triggered] Disk usage above 95% on web-01 (/var): 99.1% used. service:checkout-api env:prod",
            &SeverityRules::default(),
            &history,
        );
        assert_eq!(assessment.severity, Severity::Critical);
        let similar: Vec<_> = assessment
            .similar
            .iter()
            .map(|s| s.alert.message_id.as_str())
            .collect();
        assert_eq!(similar, ["a", "c"]);
        assert!(assessment.similar[0].score > assessment.similar[1].score);
    }
}
