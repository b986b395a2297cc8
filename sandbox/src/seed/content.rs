//! What the demo organization has said so far: alerts, questions and the project thread.

pub(super) const ALERT_HISTORY: [(&str, &str); 10] = [
    (
        "datadog",
        "[Triggered] Disk usage above 95% on web-01 (/var): 97.2% used. service:checkout-api env:prod",
    ),
    (
        "splunk",
        "ALERT payments-gateway 5xx rate 14% over 5m (HTTP 503) from 10.20.4.17. service:payments-gateway",
    ),
    (
        "datadog",
        "[Recovered] CPU load back to normal on db-02 (load 1.3). service:orders-db env:prod",
    ),
    (
        "datadog",
        "[Warn] Memory usage 88% on cache-03. service:session-cache env:prod",
    ),
    (
        "splunk",
        "ERROR spike: auth-service logged 312 x ERR_TOKEN_EXPIRED in 10m on host auth-01 (10.20.7.4)",
    ),
    (
        "datadog",
        "[Triggered] Disk usage above 90% on web-02 (/var/log): 91.0% used. service:checkout-api env:prod",
    ),
    (
        "datadog",
        "[Recovered] Disk usage on web-02 back under 80%.",
    ),
    (
        "splunk",
        "INFO nightly backup job finished on backup-01 in 41m, 0 errors",
    ),
    (
        "datadog",
        "[Triggered] Host unreachable: vpn-gw-02 missed 5 heartbeats. service:vpn env:prod",
    ),
    ("datadog", "[Recovered] vpn-gw-02 reachable again."),
];

pub(super) const IT_HELP_HISTORY: [(&str, &str, bool); 6] = [
    (
        "casey",
        "How do I reset my VPN token? The app says it expired.",
        true,
    ),
    (
        "sam",
        "Casey, the self-service portal under Security > Tokens issues a new one in a minute.",
        false,
    ),
    (
        "jordan",
        "Is there a standard laptop for new hires joining in March?",
        true,
    ),
    (
        "priya",
        "Which printer queue should the 4th floor use now that PR-4A is gone?",
        false,
    ),
    (
        "taylor",
        "How do I share a calendar with the recruiting team?",
        true,
    ),
    (
        "sam",
        "Reminder: the password manager migration happens Saturday 09:00-11:00.",
        false,
    ),
];

pub(super) const HR_HISTORY: [(&str, &str, bool); 5] = [
    (
        "jordan",
        "How many PTO days carry over into next year?",
        true,
    ),
    (
        "taylor",
        "Up to five days carry over; the rest is paid out in January.",
        false,
    ),
    ("casey", "Where is the parental leave policy?", true),
    (
        "priya",
        "Do we have a learning budget for conferences?",
        true,
    ),
    (
        "taylor",
        "Yes: 1,500 per person per year, approved by your manager.",
        false,
    ),
];

/// The 149 replies of the project thread: decisions, action items with owners and open questions
/// among ordinary status talk, in the order a team would write them.
pub(super) fn project_thread() -> Vec<(&'static str, String)> {
    let key: [(&str, &str); 36] = [
        (
            "jordan",
            "Decision: the Falcon beta launches on March 14 behind the falcon_beta feature flag.",
        ),
        (
            "alex",
            "Action item: @Priya Shah will set up the falcon_beta flag in all three environments by Friday.",
        ),
        (
            "casey",
            "Open question: do beta users see the new onboarding flow, or the old one?",
        ),
        (
            "morgan",
            "Decision: the beta is limited to 200 customers from the design-partner list.",
        ),
        (
            "jordan",
            "Action item: @Casey Novak will finish the onboarding mockups by Wednesday.",
        ),
        (
            "priya",
            "Open question: do we need a separate database for beta telemetry?",
        ),
        (
            "sam",
            "Decision: we keep telemetry in the existing warehouse, in a falcon_beta schema.",
        ),
        (
            "alex",
            "Action item: @Sam Okafor will write the rollback runbook for the beta.",
        ),
        (
            "morgan",
            "Open question: who signs off on the pricing page copy?",
        ),
        (
            "jordan",
            "Decision: Morgan signs off on pricing copy; legal reviews only the terms section.",
        ),
        (
            "casey",
            "Action item: @Jordan Lee will send the beta invitation email draft to legal.",
        ),
        (
            "priya",
            "Open question: is the EU data residency clause required for beta customers?",
        ),
        (
            "alex",
            "Decision: EU customers are excluded from the beta until the residency review is done.",
        ),
        (
            "morgan",
            "Action item: @Alex Rivera will book the legal review of data residency for next week.",
        ),
        (
            "sam",
            "Open question: what error budget do we accept during the beta?",
        ),
        (
            "jordan",
            "Decision: the beta error budget is 99.5% availability per week.",
        ),
        (
            "priya",
            "Action item: @Priya Shah will add the Falcon SLO dashboard to the on-call handbook.",
        ),
        (
            "casey",
            "Open question: should the feedback widget be on every page or only the dashboard?",
        ),
        (
            "jordan",
            "Decision: the feedback widget goes on the dashboard only for the first two weeks.",
        ),
        (
            "morgan",
            "Action item: @Morgan Patel will prepare the weekly beta report for leadership.",
        ),
        (
            "sam",
            "Open question: do we page on-call for beta-only incidents at night?",
        ),
        (
            "alex",
            "Decision: beta-only incidents page during business hours only.",
        ),
        (
            "jordan",
            "Action item: @Sam Okafor will update the PagerDuty routing for falcon services.",
        ),
        (
            "priya",
            "Open question: how long do we keep beta session recordings?",
        ),
        (
            "morgan",
            "Decision: session recordings are kept for 30 days, then deleted.",
        ),
        (
            "casey",
            "Action item: @Casey Novak will write the in-app announcement for launch day.",
        ),
        (
            "alex",
            "Open question: does support need a separate queue for Falcon tickets?",
        ),
        (
            "jordan",
            "Decision: support tags Falcon tickets in the existing queue; no new queue.",
        ),
        (
            "sam",
            "Action item: @Jordan Lee will brief the support team on Falcon by March 10.",
        ),
        (
            "priya",
            "Open question: which load test numbers do we need before opening to 200 customers?",
        ),
        (
            "sam",
            "Decision: we need 3x expected beta traffic at p99 under 300 ms before launch.",
        ),
        (
            "alex",
            "Action item: @Priya Shah will run the load test and post results in this thread.",
        ),
        (
            "morgan",
            "Open question: do we announce the beta publicly or keep it invite-only?",
        ),
        (
            "jordan",
            "Decision: the beta stays invite-only; a public announcement waits for GA.",
        ),
        (
            "casey",
            "Action item: @Morgan Patel will confirm the GA date with leadership by end of month.",
        ),
        (
            "priya",
            "Open question: what happens to beta feature flags after GA?",
        ),
    ];
    let people = ["jordan", "alex", "casey", "morgan", "priya", "sam"];
    let components = [
        "the signup flow",
        "the billing integration",
        "the dashboard",
        "the export job",
        "the search index",
        "the mobile layout",
        "the audit trail",
        "the settings page",
        "the API docs",
        "the staging deploy",
        "the metrics pipeline",
        "the invite emails",
    ];
    let states = [
        "is done and merged",
        "is in review",
        "needs one more pass on error handling",
        "passed QA on staging",
        "is blocked on the flag rollout",
        "has two small bugs left",
        "looks good on my side",
        "is deployed to staging",
        "has test coverage now",
    ];
    let mut thread = Vec::with_capacity(149);
    let mut chatter = 0usize;
    let mut next_key = key.iter();
    while thread.len() < 149 {
        // Every fourth message carries a decision, an owner or a question; the rest is status talk.
        if thread.len() % 4 == 0
            && let Some((author, text)) = next_key.next()
        {
            thread.push((*author, (*text).to_owned()));
            continue;
        }
        let author = people[chatter % people.len()];
        let component = components[(chatter * 7) % components.len()];
        let state = states[(chatter * 5) % states.len()];
        // Author, component and state repeat together every 36 messages; the lead-in does not.
        let lead = ["Status:", "Update:", "Quick note:", "FYI,"][(chatter / 36) % 4];
        thread.push((author, format!("{lead} {component} {state}.")));
        chatter += 1;
    }
    thread
}
