-- data.police.uk street-level records, imported as history (issue 4): crimes with a Crime ID in
-- policeuk_crime, anti-social behaviour (no Crime ID) in policeuk_incident. Neither is a recorded
-- crime or a control-room incident: month only, no offence code, an anonymised location.
-- `key` is derived from the row by the core (policeuk.rs), so importing a file twice adds nothing
-- (the import copies a file into a temporary table and inserts with ON CONFLICT (key) DO NOTHING).
-- Twin of the migration of the same name in the other store crate.

CREATE TABLE policeuk_crime (
    key          uuid PRIMARY KEY,
    crime_id     text NOT NULL,
    month        text NOT NULL,
    reported_by  text NOT NULL,
    falls_within text NOT NULL,
    longitude    double precision,
    latitude     double precision,
    location     text NOT NULL,
    lsoa_code    text NOT NULL,
    lsoa_name    text NOT NULL,
    crime_type   text NOT NULL,
    last_outcome text NOT NULL,
    context      text NOT NULL,
    source_file  text NOT NULL,
    source_line  bigint NOT NULL,
    imported_at  timestamptz NOT NULL
);
CREATE INDEX policeuk_crime_by_crime_id ON policeuk_crime (crime_id);
CREATE INDEX policeuk_crime_by_month ON policeuk_crime (month);

CREATE TABLE policeuk_incident (
    key          uuid PRIMARY KEY,
    month        text NOT NULL,
    reported_by  text NOT NULL,
    falls_within text NOT NULL,
    longitude    double precision,
    latitude     double precision,
    location     text NOT NULL,
    lsoa_code    text NOT NULL,
    lsoa_name    text NOT NULL,
    crime_type   text NOT NULL,
    last_outcome text NOT NULL,
    context      text NOT NULL,
    source_file  text NOT NULL,
    source_line  bigint NOT NULL,
    imported_at  timestamptz NOT NULL
);
CREATE INDEX policeuk_incident_by_month ON policeuk_incident (month);
