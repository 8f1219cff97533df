-- Investigations and outcomes (issue 7). A crime gains when its next supervision review falls due.
-- Its plan is a list of actions (lines of enquiry with an owner, a due date, a status and a result);
-- supervisors' reviews are kept with the actions their directions created; every outcome decision
-- (proposed, authorised, returned, reopened) is a row of its own, never deleted, with the evidence
-- recorded for it as a JSON document. At most one decision per crime awaits authorisation.
-- Outcome analytics read finalised crimes by finalisation time (crime_by_finalised).
-- Twin of the migration of the same name in the other store crate.
ALTER TABLE crime ADD COLUMN review_due_at timestamptz;
CREATE INDEX crime_review_due ON crime (review_due_at)
    WHERE status IN ('allocated', 'under-investigation') AND review_due_at IS NOT NULL;
CREATE INDEX crime_by_finalised ON crime (finalised_at, outcome, offence_group, allocated_to)
    WHERE finalised_at IS NOT NULL;

CREATE TABLE crime_action (
    id              uuid PRIMARY KEY,
    crime_id        uuid NOT NULL REFERENCES crime (id),
    kind            text NOT NULL,
    description     text NOT NULL,
    owner_id        uuid NOT NULL REFERENCES app_user (id),
    owner_name      text NOT NULL,
    due_on          date NOT NULL,
    status          text NOT NULL,
    result          text NOT NULL,
    created_at      timestamptz NOT NULL,
    created_by_name text NOT NULL,
    closed_at       timestamptz,
    review_id       uuid
);
CREATE INDEX crime_action_by_crime ON crime_action (crime_id, created_at);
CREATE INDEX crime_action_open_by_owner ON crime_action (owner_id, due_on) WHERE status = 'open';

CREATE TABLE crime_review (
    id            uuid PRIMARY KEY,
    crime_id      uuid NOT NULL REFERENCES crime (id),
    reviewed_at   timestamptz NOT NULL,
    reviewer_id   uuid NOT NULL REFERENCES app_user (id),
    reviewer_name text NOT NULL,
    notes         text NOT NULL,
    next_due      timestamptz NOT NULL
);
CREATE INDEX crime_review_by_crime ON crime_review (crime_id, reviewed_at);

CREATE TABLE crime_outcome (
    id               uuid PRIMARY KEY,
    crime_id         uuid NOT NULL REFERENCES crime (id),
    code             text NOT NULL,
    label            text NOT NULL,
    list_version     text NOT NULL,
    status           text NOT NULL,
    evidence         jsonb NOT NULL,
    authoriser_rank  text,
    proposed_at      timestamptz NOT NULL,
    proposed_by      uuid,
    proposed_by_name text NOT NULL,
    decided_at       timestamptz,
    decided_by       uuid,
    decided_by_name  text NOT NULL,
    decision_note    text NOT NULL,
    reopened_at      timestamptz,
    reopened_by_name text NOT NULL,
    reopen_reason    text NOT NULL
);
CREATE INDEX crime_outcome_by_crime ON crime_outcome (crime_id, proposed_at);
CREATE UNIQUE INDEX crime_outcome_one_pending ON crime_outcome (crime_id)
    WHERE status = 'awaiting-authorisation';

-- Case-file quality review: a sample keeps everything needed to draw it again (period, filters,
-- stratification, size, seed — a u64 kept as decimal text) and the files it drew in order, each with
-- the team, crime type and outcome it had then; each file of a sample is reviewed once.
CREATE TABLE casefile_sample (
    id            uuid PRIMARY KEY,
    drawn_at      timestamptz NOT NULL,
    drawn_by      uuid NOT NULL REFERENCES app_user (id),
    drawn_by_name text NOT NULL,
    seed          text NOT NULL,
    size          integer NOT NULL,
    stratify      text NOT NULL,
    period_from   timestamptz NOT NULL,
    period_to     timestamptz NOT NULL,
    team          text NOT NULL,
    crime_type    text NOT NULL,
    outcome       text NOT NULL,
    population    integer NOT NULL
);
CREATE INDEX casefile_sample_by_time ON casefile_sample (drawn_at);

CREATE TABLE casefile_item (
    sample_id  uuid NOT NULL REFERENCES casefile_sample (id),
    crime_id   uuid NOT NULL REFERENCES crime (id),
    position   integer NOT NULL,
    team       text NOT NULL,
    crime_type text NOT NULL,
    outcome    text NOT NULL,
    PRIMARY KEY (sample_id, crime_id)
);

CREATE TABLE casefile_review (
    id            uuid PRIMARY KEY,
    sample_id     uuid NOT NULL,
    crime_id      uuid NOT NULL,
    reviewed_at   timestamptz NOT NULL,
    reviewer_id   uuid NOT NULL REFERENCES app_user (id),
    reviewer_name text NOT NULL,
    judgements    text NOT NULL,
    overall       text NOT NULL,
    notes         text NOT NULL,
    team          text NOT NULL,
    crime_type    text NOT NULL,
    outcome       text NOT NULL,
    UNIQUE (sample_id, crime_id),
    FOREIGN KEY (sample_id, crime_id) REFERENCES casefile_item (sample_id, crime_id)
);
CREATE INDEX casefile_review_by_time ON casefile_review (reviewed_at);
