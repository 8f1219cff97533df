-- A generated force (issue 5, `bluelamp generate`): what was generated here and how far the run got.
-- One row, rewritten in the same transaction as each batch, so an interrupted run resumes after the
-- last whole batch and a run for another force is refused before it writes anything.
-- Twin of the migration of the same name in the other store crate.
CREATE TABLE generated_force (
    id            INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    fingerprint   TEXT NOT NULL,
    spec          TEXT NOT NULL,
    batches_done  INTEGER NOT NULL,
    batches_total INTEGER NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT
) STRICT;

-- While a force is generated, the secondary indexes of the tables it fills are set aside (building
-- each once at the end is several times faster than keeping it up row by row); their definitions
-- wait here until the run finishes, so an interrupted run still rebuilds them.
CREATE TABLE generated_force_index (
    name       TEXT PRIMARY KEY NOT NULL,
    definition TEXT NOT NULL
) STRICT;
