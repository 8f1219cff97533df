-- POLE on crimes (issue 4): organisations (a business can be a victim), objects with identifiers
-- (registration mark, VIN, IMEI, serial or frame number) and locations, each linked to a crime in a
-- role; and crime cancellation (HOCR Section C) with the registrar's delegations. Objects,
-- locations and organisations are shared between crimes: the same identifier, address or
-- organisation (name and address) is one row, found again rather than entered twice.
CREATE TABLE organisation (
    id              BLOB PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    address         TEXT NOT NULL,
    address_key     TEXT NOT NULL,
    phone           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by_name TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX organisation_by_key ON organisation (name_key, address_key);

CREATE TABLE crime_organisation (
    crime_id        BLOB NOT NULL REFERENCES crime (id),
    organisation_id BLOB NOT NULL REFERENCES organisation (id),
    role            TEXT NOT NULL,
    linked_at       TEXT NOT NULL,
    linked_by_name  TEXT NOT NULL,
    PRIMARY KEY (crime_id, organisation_id, role)
) STRICT;
CREATE INDEX crime_organisation_by_organisation ON crime_organisation (organisation_id);

CREATE TABLE pole_object (
    id              BLOB PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL,
    description     TEXT NOT NULL,
    identifier_kind TEXT NOT NULL,
    identifier      TEXT NOT NULL,
    identifier_key  TEXT NOT NULL,
    make            TEXT NOT NULL,
    model           TEXT NOT NULL,
    colour          TEXT NOT NULL,
    value_pence     INTEGER,
    created_at      TEXT NOT NULL,
    created_by_name TEXT NOT NULL
) STRICT;
-- One object per identifier; objects without one are never matched.
CREATE UNIQUE INDEX pole_object_by_identifier ON pole_object (identifier_key) WHERE identifier_key <> '';

CREATE TABLE crime_object (
    crime_id       BLOB NOT NULL REFERENCES crime (id),
    object_id      BLOB NOT NULL REFERENCES pole_object (id),
    role           TEXT NOT NULL,
    linked_at      TEXT NOT NULL,
    linked_by_name TEXT NOT NULL,
    PRIMARY KEY (crime_id, object_id, role)
) STRICT;
CREATE INDEX crime_object_by_object ON crime_object (object_id);

CREATE TABLE location (
    id          BLOB PRIMARY KEY NOT NULL,
    text        TEXT NOT NULL,
    address_key TEXT NOT NULL,
    latitude    REAL,
    longitude   REAL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX location_by_address ON location (address_key);

CREATE TABLE crime_location (
    crime_id       BLOB NOT NULL REFERENCES crime (id),
    location_id    BLOB NOT NULL REFERENCES location (id),
    role           TEXT NOT NULL,
    linked_at      TEXT NOT NULL,
    linked_by_name TEXT NOT NULL,
    PRIMARY KEY (crime_id, location_id, role)
) STRICT;
CREATE INDEX crime_location_by_location ON crime_location (location_id);

-- A cancellation decision: the criterion, the additional verifiable information, and who decided
-- under which authority. A crime has at most one; it keeps its number and history.
CREATE TABLE crime_cancellation (
    crime_id             BLOB PRIMARY KEY NOT NULL REFERENCES crime (id),
    criterion            TEXT NOT NULL,
    criterion_title      TEXT NOT NULL,
    criteria_version     TEXT NOT NULL,
    verifiable_info      TEXT NOT NULL,
    related_crime_number TEXT NOT NULL,
    transferred_to       TEXT NOT NULL,
    authority            TEXT NOT NULL,
    decided_by           BLOB NOT NULL,
    decided_by_name      TEXT NOT NULL,
    decided_at           TEXT NOT NULL
) STRICT;

-- The registrar's delegations of the authority to cancel (Designated Decision Makers).
CREATE TABLE cancel_delegation (
    id              BLOB PRIMARY KEY NOT NULL,
    user_id         BLOB NOT NULL REFERENCES app_user (id),
    granted_by_name TEXT NOT NULL,
    granted_at      TEXT NOT NULL,
    reason          TEXT NOT NULL,
    ends_at         TEXT,
    revoked_at      TEXT,
    revoked_by_name TEXT
) STRICT;
CREATE INDEX cancel_delegation_by_user ON cancel_delegation (user_id);
