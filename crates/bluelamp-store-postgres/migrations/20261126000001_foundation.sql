-- Foundation: users and their roles, sessions, API tokens, restricted records and the audit chain.
-- Twin of the SQLite migration of the same name.

CREATE TABLE app_user (
    id              uuid PRIMARY KEY,
    username        text NOT NULL UNIQUE,
    display_name    text NOT NULL,
    collar_number   text NOT NULL,
    rank            text NOT NULL,
    team            text NOT NULL,
    station         text NOT NULL,
    division        text NOT NULL,
    pip_level       text NOT NULL,
    password_hash   text,
    is_disabled     boolean NOT NULL DEFAULT false,
    failed_sign_ins integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE TABLE user_role (
    user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role    text NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_specialism (
    user_id    uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    specialism text NOT NULL,
    PRIMARY KEY (user_id, specialism)
);

CREATE TABLE session (
    id           uuid PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE,
    user_id      uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    ip           text,
    user_agent   text
);
CREATE INDEX session_by_user ON session (user_id);

CREATE TABLE api_token (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    label      text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX api_token_by_user ON api_token (user_id);

CREATE TABLE restriction (
    record_type   text NOT NULL,
    record_id     uuid NOT NULL,
    reason        text NOT NULL,
    restricted_by uuid NOT NULL,
    restricted_at timestamptz NOT NULL,
    PRIMARY KEY (record_type, record_id)
);

CREATE TABLE restriction_access (
    record_type text NOT NULL,
    record_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    PRIMARY KEY (record_type, record_id, user_id),
    FOREIGN KEY (record_type, record_id) REFERENCES restriction (record_type, record_id) ON DELETE CASCADE
);

CREATE TABLE audit_event (
    seq           bigint PRIMARY KEY,
    id            uuid NOT NULL UNIQUE,
    at            timestamptz NOT NULL,
    actor_id      uuid,
    actor_name    text NOT NULL,
    action        text NOT NULL,
    category      text NOT NULL,
    outcome       text NOT NULL,
    record_type   text,
    record_id     text,
    justification text,
    before_json   text,
    after_json    text,
    request_id    text,
    ip            text,
    is_generated  boolean NOT NULL DEFAULT false,
    prev_hash     text NOT NULL,
    hash          text NOT NULL
);
CREATE INDEX audit_event_actor ON audit_event (actor_name, seq);
CREATE INDEX audit_event_record ON audit_event (record_type, record_id, seq);
CREATE INDEX audit_event_at ON audit_event (at);

-- The chain head: one row, locked by every append, so the chain is a single line.
CREATE TABLE audit_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The trail is append-only: the application can never change or remove an event.
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only';
END;
$$;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
