-- Investigations and outcomes (issue 7). A crime gains when its next supervision review falls due.
-- Its plan is a list of actions (lines of enquiry with an owner, a due date, a status and a result);
-- supervisors' reviews are kept with the actions their directions created; every outcome decision
-- (proposed, authorised, returned, reopened) is a row of its own, never deleted, with the evidence
-- recorded for it as a JSON document. At most one decision per crime awaits authorisation.
-- Outcome analytics read finalised crimes by finalisation time (crime_by_finalised).
-- Twin of the migration of the same name in the other store crate.
ALTER TABLE crime ADD COLUMN review_due_at TEXT;
CREATE INDEX crime_review_due ON crime (review_due_at)
    WHERE status IN ('allocated', 'under-investigation') AND review_due_at IS NOT NULL;
CREATE INDEX crime_by_finalised ON crime (finalised_at, outcome, offence_group, allocated_to)
    WHERE finalised_at IS NOT NULL;

CREATE TABLE crime_action (
    id              BLOB PRIMARY KEY NOT NULL,
    crime_id        BLOB NOT NULL REFERENCES crime (id),
    kind            TEXT NOT NULL,
    description     TEXT NOT NULL,
    owner_id        BLOB NOT NULL REFERENCES app_user (id),
    owner_name      TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    status          TEXT NOT NULL,
    result          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    closed_at       TEXT,
    review_id       BLOB
) STRICT;
CREATE INDEX crime_action_by_crime ON crime_action (crime_id, created_at);
CREATE INDEX crime_action_open_by_owner ON crime_action (owner_id, due_on) WHERE status = 'open';

CREATE TABLE crime_review (
    id            BLOB PRIMARY KEY NOT NULL,
    crime_id      BLOB NOT NULL REFERENCES crime (id),
    reviewed_at   TEXT NOT NULL,
    reviewer_id   BLOB NOT NULL REFERENCES app_user (id),
    reviewer_name TEXT NOT NULL,
    notes         TEXT NOT NULL,
    next_due      TEXT NOT NULL
) STRICT;
CREATE INDEX crime_review_by_crime ON crime_review (crime_id, reviewed_at);

CREATE TABLE crime_outcome (
    id               BLOB PRIMARY KEY NOT NULL,
    crime_id         BLOB NOT NULL REFERENCES crime (id),
    code             TEXT NOT NULL,
    label            TEXT NOT NULL,
    list_version     TEXT NOT NULL,
    status           TEXT NOT NULL,
    evidence         TEXT NOT NULL,
    authoriser_rank  TEXT,
    proposed_at      TEXT NOT NULL,
    proposed_by      BLOB,
    proposed_by_name TEXT NOT NULL,
    decided_at       TEXT,
    decided_by       BLOB,
    decided_by_name  TEXT NOT NULL,
    decision_note    TEXT NOT NULL,
    reopened_at      TEXT,
    reopened_by_name TEXT NOT NULL,
    reopen_reason    TEXT NOT NULL
) STRICT;
CREATE INDEX crime_outcome_by_crime ON crime_outcome (crime_id, proposed_at);
CREATE UNIQUE INDEX crime_outcome_one_pending ON crime_outcome (crime_id)
    WHERE status = 'awaiting-authorisation';

-- Case-file quality review: a sample keeps everything needed to draw it again (period, filters,
-- stratification, size, seed — a u64 kept as decimal text) and the files it drew in order, each with
-- the team, crime type and outcome it had then; each file of a sample is reviewed once.
CREATE TABLE casefile_sample (
    id            BLOB PRIMARY KEY NOT NULL,
    drawn_at      TEXT NOT NULL,
    drawn_by      BLOB NOT NULL REFERENCES app_user (id),
    drawn_by_name TEXT NOT NULL,
    seed          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    stratify      TEXT NOT NULL,
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    team          TEXT NOT NULL,
    crime_type    TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    population    INTEGER NOT NULL
) STRICT;
CREATE INDEX casefile_sample_by_time ON casefile_sample (drawn_at);

CREATE TABLE casefile_item (
    sample_id  BLOB NOT NULL REFERENCES casefile_sample (id),
    crime_id   BLOB NOT NULL REFERENCES crime (id),
    position   INTEGER NOT NULL,
    team       TEXT NOT NULL,
    crime_type TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    PRIMARY KEY (sample_id, crime_id)
) STRICT;

CREATE TABLE casefile_review (
    id            BLOB PRIMARY KEY NOT NULL,
    sample_id     BLOB NOT NULL,
    crime_id      BLOB NOT NULL,
    reviewed_at   TEXT NOT NULL,
    reviewer_id   BLOB NOT NULL REFERENCES app_user (id),
    reviewer_name TEXT NOT NULL,
    judgements    TEXT NOT NULL,
    overall       TEXT NOT NULL,
    notes         TEXT NOT NULL,
    team          TEXT NOT NULL,
    crime_type    TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    UNIQUE (sample_id, crime_id),
    FOREIGN KEY (sample_id, crime_id) REFERENCES casefile_item (sample_id, crime_id)
) STRICT;
CREATE INDEX casefile_review_by_time ON casefile_review (reviewed_at);
