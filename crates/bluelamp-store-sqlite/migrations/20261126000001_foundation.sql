-- Foundation: users and their roles, sessions, API tokens, restricted records and the audit chain.
-- Instants are TEXT in one fixed UTC format (2026-11-26T09:40:00.000000Z) so they sort as text.

CREATE TABLE app_user (
    id              BLOB PRIMARY KEY NOT NULL,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    collar_number   TEXT NOT NULL,
    rank            TEXT NOT NULL,
    team            TEXT NOT NULL,
    station         TEXT NOT NULL,
    division        TEXT NOT NULL,
    pip_level       TEXT NOT NULL,
    password_hash   TEXT,
    is_disabled     INTEGER NOT NULL DEFAULT 0,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE TABLE user_role (
    user_id BLOB NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
) STRICT;

CREATE TABLE user_specialism (
    user_id    BLOB NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    specialism TEXT NOT NULL,
    PRIMARY KEY (user_id, specialism)
) STRICT;

CREATE TABLE session (
    id           BLOB PRIMARY KEY NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      BLOB NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ip           TEXT,
    user_agent   TEXT
) STRICT;
CREATE INDEX session_by_user ON session (user_id);

CREATE TABLE api_token (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;
CREATE INDEX api_token_by_user ON api_token (user_id);

CREATE TABLE restriction (
    record_type   TEXT NOT NULL,
    record_id     BLOB NOT NULL,
    reason        TEXT NOT NULL,
    restricted_by BLOB NOT NULL,
    restricted_at TEXT NOT NULL,
    PRIMARY KEY (record_type, record_id)
) STRICT;

CREATE TABLE restriction_access (
    record_type TEXT NOT NULL,
    record_id   BLOB NOT NULL,
    user_id     BLOB NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    PRIMARY KEY (record_type, record_id, user_id),
    FOREIGN KEY (record_type, record_id) REFERENCES restriction (record_type, record_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE audit_event (
    seq           INTEGER PRIMARY KEY NOT NULL,
    id            BLOB NOT NULL UNIQUE,
    at            TEXT NOT NULL,
    actor_id      BLOB,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    category      TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    record_type   TEXT,
    record_id     TEXT,
    justification TEXT,
    before_json   TEXT,
    after_json    TEXT,
    request_id    TEXT,
    ip            TEXT,
    is_generated  INTEGER NOT NULL DEFAULT 0,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
) STRICT;
CREATE INDEX audit_event_actor ON audit_event (actor_name, seq);
CREATE INDEX audit_event_record ON audit_event (record_type, record_id, seq);
CREATE INDEX audit_event_at ON audit_event (at);

-- The chain head: one row, locked by every append, so the chain is a single line.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The trail is append-only: the application can never change or remove an event.
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
