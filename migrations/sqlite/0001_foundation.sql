-- Foundation schema (SQLite): people and roles, console sessions, settings, and the audit log.
-- Migrations are append-only: never edit this file once released, add a new one.
-- Timestamps are integer milliseconds since the Unix epoch.

-- People who may use the console. A row can exist before the person first signs in
-- (STEWARD_ADMIN_EMAILS seeds admins by email); the Webex person id is filled in at sign-in.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    email           TEXT    NOT NULL UNIQUE,   -- lower-cased
    display_name    TEXT,
    webex_person_id TEXT    UNIQUE,
    webex_org_id    TEXT,
    created_at_ms   INTEGER NOT NULL
);

-- Steward's own roles; Webex knows nothing about them.
CREATE TABLE user_roles (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'reviewer', 'manager')),
    granted_by    TEXT    NOT NULL,            -- an audit actor, e.g. 'user:3' or 'system:config'
    granted_at_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Console sessions (the tower-sessions store). `data` is the session record as JSON.
CREATE TABLE sessions (
    id        TEXT    PRIMARY KEY,
    data      TEXT    NOT NULL,
    expiry_ms INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry_ms);

-- Product settings an admin changes in the console; values are JSON.
CREATE TABLE settings (
    key           TEXT    PRIMARY KEY,
    value         TEXT    NOT NULL,
    updated_by    TEXT    NOT NULL,
    updated_at_ms INTEGER NOT NULL
);

-- The audit log is append-only and hash-chained: `hash` is SHA-256 over `prev_hash` and the row's
-- content (see domain::audit), so changing, removing or inserting a row is detected by verification.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,           -- position in the chain, from 1, without gaps
    at_ms       INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at_ms);

-- The end of the chain. Appending updates this single row first, which serialises writers
-- on both backends without table locks.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Ordinary writes cannot change history; verification catches anyone who bypasses this.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
