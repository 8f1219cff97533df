-- Incidents: the control room's record of a call for service, its append-only log, THRIVE
-- assessments and grade decisions (history kept), and per-day reference counters.

CREATE TABLE reference_counter (
    scope TEXT PRIMARY KEY NOT NULL,
    last  INTEGER NOT NULL
) STRICT;

CREATE TABLE incident (
    id               BLOB PRIMARY KEY NOT NULL,
    reference        TEXT NOT NULL UNIQUE,
    version          INTEGER NOT NULL,
    channel          TEXT NOT NULL,
    status           TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    recorded_by      BLOB NOT NULL REFERENCES app_user (id),
    caller_name      TEXT NOT NULL,
    caller_phone     TEXT NOT NULL,
    location_text    TEXT NOT NULL,
    latitude         REAL,
    longitude        REAL,
    is_rural         INTEGER NOT NULL,
    division         TEXT NOT NULL,
    opening_category TEXT NOT NULL,
    qualifiers       TEXT NOT NULL,
    grade            TEXT,
    graded_at        TEXT,
    due_at           TEXT,
    closing_category TEXT,
    closed_at        TEXT,
    result           TEXT,
    crime_reference  TEXT,
    ncrs_reason      TEXT
) STRICT;
CREATE INDEX incident_open_queue ON incident (status, due_at, received_at);
CREATE INDEX incident_received ON incident (received_at);

CREATE TABLE incident_log (
    id          BLOB PRIMARY KEY NOT NULL,
    incident_id BLOB NOT NULL REFERENCES incident (id),
    at          TEXT NOT NULL,
    author_id   BLOB,
    author_name TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL
) STRICT;
CREATE INDEX incident_log_by_incident ON incident_log (incident_id, at);

CREATE TABLE thrive_assessment (
    id                BLOB PRIMARY KEY NOT NULL,
    incident_id       BLOB NOT NULL REFERENCES incident (id),
    assessed_by       BLOB NOT NULL REFERENCES app_user (id),
    assessed_by_name  TEXT NOT NULL,
    assessed_at       TEXT NOT NULL
) STRICT;
CREATE INDEX thrive_by_incident ON thrive_assessment (incident_id, assessed_at);

CREATE TABLE thrive_entry (
    assessment_id BLOB NOT NULL REFERENCES thrive_assessment (id),
    element       TEXT NOT NULL,
    rating        TEXT NOT NULL,
    rationale     TEXT NOT NULL,
    PRIMARY KEY (assessment_id, element)
) STRICT;

CREATE TABLE incident_grade (
    id              BLOB PRIMARY KEY NOT NULL,
    incident_id     BLOB NOT NULL REFERENCES incident (id),
    grade           TEXT NOT NULL,
    due_at          TEXT,
    reason          TEXT,
    thrive_id       BLOB NOT NULL REFERENCES thrive_assessment (id),
    decided_by      BLOB NOT NULL REFERENCES app_user (id),
    decided_by_name TEXT NOT NULL,
    decided_at      TEXT NOT NULL
) STRICT;
CREATE INDEX incident_grade_by_incident ON incident_grade (incident_id, decided_at);

-- The log is append-only, like the audit trail: corrections are new entries.
CREATE TRIGGER incident_log_no_update BEFORE UPDATE ON incident_log
BEGIN
    SELECT RAISE(ABORT, 'incident_log is append-only');
END;
CREATE TRIGGER incident_log_no_delete BEFORE DELETE ON incident_log
BEGIN
    SELECT RAISE(ABORT, 'incident_log is append-only');
END;
