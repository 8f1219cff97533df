-- A generated force (issue 5, `bluelamp generate`): what was generated here and how far the run got.
-- One row, rewritten in the same transaction as each batch, so an interrupted run resumes after the
-- last whole batch and a run for another force is refused before it writes anything.
-- Twin of the migration of the same name in the other store crate.
CREATE TABLE generated_force (
    id            integer PRIMARY KEY CHECK (id = 1),
    fingerprint   text NOT NULL,
    spec          text NOT NULL,
    batches_done  bigint NOT NULL,
    batches_total bigint NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz
);

-- While a force is generated, the secondary indexes of the tables it fills are set aside (building
-- each once at the end is several times faster than keeping it up row by row); their definitions
-- wait here until the run finishes, so an interrupted run still rebuilds them.
CREATE TABLE generated_force_index (
    name       text PRIMARY KEY,
    definition text NOT NULL
);
