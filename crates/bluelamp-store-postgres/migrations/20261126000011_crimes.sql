-- Crimes (issue 4): the record, the people linked to it with their roles, and every classification
-- decision (the first and each reclassification with its reason). Crime numbers come from the
-- per-year counter in reference_counter ('crime:<year>') and are unique. Twin of the SQLite migration.
CREATE TABLE crime (
    id                   uuid PRIMARY KEY,
    number               text NOT NULL UNIQUE,
    version              bigint NOT NULL,
    status               text NOT NULL,
    offence_code         text NOT NULL,
    offence_label        text NOT NULL,
    offence_group        text NOT NULL,
    offence_list_version text NOT NULL,
    occurred_from        timestamptz NOT NULL,
    occurred_to          timestamptz,
    reported_at          timestamptz NOT NULL,
    recorded_at          timestamptz NOT NULL,
    recorded_by_name     text NOT NULL,
    location_text        text NOT NULL,
    latitude             double precision,
    longitude            double precision,
    division             text NOT NULL,
    modus_operandi       text NOT NULL,
    flags                text NOT NULL,
    hate_strands         text NOT NULL,
    injury_recorded      boolean NOT NULL,
    incident_id          uuid REFERENCES incident (id),
    finalised_at         timestamptz
);
CREATE INDEX crime_recorded ON crime (recorded_at);
CREATE INDEX crime_by_incident ON crime (incident_id);
CREATE INDEX crime_by_offence ON crime (offence_code, recorded_at);

CREATE TABLE crime_person (
    crime_id       uuid NOT NULL REFERENCES crime (id),
    person_id      uuid NOT NULL REFERENCES person (id),
    role           text NOT NULL,
    linked_at      timestamptz NOT NULL,
    linked_by_name text NOT NULL,
    PRIMARY KEY (crime_id, person_id, role)
);
CREATE INDEX crime_person_by_person ON crime_person (person_id);

CREATE TABLE crime_classification (
    id                   uuid PRIMARY KEY,
    crime_id             uuid NOT NULL REFERENCES crime (id),
    offence_code         text NOT NULL,
    offence_label        text NOT NULL,
    offence_list_version text NOT NULL,
    reason               text NOT NULL,
    decided_by_name      text NOT NULL,
    decided_at           timestamptz NOT NULL
);
CREATE INDEX crime_classification_by_crime ON crime_classification (crime_id, decided_at);
