-- Governance (SQLite): gradual rollout, versioned prompts and releases, graduation of new
-- versions, and what reviewers need to decide a draft.

-- The share of spaces (0 to 100) in which a function acts; a space is in or out by a stable hash
-- of its ID, so it stays where it is as the share grows.
ALTER TABLE agent_functions ADD COLUMN rollout_percent INTEGER NOT NULL DEFAULT 100;

-- Prompt versions are immutable: a change is a new version.
CREATE TABLE prompt_versions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    function       TEXT    NOT NULL,
    version        INTEGER NOT NULL,            -- 1, 2, … per function
    template       TEXT    NOT NULL,
    variables_json TEXT    NOT NULL,            -- the {{variables}} the template uses
    settings_json  TEXT    NOT NULL,            -- engine tunables
    author         TEXT    NOT NULL,            -- an audit actor
    note           TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL,
    UNIQUE (function, version)
);
CREATE TRIGGER prompt_versions_no_update BEFORE UPDATE ON prompt_versions
BEGIN
    SELECT RAISE(ABORT, 'prompt versions are immutable');
END;
CREATE TRIGGER prompt_versions_no_delete BEFORE DELETE ON prompt_versions
BEGIN
    SELECT RAISE(ABORT, 'prompt versions are immutable');
END;

-- The version each function runs. With a candidate, `candidate_percent` of spaces (by a stable
-- hash of their ID) run the candidate instead: an A/B split that keeps each space on one side.
-- `previous_version` is what one-click rollback returns to.
CREATE TABLE releases (
    function          TEXT    PRIMARY KEY,
    version           INTEGER NOT NULL,
    candidate_version INTEGER,
    candidate_percent INTEGER NOT NULL DEFAULT 0,
    previous_version  INTEGER,
    updated_by        TEXT    NOT NULL,
    updated_ms        INTEGER NOT NULL
);

-- A new version is on probation: where its function is live, its drafts still wait for a
-- reviewer until it has enough approvals at a high enough rate; a streak of rejections puts a
-- graduated version back on probation.
CREATE TABLE graduation (
    function         TEXT    NOT NULL,
    version          INTEGER NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('probation', 'graduated')),
    approvals        INTEGER NOT NULL DEFAULT 0,  -- since the last change of state
    rejections       INTEGER NOT NULL DEFAULT 0,  -- since the last change of state
    rejection_streak INTEGER NOT NULL DEFAULT 0,
    total_approvals  INTEGER NOT NULL DEFAULT 0,
    total_rejections INTEGER NOT NULL DEFAULT 0,
    changed_ms       INTEGER NOT NULL,
    PRIMARY KEY (function, version)
);

-- What a reviewer sees besides the draft: the message that triggered it and the thread before
-- it (redacted); and the edit distance of an edited approval.
ALTER TABLE drafts ADD COLUMN context_json TEXT;
ALTER TABLE drafts ADD COLUMN edit_distance INTEGER;
