//! Formatting shared by pages.

/// `2026-11-23T14:18:46.710Z` → `2026-11-23 14:18` (UTC): Webex's timestamps, to the minute.
pub fn short_time(iso: &str) -> String {
    iso.get(..16)
        .map_or_else(|| iso.to_owned(), |s| s.replacen('T', " ", 1))
}
