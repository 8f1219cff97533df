-- Triage and allocation (issue 6). A crime gains who it is allocated to (the name kept beside the id so
-- queues and lists need no join), when, the route triage chose (investigate or desk) and its outcome
-- code when screening finalised it. Every screening decision and every allocation is kept as a row of
-- its own; officers' leave and caseload caps are kept for the allocation engine.
-- Twin of the migration of the same name in the other store crate.
ALTER TABLE crime ADD COLUMN allocated_to BLOB REFERENCES app_user (id);
ALTER TABLE crime ADD COLUMN allocated_to_name TEXT NOT NULL DEFAULT '';
ALTER TABLE crime ADD COLUMN allocated_at TEXT;
ALTER TABLE crime ADD COLUMN route TEXT NOT NULL DEFAULT '';
ALTER TABLE crime ADD COLUMN outcome TEXT;
CREATE INDEX crime_by_allocated_at ON crime (allocated_at) WHERE allocated_at IS NOT NULL;
CREATE INDEX crime_open_by_officer ON crime (allocated_to, offence_group)
    WHERE status IN ('allocated', 'under-investigation');
CREATE INDEX crime_unallocated ON crime (recorded_at, id) WHERE status IN ('recorded', 'awaiting-triage');

CREATE TABLE crime_screening (
    id              BLOB PRIMARY KEY NOT NULL,
    crime_id        BLOB NOT NULL REFERENCES crime (id),
    model_id        TEXT NOT NULL,
    model_version   INTEGER NOT NULL,
    score           REAL,
    threshold       REAL,
    factors         TEXT NOT NULL,
    recommendation  TEXT NOT NULL,
    exclusion       TEXT NOT NULL,
    decision        TEXT NOT NULL,
    override_reason TEXT NOT NULL,
    decided_by      BLOB REFERENCES app_user (id),
    decided_by_name TEXT NOT NULL,
    decided_at      TEXT NOT NULL
) STRICT;
CREATE INDEX crime_screening_by_crime ON crime_screening (crime_id, decided_at);
CREATE INDEX crime_screening_by_time ON crime_screening (decided_at);

CREATE TABLE crime_allocation (
    id                 BLOB PRIMARY KEY NOT NULL,
    crime_id           BLOB NOT NULL REFERENCES crime (id),
    officer_id         BLOB NOT NULL REFERENCES app_user (id),
    officer_name       TEXT NOT NULL,
    proposed_officer   BLOB,
    reasons            TEXT NOT NULL,
    automatic          INTEGER NOT NULL,
    allocated_by       BLOB,
    allocated_by_name  TEXT NOT NULL,
    allocated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX crime_allocation_by_crime ON crime_allocation (crime_id, allocated_at);

CREATE TABLE officer_leave (
    id               BLOB PRIMARY KEY NOT NULL,
    user_id          BLOB NOT NULL REFERENCES app_user (id),
    starts_at        TEXT NOT NULL,
    ends_at          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
) STRICT;
CREATE INDEX officer_leave_by_end ON officer_leave (ends_at);

CREATE TABLE officer_cap (
    user_id     BLOB PRIMARY KEY NOT NULL REFERENCES app_user (id),
    cap         INTEGER NOT NULL,
    set_by_name TEXT NOT NULL,
    set_at      TEXT NOT NULL
) STRICT;
