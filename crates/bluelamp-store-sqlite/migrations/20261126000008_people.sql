-- POLE people: names (the one used first, then aliases and former names), addresses over time,
-- phone numbers and markers; and people linked to incidents with a role. The *_key and soundex
-- columns are search keys computed by bluelamp-core (person::name_key, person::soundex,
-- incident::address_key, incident::phone_key).
CREATE TABLE person (
    id              BLOB PRIMARY KEY NOT NULL,
    version         INTEGER NOT NULL,
    date_of_birth   TEXT,
    sex             TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by_name TEXT NOT NULL
) STRICT;
CREATE INDEX person_by_dob ON person (date_of_birth);

CREATE TABLE person_name (
    person_id   BLOB NOT NULL REFERENCES person (id),
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    forenames   TEXT NOT NULL,
    surname     TEXT NOT NULL,
    surname_key TEXT NOT NULL,
    soundex     TEXT NOT NULL,
    PRIMARY KEY (person_id, position)
) STRICT;
CREATE INDEX person_name_by_surname ON person_name (surname_key);
CREATE INDEX person_name_by_soundex ON person_name (soundex);

CREATE TABLE person_address (
    id          BLOB PRIMARY KEY NOT NULL,
    person_id   BLOB NOT NULL REFERENCES person (id),
    text        TEXT NOT NULL,
    address_key TEXT NOT NULL,
    valid_from  TEXT,
    valid_to    TEXT,
    recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX person_address_by_person ON person_address (person_id);
CREATE INDEX person_address_by_key ON person_address (address_key);

CREATE TABLE person_phone (
    id          BLOB PRIMARY KEY NOT NULL,
    person_id   BLOB NOT NULL REFERENCES person (id),
    number      TEXT NOT NULL,
    phone_key   TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX person_phone_by_person ON person_phone (person_id);
CREATE INDEX person_phone_by_key ON person_phone (phone_key);

CREATE TABLE person_marker (
    id            BLOB PRIMARY KEY NOT NULL,
    person_id     BLOB NOT NULL REFERENCES person (id),
    category      TEXT NOT NULL,
    detail        TEXT NOT NULL,
    set_by_name   TEXT NOT NULL,
    set_at        TEXT NOT NULL,
    ended_at      TEXT,
    ended_by_name TEXT,
    end_reason    TEXT
) STRICT;
CREATE INDEX person_marker_by_person ON person_marker (person_id);

CREATE TABLE incident_person (
    incident_id    BLOB NOT NULL REFERENCES incident (id),
    person_id      BLOB NOT NULL REFERENCES person (id),
    role           TEXT NOT NULL,
    linked_at      TEXT NOT NULL,
    linked_by_name TEXT NOT NULL,
    PRIMARY KEY (incident_id, person_id, role)
) STRICT;
CREATE INDEX incident_person_by_person ON incident_person (person_id);
