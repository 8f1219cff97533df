-- POLE people: names (the one used first, then aliases and former names), addresses over time,
-- phone numbers and markers; and people linked to incidents with a role. The *_key and soundex
-- columns are search keys computed by bluelamp-core (person::name_key, person::soundex,
-- incident::address_key, incident::phone_key). Twin of the SQLite migration; the prefix-searched
-- keys use the C collation so a range scan on the index finds every key with the prefix.
CREATE TABLE person (
    id              uuid PRIMARY KEY,
    version         bigint NOT NULL,
    date_of_birth   date,
    sex             text NOT NULL,
    created_at      timestamptz NOT NULL,
    created_by_name text NOT NULL
);
CREATE INDEX person_by_dob ON person (date_of_birth);

CREATE TABLE person_name (
    person_id   uuid NOT NULL REFERENCES person (id),
    position    integer NOT NULL,
    kind        text NOT NULL,
    forenames   text NOT NULL,
    surname     text NOT NULL,
    surname_key text COLLATE "C" NOT NULL,
    soundex     text NOT NULL,
    PRIMARY KEY (person_id, position)
);
CREATE INDEX person_name_by_surname ON person_name (surname_key);
CREATE INDEX person_name_by_soundex ON person_name (soundex);

CREATE TABLE person_address (
    id          uuid PRIMARY KEY,
    person_id   uuid NOT NULL REFERENCES person (id),
    text        text NOT NULL,
    address_key text COLLATE "C" NOT NULL,
    valid_from  date,
    valid_to    date,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX person_address_by_person ON person_address (person_id);
CREATE INDEX person_address_by_key ON person_address (address_key);

CREATE TABLE person_phone (
    id          uuid PRIMARY KEY,
    person_id   uuid NOT NULL REFERENCES person (id),
    number      text NOT NULL,
    phone_key   text NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX person_phone_by_person ON person_phone (person_id);
CREATE INDEX person_phone_by_key ON person_phone (phone_key);

CREATE TABLE person_marker (
    id            uuid PRIMARY KEY,
    person_id     uuid NOT NULL REFERENCES person (id),
    category      text NOT NULL,
    detail        text NOT NULL,
    set_by_name   text NOT NULL,
    set_at        timestamptz NOT NULL,
    ended_at      timestamptz,
    ended_by_name text,
    end_reason    text
);
CREATE INDEX person_marker_by_person ON person_marker (person_id);

CREATE TABLE incident_person (
    incident_id    uuid NOT NULL REFERENCES incident (id),
    person_id      uuid NOT NULL REFERENCES person (id),
    role           text NOT NULL,
    linked_at      timestamptz NOT NULL,
    linked_by_name text NOT NULL,
    PRIMARY KEY (incident_id, person_id, role)
);
CREATE INDEX incident_person_by_person ON incident_person (person_id);
