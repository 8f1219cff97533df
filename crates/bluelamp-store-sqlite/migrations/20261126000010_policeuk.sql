-- data.police.uk street-level records, imported as history (issue 4): crimes with a Crime ID in
-- policeuk_crime, anti-social behaviour (no Crime ID) in policeuk_incident. Neither is a recorded
-- crime or a control-room incident: month only, no offence code, an anonymised location.
-- `key` is derived from the row by the core (policeuk.rs), so importing a file twice adds nothing.
-- Rows are appended in file order (rowid) and found by key through its unique index.
-- Twin of the migration of the same name in the other store crate.

CREATE TABLE policeuk_crime (
    key          BLOB NOT NULL UNIQUE,
    crime_id     TEXT NOT NULL,
    month        TEXT NOT NULL,
    reported_by  TEXT NOT NULL,
    falls_within TEXT NOT NULL,
    longitude    REAL,
    latitude     REAL,
    location     TEXT NOT NULL,
    lsoa_code    TEXT NOT NULL,
    lsoa_name    TEXT NOT NULL,
    crime_type   TEXT NOT NULL,
    last_outcome TEXT NOT NULL,
    context      TEXT NOT NULL,
    source_file  TEXT NOT NULL,
    source_line  INTEGER NOT NULL,
    imported_at  TEXT NOT NULL
) STRICT;
CREATE INDEX policeuk_crime_by_crime_id ON policeuk_crime (crime_id);
CREATE INDEX policeuk_crime_by_month ON policeuk_crime (month);

CREATE TABLE policeuk_incident (
    key          BLOB NOT NULL UNIQUE,
    month        TEXT NOT NULL,
    reported_by  TEXT NOT NULL,
    falls_within TEXT NOT NULL,
    longitude    REAL,
    latitude     REAL,
    location     TEXT NOT NULL,
    lsoa_code    TEXT NOT NULL,
    lsoa_name    TEXT NOT NULL,
    crime_type   TEXT NOT NULL,
    last_outcome TEXT NOT NULL,
    context      TEXT NOT NULL,
    source_file  TEXT NOT NULL,
    source_line  INTEGER NOT NULL,
    imported_at  TEXT NOT NULL
) STRICT;
CREATE INDEX policeuk_incident_by_month ON policeuk_incident (month);
