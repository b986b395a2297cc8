//! The result of verifying the audit log's hash chain, shared by the Overview and Audit pages.

use leptos::prelude::*;

use crate::api::status::ChainCheck;

/// The outcome of verifying the audit chain; a broken chain links to the entries around the
/// first broken one.
#[component]
pub fn ChainResult(
    /// The verification's outcome.
    check: ChainCheck,
) -> impl IntoView {
    match check.broken {
        None => view! {
            <p class="result ok" role="status">
                {format!("Chain intact: {} verified.", entries(check.entries_checked))}
            </p>
        }
        .into_any(),
        Some((seq, problem)) => view! {
            <p class="result broken" role="alert">
                {format!(
                    "Chain broken at entry {seq}: {problem}. {} before it verified. ",
                    entries(check.entries_checked),
                )}
                <a href=format!("/audit?before={}", seq + 3)>{format!("Show entry {seq}")}</a>
            </p>
        }
        .into_any(),
    }
}

/// "1 entry", "3 entries".
fn entries(count: i64) -> String {
    if count == 1 {
        "1 entry".to_owned()
    } else {
        format!("{count} entries")
    }
}
