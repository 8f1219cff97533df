-- Triage and allocation (issue 6). A crime gains who it is allocated to (the name kept beside the id so
-- queues and lists need no join), when, the route triage chose (investigate or desk) and its outcome
-- code when screening finalised it. Every screening decision and every allocation is kept as a row of
-- its own; officers' leave and caseload caps are kept for the allocation engine.
-- Twin of the migration of the same name in the other store crate.
ALTER TABLE crime ADD COLUMN allocated_to uuid REFERENCES app_user (id);
ALTER TABLE crime ADD COLUMN allocated_to_name text NOT NULL DEFAULT '';
ALTER TABLE crime ADD COLUMN allocated_at timestamptz;
ALTER TABLE crime ADD COLUMN route text NOT NULL DEFAULT '';
ALTER TABLE crime ADD COLUMN outcome text;
CREATE INDEX crime_by_allocated_at ON crime (allocated_at) WHERE allocated_at IS NOT NULL;
CREATE INDEX crime_open_by_officer ON crime (allocated_to, offence_group)
    WHERE status IN ('allocated', 'under-investigation');
CREATE INDEX crime_unallocated ON crime (recorded_at, id) WHERE status IN ('recorded', 'awaiting-triage');

CREATE TABLE crime_screening (
    id              uuid PRIMARY KEY,
    crime_id        uuid NOT NULL REFERENCES crime (id),
    model_id        text NOT NULL,
    model_version   integer NOT NULL,
    score           double precision,
    threshold       double precision,
    factors         text NOT NULL,
    recommendation  text NOT NULL,
    exclusion       text NOT NULL,
    decision        text NOT NULL,
    override_reason text NOT NULL,
    decided_by      uuid REFERENCES app_user (id),
    decided_by_name text NOT NULL,
    decided_at      timestamptz NOT NULL
);
CREATE INDEX crime_screening_by_crime ON crime_screening (crime_id, decided_at);
CREATE INDEX crime_screening_by_time ON crime_screening (decided_at);

CREATE TABLE crime_allocation (
    id                 uuid PRIMARY KEY,
    crime_id           uuid NOT NULL REFERENCES crime (id),
    officer_id         uuid NOT NULL REFERENCES app_user (id),
    officer_name       text NOT NULL,
    proposed_officer   uuid,
    reasons            text NOT NULL,
    automatic          boolean NOT NULL,
    allocated_by       uuid,
    allocated_by_name  text NOT NULL,
    allocated_at       timestamptz NOT NULL
);
CREATE INDEX crime_allocation_by_crime ON crime_allocation (crime_id, allocated_at);

CREATE TABLE officer_leave (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES app_user (id),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    kind             text NOT NULL,
    recorded_by_name text NOT NULL,
    recorded_at      timestamptz NOT NULL
);
CREATE INDEX officer_leave_by_end ON officer_leave (ends_at);

CREATE TABLE officer_cap (
    user_id     uuid PRIMARY KEY REFERENCES app_user (id),
    cap         integer NOT NULL,
    set_by_name text NOT NULL,
    set_at      timestamptz NOT NULL
);
