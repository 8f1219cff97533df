-- Incidents: the control room's record of a call for service, its append-only log, THRIVE
-- assessments and grade decisions (history kept), and per-day reference counters.
-- Twin of the SQLite migration of the same name.

CREATE TABLE reference_counter (
    scope text PRIMARY KEY,
    last  bigint NOT NULL
);

CREATE TABLE incident (
    id               uuid PRIMARY KEY,
    reference        text NOT NULL UNIQUE,
    version          bigint NOT NULL,
    channel          text NOT NULL,
    status           text NOT NULL,
    received_at      timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL,
    recorded_by      uuid NOT NULL REFERENCES app_user (id),
    caller_name      text NOT NULL,
    caller_phone     text NOT NULL,
    location_text    text NOT NULL,
    latitude         double precision,
    longitude        double precision,
    is_rural         boolean NOT NULL,
    division         text NOT NULL,
    opening_category text NOT NULL,
    qualifiers       text NOT NULL,
    grade            text,
    graded_at        timestamptz,
    due_at           timestamptz,
    closing_category text,
    closed_at        timestamptz,
    result           text,
    crime_reference  text,
    ncrs_reason      text
);
CREATE INDEX incident_open_queue ON incident (status, due_at, received_at);
CREATE INDEX incident_received ON incident (received_at);

CREATE TABLE incident_log (
    id          uuid PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incident (id),
    at          timestamptz NOT NULL,
    author_id   uuid,
    author_name text NOT NULL,
    kind        text NOT NULL,
    text        text NOT NULL
);
CREATE INDEX incident_log_by_incident ON incident_log (incident_id, at);

CREATE TABLE thrive_assessment (
    id                uuid PRIMARY KEY,
    incident_id       uuid NOT NULL REFERENCES incident (id),
    assessed_by       uuid NOT NULL REFERENCES app_user (id),
    assessed_by_name  text NOT NULL,
    assessed_at       timestamptz NOT NULL
);
CREATE INDEX thrive_by_incident ON thrive_assessment (incident_id, assessed_at);

CREATE TABLE thrive_entry (
    assessment_id uuid NOT NULL REFERENCES thrive_assessment (id),
    element       text NOT NULL,
    rating        text NOT NULL,
    rationale     text NOT NULL,
    PRIMARY KEY (assessment_id, element)
);

CREATE TABLE incident_grade (
    id              uuid PRIMARY KEY,
    incident_id     uuid NOT NULL REFERENCES incident (id),
    grade           text NOT NULL,
    due_at          timestamptz,
    reason          text,
    thrive_id       uuid NOT NULL REFERENCES thrive_assessment (id),
    decided_by      uuid NOT NULL REFERENCES app_user (id),
    decided_by_name text NOT NULL,
    decided_at      timestamptz NOT NULL
);
CREATE INDEX incident_grade_by_incident ON incident_grade (incident_id, decided_at);

-- The log is append-only, like the audit trail: corrections are new entries.
CREATE FUNCTION incident_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident_log is append-only';
END;
$$;
CREATE TRIGGER incident_log_no_change BEFORE UPDATE OR DELETE ON incident_log
    FOR EACH ROW EXECUTE FUNCTION incident_log_append_only();
