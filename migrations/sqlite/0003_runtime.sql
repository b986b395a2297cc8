-- The bot runtime (SQLite): Steward's Webex webhooks, the inbox of received events, the job queue,
-- the outbox of replies, agent policy, drafts, alerts and usage counters.
-- Timestamps are integer milliseconds since the Unix epoch; booleans are 0/1 integers.

-- The webhooks Steward registered at Webex, with the secret each delivery is signed with.
CREATE TABLE webex_webhooks (
    webhook_id    TEXT    PRIMARY KEY,
    name          TEXT    NOT NULL,
    resource      TEXT    NOT NULL,
    event         TEXT    NOT NULL,
    target_url    TEXT    NOT NULL,
    secret        TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    registered_ms INTEGER NOT NULL,
    checked_ms    INTEGER NOT NULL
);

-- Every authentic event, committed before Webex gets its 200. Webex sends identifiers and
-- metadata only (never message text), and only `data` is kept. One row per
-- (resource, event, data id): redeliveries and back-filled copies of an event find it here.
-- `state` is where the event stands: queued → replying → replied, or one of the other terminal
-- states (ignored, recorded, off, shadowed, drafted, dead).
CREATE TABLE inbox_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resource    TEXT    NOT NULL,
    event       TEXT    NOT NULL,
    data_id     TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('webhook', 'backfill')),
    webhook_id  TEXT,
    actor_id    TEXT,
    room_id     TEXT,
    person_id   TEXT,
    parent_id   TEXT,
    created_ms  INTEGER,                       -- data.created: when it happened at Webex
    data_json   TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN
                    ('queued', 'replying', 'replied', 'ignored', 'recorded', 'off', 'shadowed', 'drafted',
                     'dead')),
    reason      TEXT,                          -- why it was ignored or dead-lettered
    received_ms INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    UNIQUE (resource, event, data_id)
);
CREATE INDEX inbox_events_room ON inbox_events (room_id, created_ms);
CREATE INDEX inbox_events_state ON inbox_events (state, id);

-- The durable job queue. A worker claims a queued job whose time has come by setting a lease;
-- a lease that runs out (a crashed worker) puts the job back. Jobs that share a `queue_key` (the
-- replies of one space) run one at a time in id order.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,          -- JSON
    queue_key        TEXT,
    state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    run_at_ms        INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_expires_ms INTEGER,
    last_error       TEXT,
    outcome          TEXT,
    created_ms       INTEGER NOT NULL,
    finished_ms      INTEGER
);
CREATE INDEX jobs_queued ON jobs (run_at_ms, id) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs (lease_expires_ms) WHERE state = 'running';
CREATE INDEX jobs_key ON jobs (queue_key, id) WHERE queue_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX jobs_finished ON jobs (finished_ms) WHERE state IN ('done', 'dead');

-- Messages Steward is to post. The row is the intent, written before the POST; `attempted_ms`
-- says a POST may have reached Webex, so a retry first looks for the message it may have left.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     INTEGER REFERENCES inbox_events (id),
    draft_id     INTEGER,
    room_id      TEXT    NOT NULL,
    parent_id    TEXT,
    markdown     TEXT    NOT NULL,
    card_json    TEXT,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
    attempted_ms INTEGER,
    message_id   TEXT,
    error        TEXT,
    created_ms   INTEGER NOT NULL,
    sent_ms      INTEGER
);
CREATE INDEX outbox_room ON outbox (room_id, id);

-- Spaces Steward has met: where the bot was added, or where someone spoke to it.
CREATE TABLE spaces (
    room_id       TEXT    PRIMARY KEY,
    title         TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('direct', 'group')),
    bot_joined_ms INTEGER,
    bot_left_ms   INTEGER,
    greeted_ms    INTEGER,                     -- when the bot said nothing is enabled here yet
    first_seen_ms INTEGER NOT NULL
);

-- The kill switch per agent function. A function without a row is switched on.
CREATE TABLE agent_functions (
    function   TEXT    PRIMARY KEY,
    enabled    INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_ms INTEGER NOT NULL
);

-- The mode of an agent function in a space. A space without a row is `off` for that function.
CREATE TABLE function_modes (
    function   TEXT    NOT NULL,
    room_id    TEXT    NOT NULL,
    mode       TEXT    NOT NULL CHECK (mode IN ('off', 'shadow', 'review', 'live')),
    updated_by TEXT    NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (function, room_id)
);

-- What an agent produced in shadow mode (kept for evaluation, never posted) or in review mode
-- (waiting for a reviewer, then approved or rejected).
CREATE TABLE drafts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id           INTEGER REFERENCES inbox_events (id),
    function           TEXT    NOT NULL,
    room_id            TEXT    NOT NULL,
    parent_id          TEXT,
    trigger_message_id TEXT,
    trigger_person_id  TEXT,
    prompt_version     TEXT    NOT NULL,
    engine             TEXT    NOT NULL,
    markdown           TEXT    NOT NULL,
    card_json          TEXT,
    state              TEXT    NOT NULL CHECK (state IN ('shadow', 'pending', 'approved', 'rejected')),
    decided_by         TEXT,
    decided_ms         INTEGER,
    reason             TEXT,
    final_markdown     TEXT,                   -- what was posted, after a reviewer's edit
    created_ms         INTEGER NOT NULL
);
CREATE INDEX drafts_state ON drafts (state, id);

-- Alerts that alert triage assessed, and what people did with them from the card.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        INTEGER REFERENCES inbox_events (id),
    room_id         TEXT    NOT NULL,
    message_id      TEXT    NOT NULL UNIQUE,
    thread_id       TEXT    NOT NULL,          -- the root of the alert's thread, where the card goes
    severity        TEXT    NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
    title           TEXT    NOT NULL,          -- the alert's first line, redacted
    entities_json   TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('open', 'acknowledged', 'escalated')),
    acted_by        TEXT,                      -- Webex person id of whoever clicked
    acted_ms        INTEGER,
    created_ms      INTEGER NOT NULL
);
CREATE INDEX alerts_room ON alerts (room_id, id);

-- Usage per UTC day, agent function, space and decision.
CREATE TABLE usage_daily (
    day_ms           INTEGER NOT NULL,          -- midnight UTC
    function         TEXT    NOT NULL,
    room_id          TEXT    NOT NULL,
    decision         TEXT    NOT NULL,
    events           INTEGER NOT NULL,
    latency_ms_total INTEGER NOT NULL,
    PRIMARY KEY (day_ms, function, room_id, decision)
);

-- The sandbox's compliance officers may read every space of their organization (Webex's
-- spark-compliance:messages_read), which is how Steward reads history a bot cannot see.
ALTER TABLE sandbox_people ADD COLUMN is_compliance_officer INTEGER NOT NULL DEFAULT 0;
