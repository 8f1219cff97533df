-- Units the control room deploys, and each unit's deployments to incidents. Twin of the SQLite migration.
CREATE TABLE resource (
    id          uuid PRIMARY KEY,
    call_sign   text NOT NULL UNIQUE,
    kind        text NOT NULL,
    division    text NOT NULL,
    status      text NOT NULL,
    incident_id uuid REFERENCES incident (id),
    updated_at  timestamptz NOT NULL
);
CREATE INDEX resource_by_division ON resource (division, call_sign);

CREATE TABLE deployment (
    id               uuid PRIMARY KEY,
    incident_id      uuid NOT NULL REFERENCES incident (id),
    resource_id      uuid NOT NULL REFERENCES resource (id),
    call_sign        text NOT NULL,
    deployed_at      timestamptz NOT NULL,
    deployed_by_name text NOT NULL,
    arrived_at       timestamptz,
    cleared_at       timestamptz
);
CREATE INDEX deployment_by_incident ON deployment (incident_id, deployed_at);
