-- The audit log's seal and the protection of its head (SQLite).
--
-- `seal` is an HMAC of the entry's hash with the audit key, a secret Steward reads from a file or
-- the environment and never stores here (see domain::audit::AuditKey); NULL when the writer had
-- no key. Someone who can write this database can recompute hashes, but not seals.
ALTER TABLE audit_log ADD COLUMN seal TEXT;

-- The chain head only moves forward and cannot be removed, so entries cut from the end of the
-- log cannot be hidden by moving the head back with ordinary statements.
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'the audit chain head cannot be removed');
END;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.id <> OLD.id OR NEW.seq < OLD.seq
BEGIN
    SELECT RAISE(ABORT, 'the audit chain head only moves forward');
END;
