-- THRIVE quality reviews: one per sampled incident, answers to the four rubric questions.
CREATE TABLE thrive_review (
    id                       BLOB PRIMARY KEY NOT NULL,
    incident_id              BLOB NOT NULL UNIQUE REFERENCES incident (id),
    handler_id               BLOB NOT NULL REFERENCES app_user (id),
    handler_name             TEXT NOT NULL,
    team                     TEXT NOT NULL,
    reviewer_id              BLOB NOT NULL REFERENCES app_user (id),
    reviewer_name            TEXT NOT NULL,
    reviewed_at              TEXT NOT NULL,
    right_grade              INTEGER NOT NULL,
    vulnerability_identified INTEGER NOT NULL,
    rationale_adequate       INTEGER NOT NULL,
    repeat_checked           INTEGER NOT NULL,
    note                     TEXT NOT NULL
) STRICT;
CREATE INDEX thrive_review_by_time ON thrive_review (reviewed_at);
CREATE INDEX incident_by_graded_at ON incident (graded_at);
