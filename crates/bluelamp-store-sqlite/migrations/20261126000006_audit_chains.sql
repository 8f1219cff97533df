-- Audit chains: the same shape as PostgreSQL (a head row per chain; `chain` and `chain_seq` on each
-- event), with one chain, because SQLite runs one write transaction at a time anyway.
-- Twin of the PostgreSQL migration of the same name.
--
-- Existing events become chain 1 with chain_seq = seq, which their hashes already cover, so nothing
-- is re-hashed. A server running an older bluelamp cannot write after this migration (its inserts
-- lack chain_seq and are refused): stop it before migrating.

ALTER TABLE audit_event ADD COLUMN chain INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_event ADD COLUMN chain_seq INTEGER;

-- The append-only guard refuses the backfill: lift it inside this migration's transaction only.
DROP TRIGGER audit_event_no_update;
UPDATE audit_event SET chain_seq = seq;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;

-- NOT NULL cannot be added to an existing SQLite column; a trigger refuses a missing chain_seq.
CREATE TRIGGER audit_event_chain_seq_required BEFORE INSERT ON audit_event
WHEN NEW.chain_seq IS NULL
BEGIN
    SELECT RAISE(ABORT, 'audit_event.chain_seq is required');
END;
CREATE UNIQUE INDEX audit_event_chain ON audit_event (chain, chain_seq);

-- One head row per chain (rebuilt: SQLite cannot drop the old CHECK (id = 1)).
CREATE TABLE audit_head_chains (
    id        INTEGER PRIMARY KEY NOT NULL CHECK (id >= 1),
    seq       INTEGER NOT NULL,
    chain_seq INTEGER NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
INSERT INTO audit_head_chains (id, seq, chain_seq, hash) SELECT id, seq, seq, hash FROM audit_head;
DROP TABLE audit_head;
ALTER TABLE audit_head_chains RENAME TO audit_head;
