//! Generated forces on PostgreSQL (issue 5): a batch's rows by `COPY` (binary format), its audit
//! events linked onto one chain (its head locked, `seq`s taken from the sequence in one statement),
//! its counters and progress, in one transaction.

use bluelamp_core::audit::ChainHead;
use bluelamp_core::bulk::{BulkBatch, Cell, GeneratedForce, TableRows, link_rows};
use bluelamp_core::{Error, Result};
use sqlx::PgConnection;

use crate::{PostgresStore, get, map_err};

/// A column's type as binary COPY writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Jsonb,
    Uuid,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Bool,
    Timestamp,
    Date,
}

impl Kind {
    fn from_type_name(name: &str) -> Option<Kind> {
        Some(match name {
            "text" | "varchar" | "bpchar" | "name" => Kind::Text,
            "jsonb" => Kind::Jsonb,
            "uuid" => Kind::Uuid,
            "int2" => Kind::Int2,
            "int4" => Kind::Int4,
            "int8" => Kind::Int8,
            "float4" => Kind::Float4,
            "float8" => Kind::Float8,
            "bool" => Kind::Bool,
            "timestamptz" | "timestamp" => Kind::Timestamp,
            "date" => Kind::Date,
            _ => return None,
        })
    }
}

/// PostgreSQL's epoch (2000-01-01 UTC) in Unix microseconds and in days since 1970.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
const PG_EPOCH_DAYS: i64 = 10_957;

/// The binary COPY header: signature, flags, no header extension.
const BINARY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// One field in binary COPY format: its length (-1 for NULL) and its bytes in PostgreSQL's send
/// format. A cell that does not fit its column is an error naming both, never a guess.
fn binary_field(out: &mut Vec<u8>, cell: &Cell, kind: Kind) -> std::result::Result<(), String> {
    fn put(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    match (cell, kind) {
        (Cell::Null, _) => out.extend_from_slice(&(-1i32).to_be_bytes()),
        (Cell::Text(t), Kind::Text) => put(out, t.as_bytes()),
        (Cell::Text(t), Kind::Jsonb) => {
            // jsonb's send format: a version byte (1), then the text.
            out.extend_from_slice(&(t.len() as i32 + 1).to_be_bytes());
            out.push(1);
            out.extend_from_slice(t.as_bytes());
        }
        (Cell::Id(id), Kind::Uuid) => put(out, id.as_bytes()),
        (Cell::Id(id), Kind::Text) => put(out, id.hyphenated().to_string().as_bytes()),
        (Cell::Int(n), Kind::Int2) => {
            put(out, &i16::try_from(*n).map_err(|_| format!("{n} is out of range"))?.to_be_bytes())
        }
        (Cell::Int(n), Kind::Int4) => {
            put(out, &i32::try_from(*n).map_err(|_| format!("{n} is out of range"))?.to_be_bytes())
        }
        (Cell::Int(n), Kind::Int8) => put(out, &n.to_be_bytes()),
        (Cell::Int(n), Kind::Float8) => put(out, &(*n as f64).to_be_bytes()),
        (Cell::Real(r), Kind::Float8) => put(out, &r.to_be_bytes()),
        (Cell::Real(r), Kind::Float4) => put(out, &(*r as f32).to_be_bytes()),
        (Cell::Bool(b), Kind::Bool) => put(out, &[u8::from(*b)]),
        (Cell::Time(t), Kind::Timestamp) => put(out, &(t.timestamp_micros() - PG_EPOCH_MICROS).to_be_bytes()),
        (Cell::Date(d), Kind::Date) => {
            let days = d.signed_duration_since(chrono::NaiveDate::default()).num_days() - PG_EPOCH_DAYS;
            put(out, &i32::try_from(days).map_err(|_| format!("{d} is out of range"))?.to_be_bytes())
        }
        (cell, kind) => return Err(format!("a {cell:?} cannot be written to a {kind:?} column")),
    }
    Ok(())
}

/// The columns' types, in the order given, from the catalogue.
async fn column_kinds(conn: &mut PgConnection, rows: &TableRows) -> Result<Vec<Kind>> {
    let found: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.attname::text, t.typname::text FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped",
    )
    .bind(rows.table)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    rows.columns
        .iter()
        .map(|column| {
            let (_, type_name) = found
                .iter()
                .find(|(name, _)| name == column)
                .ok_or_else(|| Error::Storage(format!("bulk load: {}.{column} does not exist", rows.table)))?;
            Kind::from_type_name(type_name).ok_or_else(|| {
                Error::Storage(format!(
                    "bulk load: {}.{column} has type {type_name}, which it cannot write",
                    rows.table
                ))
            })
        })
        .collect()
}

/// A table's rows by `COPY … (FORMAT binary)`: nothing to format as text or for the server to parse.
async fn copy_rows(conn: &mut PgConnection, rows: &TableRows) -> Result<()> {
    if rows.rows.is_empty() {
        return Ok(());
    }
    let kinds = column_kinds(conn, rows).await?;
    let failed = |e: sqlx::Error| Error::Storage(format!("bulk load of {}: {e}", rows.table));
    // The table and column names are constants of the generator.
    let statement = format!("COPY {} ({}) FROM STDIN (FORMAT binary)", rows.table, rows.columns.join(", "));
    let mut copy = conn.copy_in_raw(&statement).await.map_err(failed)?;
    let mut buffer = Vec::with_capacity(1 << 20);
    buffer.extend_from_slice(BINARY_HEADER);
    for row in &rows.rows {
        buffer.extend_from_slice(&(row.len() as i16).to_be_bytes());
        for (cell, (&kind, column)) in row.iter().zip(kinds.iter().zip(rows.columns)) {
            if let Err(why) = binary_field(&mut buffer, cell, kind) {
                let _ = copy.abort(why.clone()).await;
                return Err(Error::Storage(format!("bulk load of {}.{column}: {why}", rows.table)));
            }
        }
        if buffer.len() >= 1 << 20 {
            copy.send(buffer.as_slice()).await.map_err(failed)?;
            buffer.clear();
        }
    }
    buffer.extend_from_slice(&(-1i16).to_be_bytes());
    copy.send(buffer.as_slice()).await.map_err(failed)?;
    copy.finish().await.map_err(failed)?;
    Ok(())
}

pub(crate) async fn bulk_load(store: &PostgresStore, batch: &BulkBatch) -> Result<()> {
    let mut tx = store.pool().begin().await.map_err(map_err)?;
    for rows in &batch.tables {
        copy_rows(&mut tx, rows).await?;
    }
    if !batch.audit.is_empty() {
        // One chain for the whole batch: the least recently extended head, held to the commit.
        let head = sqlx::query("SELECT id, seq, chain_seq, hash FROM audit_head ORDER BY seq, id LIMIT 1 FOR UPDATE")
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        let chain_head = ChainHead {
            chain: get(&head, "id")?,
            seq: get(&head, "seq")?,
            chain_seq: get(&head, "chain_seq")?,
            hash: get(&head, "hash")?,
        };
        let seqs: Vec<i64> = sqlx::query_scalar(
            "SELECT s FROM (SELECT nextval('audit_event_seq') AS s FROM generate_series(1, $1)) n ORDER BY s",
        )
        .bind(batch.audit.len() as i64)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        let (rows, chain_head) = link_rows(chain_head, seqs, &batch.audit);
        copy_rows(&mut tx, &rows).await?;
        sqlx::query("UPDATE audit_head SET seq = $1, chain_seq = $2, hash = $3 WHERE id = $4")
            .bind(chain_head.seq)
            .bind(chain_head.chain_seq)
            .bind(&chain_head.hash)
            .bind(chain_head.chain)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    for (scope, last) in &batch.counters {
        sqlx::query(
            "INSERT INTO reference_counter (scope, last) VALUES ($1, $2) \
             ON CONFLICT (scope) DO UPDATE SET last = greatest(reference_counter.last, excluded.last)",
        )
        .bind(scope)
        .bind(last)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    let p = &batch.progress;
    sqlx::query(
        "INSERT INTO generated_force (id, fingerprint, spec, batches_done, batches_total, started_at, finished_at) \
         VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, \
         spec = excluded.spec, batches_done = excluded.batches_done, batches_total = excluded.batches_total, \
         started_at = excluded.started_at, finished_at = excluded.finished_at",
    )
    .bind(&p.fingerprint)
    .bind(p.spec.to_string())
    .bind(p.batches_done)
    .bind(p.batches_total)
    .bind(p.started_at)
    .bind(p.finished_at)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn generated_force(store: &PostgresStore) -> Result<Option<GeneratedForce>> {
    let Some(r) = sqlx::query("SELECT * FROM generated_force WHERE id = 1")
        .fetch_optional(store.pool())
        .await
        .map_err(map_err)?
    else {
        return Ok(None);
    };
    let spec: String = get(&r, "spec")?;
    Ok(Some(GeneratedForce {
        fingerprint: get(&r, "fingerprint")?,
        spec: serde_json::from_str(&spec).map_err(|e| Error::Storage(format!("generated_force.spec: {e}")))?,
        batches_done: get(&r, "batches_done")?,
        batches_total: get(&r, "batches_total")?,
        started_at: get(&r, "started_at")?,
        finished_at: get(&r, "finished_at")?,
    }))
}

pub(crate) async fn holds_records(store: &PostgresStore) -> Result<bool> {
    sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM person) OR EXISTS (SELECT 1 FROM incident) OR EXISTS (SELECT 1 FROM crime)",
    )
    .fetch_one(store.pool())
    .await
    .map_err(map_err)
}

pub(crate) async fn bulk_begin(store: &PostgresStore, tables: &[&str]) -> Result<()> {
    let mut tx = store.pool().begin().await.map_err(map_err)?;
    sqlx::query("LOCK TABLE generated_force_index").execute(&mut *tx).await.map_err(map_err)?;
    let saved: i64 =
        sqlx::query_scalar("SELECT count(*) FROM generated_force_index").fetch_one(&mut *tx).await.map_err(map_err)?;
    if saved > 0 {
        return Ok(());
    }
    let tables: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
    // Indexes behind a constraint (primary keys, UNIQUE, exclusion) stay.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT ic.relname::text, pg_get_indexdef(i.indexrelid) FROM pg_index i \
         JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() AND t.relname = ANY($1) \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
    )
    .bind(&tables)
    .fetch_all(&mut *tx)
    .await
    .map_err(map_err)?;
    for (name, definition) in indexes {
        sqlx::query("INSERT INTO generated_force_index (name, definition) VALUES ($1, $2)")
            .bind(&name)
            .bind(&definition)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        // The name comes from the catalogue itself.
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn bulk_finish(store: &PostgresStore) -> Result<()> {
    let mut tx = store.pool().begin().await.map_err(map_err)?;
    // Builds sort in memory where they can, with the server's parallel workers.
    sqlx::query("SET LOCAL maintenance_work_mem = '512MB'").execute(&mut *tx).await.map_err(map_err)?;
    let saved: Vec<(String, String)> =
        sqlx::query_as("SELECT name, definition FROM generated_force_index ORDER BY name FOR UPDATE")
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
    for (_, definition) in &saved {
        // The definition is the catalogue's own (pg_get_indexdef), saved by bulk_begin.
        sqlx::query(sqlx::AssertSqlSafe(definition.clone())).execute(&mut *tx).await.map_err(map_err)?;
    }
    sqlx::query("DELETE FROM generated_force_index").execute(&mut *tx).await.map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    // VACUUM as well: it sets the visibility map, without which index-only scans read the table.
    sqlx::query("VACUUM ANALYZE").execute(store.pool()).await.map_err(map_err).map(|_| ())
}
