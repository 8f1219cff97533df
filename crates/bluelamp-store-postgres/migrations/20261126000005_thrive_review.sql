-- THRIVE quality reviews: one per sampled incident, answers to the four rubric questions.
-- Twin of the SQLite migration.
CREATE TABLE thrive_review (
    id                       uuid PRIMARY KEY,
    incident_id              uuid NOT NULL UNIQUE REFERENCES incident (id),
    handler_id               uuid NOT NULL REFERENCES app_user (id),
    handler_name             text NOT NULL,
    team                     text NOT NULL,
    reviewer_id              uuid NOT NULL REFERENCES app_user (id),
    reviewer_name            text NOT NULL,
    reviewed_at              timestamptz NOT NULL,
    right_grade              boolean NOT NULL,
    vulnerability_identified boolean NOT NULL,
    rationale_adequate       boolean NOT NULL,
    repeat_checked           boolean NOT NULL,
    note                     text NOT NULL
);
CREATE INDEX thrive_review_by_time ON thrive_review (reviewed_at);
CREATE INDEX incident_by_graded_at ON incident (graded_at);
