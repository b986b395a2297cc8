//! Webex timestamps: ISO-8601 in UTC with milliseconds, e.g. `2026-03-02T20:26:02.321Z`.

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// Formats milliseconds since the Unix epoch the way Webex does.
pub fn format_ms(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let millis = at.millisecond();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Parses an RFC 3339 timestamp (as Webex sends) into milliseconds since the Unix epoch.
pub fn parse_ms(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::{format_ms, parse_ms};

    #[test]
    fn timestamps_round_trip_with_milliseconds() {
        let text = "2026-03-02T20:26:02.321Z";
        let ms = parse_ms(text).unwrap();
        assert_eq!(format_ms(ms), text);
        assert_eq!(parse_ms("2026-03-02T20:26:02.321+00:00"), Some(ms));
        assert_eq!(parse_ms("yesterday"), None);
    }
}
