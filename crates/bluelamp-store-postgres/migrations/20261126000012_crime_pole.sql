-- POLE on crimes (issue 4): organisations (a business can be a victim), objects with identifiers
-- (registration mark, VIN, IMEI, serial or frame number) and locations, each linked to a crime in a
-- role; and crime cancellation (HOCR Section C) with the registrar's delegations. Objects,
-- locations and organisations are shared between crimes: the same identifier, address or
-- organisation (name and address) is one row, found again rather than entered twice. Twin of the
-- SQLite migration.
CREATE TABLE organisation (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    name_key        text NOT NULL,
    kind            text NOT NULL,
    address         text NOT NULL,
    address_key     text NOT NULL,
    phone           text NOT NULL,
    created_at      timestamptz NOT NULL,
    created_by_name text NOT NULL
);
CREATE UNIQUE INDEX organisation_by_key ON organisation (name_key, address_key);

CREATE TABLE crime_organisation (
    crime_id        uuid NOT NULL REFERENCES crime (id),
    organisation_id uuid NOT NULL REFERENCES organisation (id),
    role            text NOT NULL,
    linked_at       timestamptz NOT NULL,
    linked_by_name  text NOT NULL,
    PRIMARY KEY (crime_id, organisation_id, role)
);
CREATE INDEX crime_organisation_by_organisation ON crime_organisation (organisation_id);

CREATE TABLE pole_object (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL,
    description     text NOT NULL,
    identifier_kind text NOT NULL,
    identifier      text NOT NULL,
    identifier_key  text NOT NULL,
    make            text NOT NULL,
    model           text NOT NULL,
    colour          text NOT NULL,
    value_pence     bigint,
    created_at      timestamptz NOT NULL,
    created_by_name text NOT NULL
);
-- One object per identifier; objects without one are never matched.
CREATE UNIQUE INDEX pole_object_by_identifier ON pole_object (identifier_key) WHERE identifier_key <> '';

CREATE TABLE crime_object (
    crime_id       uuid NOT NULL REFERENCES crime (id),
    object_id      uuid NOT NULL REFERENCES pole_object (id),
    role           text NOT NULL,
    linked_at      timestamptz NOT NULL,
    linked_by_name text NOT NULL,
    PRIMARY KEY (crime_id, object_id, role)
);
CREATE INDEX crime_object_by_object ON crime_object (object_id);

CREATE TABLE location (
    id          uuid PRIMARY KEY,
    text        text NOT NULL,
    address_key text NOT NULL,
    latitude    double precision,
    longitude   double precision,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX location_by_address ON location (address_key);

CREATE TABLE crime_location (
    crime_id       uuid NOT NULL REFERENCES crime (id),
    location_id    uuid NOT NULL REFERENCES location (id),
    role           text NOT NULL,
    linked_at      timestamptz NOT NULL,
    linked_by_name text NOT NULL,
    PRIMARY KEY (crime_id, location_id, role)
);
CREATE INDEX crime_location_by_location ON crime_location (location_id);

-- A cancellation decision: the criterion, the additional verifiable information, and who decided
-- under which authority. A crime has at most one; it keeps its number and history.
CREATE TABLE crime_cancellation (
    crime_id             uuid PRIMARY KEY REFERENCES crime (id),
    criterion            text NOT NULL,
    criterion_title      text NOT NULL,
    criteria_version     text NOT NULL,
    verifiable_info      text NOT NULL,
    related_crime_number text NOT NULL,
    transferred_to       text NOT NULL,
    authority            text NOT NULL,
    decided_by           uuid NOT NULL,
    decided_by_name      text NOT NULL,
    decided_at           timestamptz NOT NULL
);

-- The registrar's delegations of the authority to cancel (Designated Decision Makers).
CREATE TABLE cancel_delegation (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES app_user (id),
    granted_by_name text NOT NULL,
    granted_at      timestamptz NOT NULL,
    reason          text NOT NULL,
    ends_at         timestamptz,
    revoked_at      timestamptz,
    revoked_by_name text
);
CREATE INDEX cancel_delegation_by_user ON cancel_delegation (user_id);
