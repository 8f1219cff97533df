-- Units the control room deploys, and each unit's deployments to incidents.
CREATE TABLE resource (
    id          BLOB PRIMARY KEY NOT NULL,
    call_sign   TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    division    TEXT NOT NULL,
    status      TEXT NOT NULL,
    incident_id BLOB REFERENCES incident (id),
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX resource_by_division ON resource (division, call_sign);

CREATE TABLE deployment (
    id               BLOB PRIMARY KEY NOT NULL,
    incident_id      BLOB NOT NULL REFERENCES incident (id),
    resource_id      BLOB NOT NULL REFERENCES resource (id),
    call_sign        TEXT NOT NULL,
    deployed_at      TEXT NOT NULL,
    deployed_by_name TEXT NOT NULL,
    arrived_at       TEXT,
    cleared_at       TEXT
) STRICT;
CREATE INDEX deployment_by_incident ON deployment (incident_id, deployed_at);
