//! Generated forces on SQLite (issue 5): a batch's rows as multi-row INSERTs, its audit events
//! linked onto the chain, its counters and progress, in one write transaction.

use bluelamp_core::audit::ChainHead;
use bluelamp_core::bulk::{BulkBatch, Cell, GeneratedForce, TableRows, link_rows};
use bluelamp_core::{Error, Result};
use sqlx::SqliteConnection;

use crate::{SqliteStore, get, map_err, opt_ts, parse_ts, ts};

/// Multi-row INSERTs of `rows` (SQLite binds at most 32,766 values per statement).
async fn insert_rows(conn: &mut SqliteConnection, rows: &TableRows) -> Result<()> {
    if rows.rows.is_empty() {
        return Ok(());
    }
    let per_statement = (32_000 / rows.columns.len()).max(1);
    let one = format!("({})", vec!["?"; rows.columns.len()].join(", "));
    for chunk in rows.rows.chunks(per_statement) {
        // The table and column names are constants of the generator; every value is bound.
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            rows.table,
            rows.columns.join(", "),
            vec![one.as_str(); chunk.len()].join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for cell in row {
                q = match cell {
                    Cell::Null => q.bind(Option::<String>::None),
                    Cell::Text(t) => q.bind(t.as_str()),
                    Cell::Id(id) => q.bind(*id),
                    Cell::Int(n) => q.bind(*n),
                    Cell::Real(r) => q.bind(*r),
                    Cell::Bool(b) => q.bind(i64::from(*b)),
                    Cell::Time(t) => q.bind(ts(*t)),
                    Cell::Date(d) => q.bind(d.format("%Y-%m-%d").to_string()),
                };
            }
        }
        q.execute(&mut *conn).await.map_err(|e| Error::Storage(format!("bulk load of {}: {e}", rows.table)))?;
    }
    Ok(())
}

pub(crate) async fn bulk_load(store: &SqliteStore, batch: &BulkBatch) -> Result<()> {
    let mut tx = store.write().await?;
    for rows in &batch.tables {
        insert_rows(&mut tx, rows).await?;
    }
    if !batch.audit.is_empty() {
        let head = sqlx::query(
            "SELECT id, seq, chain_seq, hash, (SELECT max(seq) FROM audit_head) + 1 AS next_seq FROM audit_head \
             ORDER BY seq, id LIMIT 1",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let chain_head = ChainHead {
            chain: get(&head, "id")?,
            seq: get(&head, "seq")?,
            chain_seq: get(&head, "chain_seq")?,
            hash: get(&head, "hash")?,
        };
        let first_seq: i64 = get(&head, "next_seq")?;
        let (rows, chain_head) = link_rows(chain_head, first_seq.., &batch.audit);
        insert_rows(&mut tx, &rows).await?;
        sqlx::query("UPDATE audit_head SET seq = ?, chain_seq = ?, hash = ? WHERE id = ?")
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
            "INSERT INTO reference_counter (scope, last) VALUES (?, ?) \
             ON CONFLICT (scope) DO UPDATE SET last = max(last, excluded.last)",
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
         VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, \
         spec = excluded.spec, batches_done = excluded.batches_done, batches_total = excluded.batches_total, \
         started_at = excluded.started_at, finished_at = excluded.finished_at",
    )
    .bind(&p.fingerprint)
    .bind(p.spec.to_string())
    .bind(p.batches_done)
    .bind(p.batches_total)
    .bind(ts(p.started_at))
    .bind(p.finished_at.map(ts))
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn generated_force(store: &SqliteStore) -> Result<Option<GeneratedForce>> {
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
        started_at: parse_ts(&get::<String>(&r, "started_at")?)?,
        finished_at: opt_ts(get(&r, "finished_at")?)?,
    }))
}

pub(crate) async fn holds_records(store: &SqliteStore) -> Result<bool> {
    sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM person) OR EXISTS (SELECT 1 FROM incident) OR EXISTS (SELECT 1 FROM crime)",
    )
    .fetch_one(store.pool())
    .await
    .map_err(map_err)
}

pub(crate) async fn bulk_begin(store: &SqliteStore, tables: &[&str]) -> Result<()> {
    let mut tx = store.write().await?;
    let saved: i64 =
        sqlx::query_scalar("SELECT count(*) FROM generated_force_index").fetch_one(&mut *tx).await.map_err(map_err)?;
    if saved > 0 {
        return Ok(());
    }
    // Indexes SQLite made for a PRIMARY KEY or UNIQUE constraint have no SQL and stay.
    let list = vec!["?"; tables.len()].join(", ");
    let sql = format!(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({list}) ORDER BY name"
    );
    let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
    for t in tables {
        q = q.bind(*t);
    }
    for (name, definition) in q.fetch_all(&mut *tx).await.map_err(map_err)? {
        sqlx::query("INSERT INTO generated_force_index (name, definition) VALUES (?, ?)")
            .bind(&name)
            .bind(&definition)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        // The name comes from the schema itself.
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn bulk_finish(store: &SqliteStore) -> Result<()> {
    let mut tx = store.write().await?;
    let saved: Vec<(String, String)> =
        sqlx::query_as("SELECT name, definition FROM generated_force_index ORDER BY name")
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
    for (_, definition) in &saved {
        // The definition is the schema's own CREATE INDEX, saved by bulk_begin.
        sqlx::query(sqlx::AssertSqlSafe(definition.clone())).execute(&mut *tx).await.map_err(map_err)?;
    }
    sqlx::query("DELETE FROM generated_force_index").execute(&mut *tx).await.map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    sqlx::query("ANALYZE").execute(store.writer()).await.map_err(map_err).map(|_| ())
}
