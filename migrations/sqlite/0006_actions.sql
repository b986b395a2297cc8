-- External actions, the credentials they use, retention, and the sandbox's stand-ins for the
-- systems actions reach.

-- An external call an agent proposed (create a ServiceNow incident, trigger a PagerDuty event,
-- create a Jira issue, call a webhook). It waits for a person's approval with the exact body it
-- will send; approving queues a job that sends it, and the outcome goes back to the space.
-- One proposal per subject and kind: escalating an alert twice proposes one incident.
CREATE TABLE actions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('servicenow', 'pagerduty', 'jira', 'webhook')),
    function     TEXT    NOT NULL,
    room_id      TEXT    NOT NULL,
    thread_id    TEXT,                          -- where the outcome is said
    subject      TEXT    NOT NULL,              -- what it is about, e.g. alert:12
    title        TEXT    NOT NULL,              -- one line for the Actions page
    payload_json TEXT    NOT NULL,              -- the request body, without credentials
    state        TEXT    NOT NULL CHECK (state IN
                     ('pending', 'approved', 'succeeded', 'failed', 'rejected')),
    proposed_by  TEXT    NOT NULL,              -- an audit actor
    proposed_ms  INTEGER NOT NULL,
    decided_by   TEXT,
    decided_ms   INTEGER,
    reason       TEXT,                          -- why it was rejected
    reference    TEXT,                          -- INC0010001, OPS-12, a dedup key, an HTTP status
    link         TEXT,
    error        TEXT,                          -- why it failed
    finished_ms  INTEGER,
    UNIQUE (subject, kind)
);
CREATE INDEX actions_state ON actions (state, id);

-- Secrets admins enter in Settings: integration passwords and keys, the AI provider's key. They
-- are never shown again once set and never logged; the audit log records that one changed, not
-- its value.
CREATE TABLE credentials (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_ms INTEGER NOT NULL
);

-- Retention: when a row's message text was purged.
ALTER TABLE drafts ADD COLUMN purged_ms INTEGER;
ALTER TABLE outbox ADD COLUMN purged_ms INTEGER;
ALTER TABLE alerts ADD COLUMN purged_ms INTEGER;

-- What the sandbox's ServiceNow, PagerDuty, Jira and webhook receiver were sent.
CREATE TABLE sandbox_integration_records (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    system      TEXT    NOT NULL,
    reference   TEXT    NOT NULL,
    correlation TEXT,
    body_json   TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX sandbox_integration_records_correlation
    ON sandbox_integration_records (system, correlation);
