-- The names of Webex people Steward has read, so the console can say who asked, proposed or was
-- mentioned even when they never signed in to it. Filled from Webex's people API as the runtime
-- meets people; a person's later name replaces the earlier one.
CREATE TABLE webex_people (
    person_id     TEXT    PRIMARY KEY,
    display_name  TEXT    NOT NULL,
    email         TEXT,
    seen_ms       INTEGER NOT NULL
);
