-- Person merge and unmerge (issue 4). Twin of the SQLite migration: a request to merge a duplicate
-- person into a survivor, its review and its undoing; the rows an applied merge moved (or left with
-- the duplicate because the survivor already had them) and the names it copied, so that undoing it
-- moves back exactly those. A merged-away person keeps their row and names, marked with merged_into,
-- and is left out of candidate searches. Additive: older binaries ignore the new columns and tables.
-- No trigger guards the link tables (incident_person, crime_person), so moving a link is an UPDATE
-- of its person_id.
ALTER TABLE person ADD COLUMN merged_into uuid REFERENCES person (id);
ALTER TABLE person ADD COLUMN merged_at timestamptz;
CREATE INDEX person_merged ON person (id) WHERE merged_into IS NOT NULL;

CREATE TABLE person_merge (
    id                uuid PRIMARY KEY,
    survivor_id       uuid NOT NULL REFERENCES person (id),
    duplicate_id      uuid NOT NULL REFERENCES person (id),
    survivor_name     text NOT NULL,
    duplicate_name    text NOT NULL,
    status            text NOT NULL,
    reason            text NOT NULL,
    score             integer NOT NULL,
    -- One reason a line.
    match_reasons     text NOT NULL,
    requested_by_id   uuid,
    requested_by_name text NOT NULL,
    requested_at      timestamptz NOT NULL,
    decided_by_id     uuid,
    decided_by_name   text,
    decided_at        timestamptz,
    decision_reason   text,
    reversed_by_id    uuid,
    reversed_by_name  text,
    reversed_at       timestamptz,
    reverse_reason    text,
    CHECK (survivor_id <> duplicate_id)
);
-- One open request per pair of people, whichever way round.
CREATE UNIQUE INDEX person_merge_one_open
    ON person_merge (LEAST(survivor_id, duplicate_id), GREATEST(survivor_id, duplicate_id))
    WHERE status = 'requested';
CREATE INDEX person_merge_by_status ON person_merge (status, requested_at);
CREATE INDEX person_merge_by_survivor ON person_merge (survivor_id);
CREATE INDEX person_merge_by_duplicate ON person_merge (duplicate_id);

-- kind: address, phone, marker (ref_id is the row's id) or incident, crime (ref_id is the incident or
-- crime, role the link's role). moved = false: left with the duplicate, the survivor already had it.
CREATE TABLE person_merge_row (
    merge_id uuid NOT NULL REFERENCES person_merge (id),
    kind     text NOT NULL,
    ref_id   uuid NOT NULL,
    role     text NOT NULL,
    moved    boolean NOT NULL,
    PRIMARY KEY (merge_id, kind, ref_id, role)
);

-- Names copied to the survivor: where they went and what they said, to remove them on undoing.
CREATE TABLE person_merge_name (
    merge_id  uuid NOT NULL REFERENCES person_merge (id),
    position  integer NOT NULL,
    kind      text NOT NULL,
    forenames text NOT NULL,
    surname   text NOT NULL,
    PRIMARY KEY (merge_id, position)
);
