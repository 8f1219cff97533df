-- Person merge and unmerge (issue 4). A request to merge a duplicate person into a survivor, its
-- review and its undoing; the rows an applied merge moved (or left with the duplicate because the
-- survivor already had them) and the names it copied, so that undoing it moves back exactly those.
-- A merged-away person keeps their row and names, marked with merged_into, and is left out of
-- candidate searches. Additive: older binaries ignore the new columns and tables. No trigger guards
-- the link tables (incident_person, crime_person), so moving a link is an UPDATE of its person_id.
ALTER TABLE person ADD COLUMN merged_into BLOB REFERENCES person (id);
ALTER TABLE person ADD COLUMN merged_at TEXT;
CREATE INDEX person_merged ON person (id) WHERE merged_into IS NOT NULL;

CREATE TABLE person_merge (
    id                BLOB PRIMARY KEY NOT NULL,
    survivor_id       BLOB NOT NULL REFERENCES person (id),
    duplicate_id      BLOB NOT NULL REFERENCES person (id),
    survivor_name     TEXT NOT NULL,
    duplicate_name    TEXT NOT NULL,
    status            TEXT NOT NULL,
    reason            TEXT NOT NULL,
    score             INTEGER NOT NULL,
    -- One reason a line.
    match_reasons     TEXT NOT NULL,
    requested_by_id   BLOB,
    requested_by_name TEXT NOT NULL,
    requested_at      TEXT NOT NULL,
    decided_by_id     BLOB,
    decided_by_name   TEXT,
    decided_at        TEXT,
    decision_reason   TEXT,
    reversed_by_id    BLOB,
    reversed_by_name  TEXT,
    reversed_at       TEXT,
    reverse_reason    TEXT,
    CHECK (survivor_id <> duplicate_id)
) STRICT;
-- One open request per pair of people, whichever way round.
CREATE UNIQUE INDEX person_merge_one_open ON person_merge (min(survivor_id, duplicate_id), max(survivor_id, duplicate_id))
    WHERE status = 'requested';
CREATE INDEX person_merge_by_status ON person_merge (status, requested_at);
CREATE INDEX person_merge_by_survivor ON person_merge (survivor_id);
CREATE INDEX person_merge_by_duplicate ON person_merge (duplicate_id);

-- kind: address, phone, marker (ref_id is the row's id) or incident, crime (ref_id is the incident or
-- crime, role the link's role). moved = 0: left with the duplicate, the survivor already had it.
CREATE TABLE person_merge_row (
    merge_id BLOB NOT NULL REFERENCES person_merge (id),
    kind     TEXT NOT NULL,
    ref_id   BLOB NOT NULL,
    role     TEXT NOT NULL,
    moved    INTEGER NOT NULL,
    PRIMARY KEY (merge_id, kind, ref_id, role)
) STRICT;

-- Names copied to the survivor: where they went and what they said, to remove them on undoing.
CREATE TABLE person_merge_name (
    merge_id  BLOB NOT NULL REFERENCES person_merge (id),
    position  INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    forenames TEXT NOT NULL,
    surname   TEXT NOT NULL,
    PRIMARY KEY (merge_id, position)
) STRICT;
