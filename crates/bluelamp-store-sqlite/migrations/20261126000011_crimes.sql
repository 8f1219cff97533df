-- Crimes (issue 4): the record, the people linked to it with their roles, and every classification
-- decision (the first and each reclassification with its reason). Crime numbers come from the
-- per-year counter in reference_counter ('crime:<year>') and are unique.
CREATE TABLE crime (
    id                   BLOB PRIMARY KEY NOT NULL,
    number               TEXT NOT NULL UNIQUE,
    version              INTEGER NOT NULL,
    status               TEXT NOT NULL,
    offence_code         TEXT NOT NULL,
    offence_label        TEXT NOT NULL,
    offence_group        TEXT NOT NULL,
    offence_list_version TEXT NOT NULL,
    occurred_from        TEXT NOT NULL,
    occurred_to          TEXT,
    reported_at          TEXT NOT NULL,
    recorded_at          TEXT NOT NULL,
    recorded_by_name     TEXT NOT NULL,
    location_text        TEXT NOT NULL,
    latitude             REAL,
    longitude            REAL,
    division             TEXT NOT NULL,
    modus_operandi       TEXT NOT NULL,
    flags                TEXT NOT NULL,
    hate_strands         TEXT NOT NULL,
    injury_recorded      INTEGER NOT NULL,
    incident_id          BLOB REFERENCES incident (id),
    finalised_at         TEXT
) STRICT;
CREATE INDEX crime_recorded ON crime (recorded_at);
CREATE INDEX crime_by_incident ON crime (incident_id);
CREATE INDEX crime_by_offence ON crime (offence_code, recorded_at);

CREATE TABLE crime_person (
    crime_id       BLOB NOT NULL REFERENCES crime (id),
    person_id      BLOB NOT NULL REFERENCES person (id),
    role           TEXT NOT NULL,
    linked_at      TEXT NOT NULL,
    linked_by_name TEXT NOT NULL,
    PRIMARY KEY (crime_id, person_id, role)
) STRICT;
CREATE INDEX crime_person_by_person ON crime_person (person_id);

CREATE TABLE crime_classification (
    id                   BLOB PRIMARY KEY NOT NULL,
    crime_id             BLOB NOT NULL REFERENCES crime (id),
    offence_code         TEXT NOT NULL,
    offence_label        TEXT NOT NULL,
    offence_list_version TEXT NOT NULL,
    reason               TEXT NOT NULL,
    decided_by_name      TEXT NOT NULL,
    decided_at           TEXT NOT NULL
) STRICT;
CREATE INDEX crime_classification_by_crime ON crime_classification (crime_id, decided_at);
