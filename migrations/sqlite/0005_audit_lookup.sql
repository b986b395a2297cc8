-- Audit log lookup (SQLite): filter columns and full-text search for the console's audit page.
--
-- `function`, `space` and `decision` are derived from each entry's content when it is appended
-- (see domain::audit::index_fields); they are not part of the hash, and verification checks that
-- they still match the content. Entries written before this migration get them here.
ALTER TABLE audit_log ADD COLUMN function TEXT;
ALTER TABLE audit_log ADD COLUMN space TEXT;
ALTER TABLE audit_log ADD COLUMN decision TEXT;

-- The append-only trigger steps aside for this one derivation, which changes no hashed column.
DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET
    function = CASE
        WHEN json_extract(after_json, '$.function') IS NOT NULL
            THEN json_extract(after_json, '$.function')
        WHEN json_extract(before_json, '$.function') IS NOT NULL
            THEN json_extract(before_json, '$.function')
        WHEN target LIKE 'function:%' THEN substr(target, 10)
        WHEN target LIKE 'release:%' THEN substr(target, 9)
        WHEN target LIKE 'prompt:%@%' THEN substr(target, 8, instr(target, '@') - 8)
    END,
    space = CASE
        WHEN target LIKE 'space:%' THEN substr(target, 7)
        ELSE json_extract(after_json, '$.room_id')
    END,
    decision = json_extract(after_json, '$.decision');
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Filters read newest first, so each index ends with the sequence number.
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_function ON audit_log (function, seq) WHERE function IS NOT NULL;
CREATE INDEX audit_log_space ON audit_log (space, seq) WHERE space IS NOT NULL;
CREATE INDEX audit_log_decision ON audit_log (decision, seq) WHERE decision IS NOT NULL;
DROP INDEX audit_log_at;
CREATE INDEX audit_log_at ON audit_log (at_ms, seq);

-- Words of every entry (action, actor, target, before and after), by sequence number. The table
-- keeps only the index, not a copy of the text.
CREATE VIRTUAL TABLE audit_search USING fts5(body, content = '', tokenize = 'unicode61');
INSERT INTO audit_search (rowid, body)
SELECT seq, action || ' ' || actor || ' ' || target || ' ' || COALESCE(before_json, '') || ' '
            || COALESCE(after_json, '')
FROM audit_log;
CREATE TRIGGER audit_log_search AFTER INSERT ON audit_log
BEGIN
    INSERT INTO audit_search (rowid, body)
    VALUES (NEW.seq, NEW.action || ' ' || NEW.actor || ' ' || NEW.target || ' '
                     || COALESCE(NEW.before_json, '') || ' ' || COALESCE(NEW.after_json, ''));
END;
