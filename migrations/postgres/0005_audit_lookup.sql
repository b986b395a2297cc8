-- Audit log lookup (PostgreSQL): filter columns and full-text search for the console's audit page.
--
-- `function`, `space` and `decision` are derived from each entry's content when it is appended
-- (see domain::audit::index_fields); they are not part of the hash, and verification checks that
-- they still match the content. Entries written before this migration get them here.
ALTER TABLE audit_log ADD COLUMN function TEXT;
ALTER TABLE audit_log ADD COLUMN space TEXT;
ALTER TABLE audit_log ADD COLUMN decision TEXT;

-- The append-only trigger steps aside for this one derivation, which changes no hashed column.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
UPDATE audit_log SET
    function = CASE
        WHEN after_json::jsonb ->> 'function' IS NOT NULL THEN after_json::jsonb ->> 'function'
        WHEN before_json::jsonb ->> 'function' IS NOT NULL THEN before_json::jsonb ->> 'function'
        WHEN target LIKE 'function:%' THEN substr(target, 10)
        WHEN target LIKE 'release:%' THEN substr(target, 9)
        WHEN target LIKE 'prompt:%@%' THEN substr(target, 8, strpos(target, '@') - 8)
    END,
    space = CASE
        WHEN target LIKE 'space:%' THEN substr(target, 7)
        ELSE after_json::jsonb ->> 'room_id'
    END,
    decision = after_json::jsonb ->> 'decision';
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;

-- Filters read newest first, so each index ends with the sequence number.
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_function ON audit_log (function, seq) WHERE function IS NOT NULL;
CREATE INDEX audit_log_space ON audit_log (space, seq) WHERE space IS NOT NULL;
CREATE INDEX audit_log_decision ON audit_log (decision, seq) WHERE decision IS NOT NULL;
DROP INDEX audit_log_at;
CREATE INDEX audit_log_at ON audit_log (at_ms, seq);

-- Words of every entry (action, actor, target, before and after), computed by PostgreSQL.
ALTER TABLE audit_log ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', action || ' ' || actor || ' ' || target || ' '
                          || coalesce(before_json, '') || ' ' || coalesce(after_json, ''))
) STORED;
CREATE INDEX audit_log_search ON audit_log USING gin (search);
