-- Keys for intake checks (same address, same phone) and the NCRS due time, kept on the incident row
-- so both look-ups use an index. The application fills them on every write and backfills rows
-- written before this migration (see `backfill_incident_keys`).
ALTER TABLE incident ADD COLUMN location_key TEXT;
ALTER TABLE incident ADD COLUMN phone_key TEXT;
ALTER TABLE incident ADD COLUMN ncrs_due_at TEXT;
CREATE INDEX incident_by_location_key ON incident (location_key, received_at);
CREATE INDEX incident_by_phone_key ON incident (phone_key, received_at);
CREATE INDEX incident_ncrs_due ON incident (ncrs_due_at);
