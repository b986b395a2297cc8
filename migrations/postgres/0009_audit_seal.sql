-- The audit log's seal, TRUNCATE refused, and the protection of its head (PostgreSQL).
--
-- `seal` is an HMAC of the entry's hash with the audit key, a secret Steward reads from a file or
-- the environment and never stores here (see domain::audit::AuditKey); NULL when the writer had
-- no key. Someone who can write this database can recompute hashes, but not seals.
ALTER TABLE audit_log ADD COLUMN seal TEXT;

-- Row triggers do not see TRUNCATE; a statement trigger refuses it.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The chain head only moves forward and cannot be removed, so entries cut from the end of the
-- log cannot be hidden by moving the head back with ordinary statements.
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be removed';
    END IF;
    IF NEW.id <> OLD.id OR NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'the audit chain head only moves forward';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();
