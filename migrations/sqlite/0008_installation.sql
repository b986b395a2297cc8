-- What this database was set up for: the built-in sandbox's demo organization or a real one.
-- Steward writes the one row the first time it opens the database (domain::installation) and
-- refuses to open it in the other mode, so sandbox sign-in, demo roles and the demo credentials
-- of the integration stand-ins never reach a production database.
CREATE TABLE installation (
    id            INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    kind          TEXT    NOT NULL,   -- vocab::InstallationKind: 'sandbox' or 'production'
    marked_ms     INTEGER NOT NULL
);
