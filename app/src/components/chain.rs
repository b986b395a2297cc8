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
            <p class="muted" data-testid="chain-strength">
                {match check.key_id {
                    Some(key_id) => format!(
                        "Seals checked with the audit key {key_id}: nobody without that key \
                         has rewritten these entries. Compare with an anchor kept elsewhere \
                         (steward audit verify --anchor) to rule out the key's holders too."
                    ),
                    None => "Hashes only: no audit key is configured, so someone who can write \
                             to the database could rewrite history and recompute every hash \
                             unnoticed. Configure STEWARD_AUDIT_KEY_FILE and keep anchors."
                        .to_owned(),
                }}
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
