-- Striped audit chains: several chain heads instead of one, so concurrent transactions each take a
-- free head (SELECT … FOR UPDATE SKIP LOCKED) instead of queueing on a single row until commit.
-- Twin of the SQLite migration of the same name.
--
-- `seq` stays the unique global order, now from a sequence taken after the head lock (so it rises
-- within each chain; a rolled-back transaction leaves a gap). `chain` and `chain_seq` place each
-- event in its chain; its hash links to the previous event of the same chain. Existing events
-- become chain 1 with chain_seq = seq, which their hashes already cover, so nothing is re-hashed.
--
-- A server running an older bluelamp cannot write after this migration (its inserts lack
-- chain_seq and are refused, never mis-chained): stop it before migrating.

ALTER TABLE audit_event ADD COLUMN chain integer, ADD COLUMN chain_seq bigint;

-- The append-only guard refuses the backfill: lift it inside this migration's transaction only.
DROP TRIGGER audit_event_no_update ON audit_event;
UPDATE audit_event SET chain = 1, chain_seq = seq;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();

ALTER TABLE audit_event ALTER COLUMN chain SET NOT NULL, ALTER COLUMN chain_seq SET NOT NULL;
CREATE UNIQUE INDEX audit_event_chain ON audit_event (chain, chain_seq);

-- One head row per chain: id is the chain number, seq the global number of its last event,
-- chain_seq how many events it holds.
ALTER TABLE audit_head DROP CONSTRAINT audit_head_id_check;
ALTER TABLE audit_head ADD CONSTRAINT audit_head_id_check CHECK (id >= 1);
ALTER TABLE audit_head ADD COLUMN chain_seq bigint;
UPDATE audit_head SET chain_seq = seq;
ALTER TABLE audit_head ALTER COLUMN chain_seq SET NOT NULL;
INSERT INTO audit_head (id, seq, chain_seq, hash)
SELECT g, 0, 0, '0000000000000000000000000000000000000000000000000000000000000000'
FROM generate_series(2, 16) g;

CREATE SEQUENCE audit_event_seq AS bigint;
SELECT setval('audit_event_seq', COALESCE((SELECT max(seq) FROM audit_event), 0) + 1, false);
