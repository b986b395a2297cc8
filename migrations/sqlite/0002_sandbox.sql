-- The built-in Webex sandbox (SQLite): a local implementation of the Webex Messaging API with its
-- own people, spaces, messages, webhooks, card actions and OAuth provider. Only used in sandbox
-- mode; these tables are empty otherwise. Booleans are stored as 0/1 integers on both backends.

CREATE TABLE sandbox_people (
    id            TEXT    PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    first_name    TEXT,
    last_name     TEXT,
    org_id        TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('person', 'bot')),
    is_org_admin  INTEGER NOT NULL DEFAULT 0,
    -- The Steward role the demo gives this person at sign-in (admin, reviewer, manager) or NULL.
    demo_role     TEXT,
    created_ms    INTEGER NOT NULL
);

CREATE TABLE sandbox_rooms (
    id               TEXT    PRIMARY KEY,
    title            TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('direct', 'group')),
    is_locked        INTEGER NOT NULL DEFAULT 0,
    creator_id       TEXT    NOT NULL,
    org_id           TEXT    NOT NULL,
    created_ms       INTEGER NOT NULL,
    last_activity_ms INTEGER NOT NULL
);

CREATE TABLE sandbox_memberships (
    id           TEXT    PRIMARY KEY,
    room_id      TEXT    NOT NULL REFERENCES sandbox_rooms (id),
    person_id    TEXT    NOT NULL REFERENCES sandbox_people (id),
    is_moderator INTEGER NOT NULL DEFAULT 0,
    created_ms   INTEGER NOT NULL,
    UNIQUE (room_id, person_id)
);
CREATE INDEX sandbox_memberships_person ON sandbox_memberships (person_id);

-- `seq` orders messages (newest first in listings) and is the pagination cursor.
CREATE TABLE sandbox_messages (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    id                    TEXT    NOT NULL UNIQUE,
    room_id               TEXT    NOT NULL REFERENCES sandbox_rooms (id),
    person_id             TEXT    NOT NULL REFERENCES sandbox_people (id),
    parent_id             TEXT,
    text                  TEXT    NOT NULL,
    markdown              TEXT,
    html                  TEXT,
    files_json            TEXT,
    attachments_json      TEXT,
    mentioned_people_json TEXT,
    mentioned_groups_json TEXT,
    created_ms            INTEGER NOT NULL,
    updated_ms            INTEGER,
    edits                 INTEGER NOT NULL DEFAULT 0,
    deleted               INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sandbox_messages_room ON sandbox_messages (room_id, seq);

CREATE TABLE sandbox_webhooks (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    owner_id       TEXT    NOT NULL REFERENCES sandbox_people (id),
    name           TEXT    NOT NULL,
    target_url     TEXT    NOT NULL,
    resource       TEXT    NOT NULL,
    event          TEXT    NOT NULL,
    filter         TEXT,
    secret         TEXT,
    status         TEXT    NOT NULL CHECK (status IN ('active', 'inactive')),
    app_id         TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL,
    disabled_at_ms INTEGER
);

-- Failed deliveries per webhook: 100 within 5 minutes make the webhook inactive.
CREATE TABLE sandbox_webhook_failures (
    webhook_id TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL
);
CREATE INDEX sandbox_webhook_failures_at ON sandbox_webhook_failures (webhook_id, at_ms);

-- Deliveries waiting to be POSTed, written in the same transaction as the event itself.
CREATE TABLE sandbox_deliveries (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id  TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'dropped')),
    status_code INTEGER,
    error       TEXT,
    created_ms  INTEGER NOT NULL,
    done_ms     INTEGER
);
CREATE INDEX sandbox_deliveries_pending ON sandbox_deliveries (state, seq);

CREATE TABLE sandbox_attachment_actions (
    id          TEXT    PRIMARY KEY,
    message_id  TEXT    NOT NULL,
    person_id   TEXT    NOT NULL,
    room_id     TEXT    NOT NULL,
    inputs_json TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);

CREATE TABLE sandbox_oauth_clients (
    client_id     TEXT PRIMARY KEY,
    client_secret TEXT NOT NULL,
    name          TEXT NOT NULL,
    redirect_uris TEXT NOT NULL   -- space-separated
);

CREATE TABLE sandbox_oauth_codes (
    code                  TEXT    PRIMARY KEY,
    client_id             TEXT    NOT NULL,
    person_id             TEXT    NOT NULL,
    redirect_uri          TEXT    NOT NULL,
    scope                 TEXT    NOT NULL,
    code_challenge        TEXT,
    code_challenge_method TEXT,
    expires_ms            INTEGER NOT NULL,
    used                  INTEGER NOT NULL DEFAULT 0
);

-- Access and refresh tokens. Personal and bot tokens have no expiry and no client.
CREATE TABLE sandbox_tokens (
    token      TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('access', 'refresh')),
    person_id  TEXT    NOT NULL REFERENCES sandbox_people (id),
    client_id  TEXT,
    scope      TEXT    NOT NULL,
    expires_ms INTEGER,
    revoked    INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);
