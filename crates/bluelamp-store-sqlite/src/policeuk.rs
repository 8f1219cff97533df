//! data.police.uk historical records on SQLite. A file is one `BEGIN IMMEDIATE` transaction, so
//! nothing else writes until it commits: it asks which of the file's keys are already stored (one
//! statement per table, the keys passed as a JSON array; keys differ between months, so only where
//! the table holds rows of the file's months), inserts only the new rows, in file order,
//! 5,000 per statement from one JSON array through `jsonb_each` (one static statement, one bound
//! value, no per-row round trip; each element stays binary JSON, so its columns are read without
//! parsing text again), and appends the audit event. The rows not found are exactly the rows
//! written, so the counts by crime type come from them. The core's keys never repeat within a file,
//! and the write lock keeps other writers out, so a plain `INSERT` cannot meet an existing key; were
//! it to, the whole file would fail rather than be counted wrong. The connection's page cache is
//! enlarged while the file is written ([`IMPORT_CACHE_KIB`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write as _;

use bluelamp_core::Result;
use bluelamp_core::policeuk::{PoliceUkCounts, PoliceUkImported, PoliceUkRecord};
use bluelamp_core::store::PoliceUkWrite;
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::{SqliteStore, append, get, map_err, ts};

/// Rows per statement: large enough that statement overhead vanishes, small enough that the JSON
/// text stays a few megabytes.
const ROWS_PER_STATEMENT: usize = 5000;

/// Whether each table holds any row of the given months (JSON arrays; by the month indexes).
const MONTHS_STORED: &str = "SELECT EXISTS (SELECT 1 FROM policeuk_crime WHERE month IN (SELECT value FROM json_each(?1))), \
     EXISTS (SELECT 1 FROM policeuk_incident WHERE month IN (SELECT value FROM json_each(?2)))";

/// The stored keys among those given, as one text of 32 hex digits each (one row, not thousands).
const STORED_CRIMES: &str =
    "SELECT group_concat(hex(key), '') FROM policeuk_crime WHERE key IN (SELECT unhex(value) FROM json_each(?1))";
const STORED_INCIDENTS: &str =
    "SELECT group_concat(hex(key), '') FROM policeuk_incident WHERE key IN (SELECT unhex(value) FROM json_each(?1))";

const INSERT_CRIMES: &str = "INSERT INTO policeuk_crime (key, crime_id, month, reported_by, falls_within, longitude, \
     latitude, location, lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line, imported_at) \
     SELECT unhex(value ->> 0), value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, \
     value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, ?2, value ->> 13, ?3 \
     FROM jsonb_each(jsonb(?1))";

const INSERT_INCIDENTS: &str = "INSERT INTO policeuk_incident (key, month, reported_by, falls_within, longitude, \
     latitude, location, lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line, imported_at) \
     SELECT unhex(value ->> 0), value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, \
     value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, ?2, value ->> 13, ?3 \
     FROM jsonb_each(jsonb(?1))";

/// Writes `[a, b, …]`, each item written by `item`.
fn json_array<T>(items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T)) -> String {
    let mut out = Vec::with_capacity(items.len() * 256);
    out.push(b'[');
    for (i, value) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(&mut out, value);
    }
    out.push(b']');
    // serde_json writes UTF-8, and the rest is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// A JSON string, escaped by serde_json; writing to memory cannot fail.
fn json_text(out: &mut Vec<u8>, value: &str) {
    let _ = serde_json::to_writer(&mut *out, value);
}

/// A JSON number as serde_json writes it (the shortest text that reads back as the same `f64`), or
/// `null`.
fn json_number(out: &mut Vec<u8>, value: Option<f64>) {
    match value {
        Some(v) => {
            let _ = serde_json::to_writer(&mut *out, &v);
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// `["key hex", crime_id or null, month, …, source_line]`: the columns in `INSERT_CRIMES`' order.
fn json_row(out: &mut Vec<u8>, r: &PoliceUkRecord) {
    let _ = write!(out, "[\"{}\",", r.key.simple());
    match &r.crime_id {
        Some(crime_id) => json_text(out, crime_id),
        None => out.extend_from_slice(b"null"),
    }
    for text in [&r.month, &r.reported_by, &r.falls_within] {
        out.push(b',');
        json_text(out, text);
    }
    for coordinate in [r.longitude, r.latitude] {
        out.push(b',');
        json_number(out, coordinate);
    }
    for text in [&r.location, &r.lsoa_code, &r.lsoa_name, &r.crime_type, &r.last_outcome, &r.context] {
        out.push(b',');
        json_text(out, text);
    }
    let _ = write!(out, ",{}]", r.source_line);
}

/// The distinct months of `records`, as a JSON array.
fn months(records: &[&PoliceUkRecord]) -> String {
    let months: BTreeSet<&str> = records.iter().map(|r| r.month.as_str()).collect();
    let months: Vec<&str> = months.into_iter().collect();
    json_array(&months, |out, month| json_text(out, month))
}

/// The keys among `records` already stored, by `statement`.
async fn stored_keys(
    conn: &mut SqliteConnection,
    statement: &'static str,
    records: &[&PoliceUkRecord],
) -> Result<HashSet<Uuid>> {
    if records.is_empty() {
        return Ok(HashSet::new());
    }
    let keys = json_array(records, |out, r| {
        let _ = write!(out, "\"{}\"", r.key.simple());
    });
    let found: Option<String> = sqlx::query_scalar(statement).bind(keys).fetch_one(conn).await.map_err(map_err)?;
    let found = found.unwrap_or_default();
    found
        .as_bytes()
        .chunks(32)
        .map(|hex| Uuid::try_parse_ascii(hex).map_err(|e| bluelamp_core::Error::Storage(format!("a stored key: {e}"))))
        .collect()
}

/// The page cache while a file is written, in KiB (SQLite's default is 2,000). The key and the Crime
/// ID are hashes, so a file's rows land all over those two indexes; with the default cache their
/// pages are evicted and read back many times within one transaction (a quarter of the import's
/// CPU time on the nine Kent files). 64 MiB holds both indexes for about half a million records.
const IMPORT_CACHE_KIB: i64 = 65_536;

pub(crate) async fn import_policeuk(store: &SqliteStore, write: &PoliceUkWrite<'_>) -> Result<PoliceUkImported> {
    // The writers' pool has one connection: the cache is set on the one the transaction will use.
    let writer = store.writer();
    let previous: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(writer).await.map_err(map_err)?;
    sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}")))
        .execute(writer)
        .await
        .map_err(map_err)?;
    let outcome = write_file(store, write).await;
    // Back to the connection's own size whatever happened: failing to shrink a cache is no reason to
    // report a committed file as failed.
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = {previous}"))).execute(writer).await;
    outcome
}

/// One file's rows and its audit event, in one transaction.
async fn write_file(store: &SqliteStore, write: &PoliceUkWrite<'_>) -> Result<PoliceUkImported> {
    let (incidents, crimes): (Vec<&PoliceUkRecord>, Vec<&PoliceUkRecord>) =
        write.records.iter().partition(|r| r.is_incident());
    let imported_at = ts(write.imported_at);
    let mut by_crime_type: HashMap<&str, u64> = HashMap::new();
    let mut tx = store.write().await?;
    let (crime_months, incident_months): (bool, bool) = sqlx::query_as(MONTHS_STORED)
        .bind(months(&crimes))
        .bind(months(&incidents))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
    for (stored, insert, records, months_stored) in [
        (STORED_CRIMES, INSERT_CRIMES, crimes, crime_months),
        (STORED_INCIDENTS, INSERT_INCIDENTS, incidents, incident_months),
    ] {
        let stored = if months_stored { stored_keys(&mut tx, stored, &records).await? } else { HashSet::new() };
        let new: Vec<&PoliceUkRecord> = records.into_iter().filter(|r| !stored.contains(&r.key)).collect();
        for chunk in new.chunks(ROWS_PER_STATEMENT) {
            sqlx::query(insert)
                .bind(json_array(chunk, |out, r| json_row(out, r)))
                .bind(write.source_file)
                .bind(&imported_at)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        for record in &new {
            *by_crime_type.entry(&record.crime_type).or_default() += 1;
        }
    }
    let imported = PoliceUkImported {
        by_crime_type: by_crime_type.into_iter().map(|(crime_type, n)| (crime_type.to_string(), n)).collect(),
    };
    append(&mut tx, &(write.audit)(&imported)).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(imported)
}

pub(crate) async fn policeuk_counts(store: &SqliteStore) -> Result<PoliceUkCounts> {
    let rows = sqlx::query(
        "SELECT 'crime' AS kind, crime_type AS name, count(*) AS n FROM policeuk_crime GROUP BY crime_type \
         UNION ALL SELECT 'incident', crime_type, count(*) FROM policeuk_incident GROUP BY crime_type \
         UNION ALL SELECT 'outcome', last_outcome, count(*) FROM \
         (SELECT last_outcome FROM policeuk_crime UNION ALL SELECT last_outcome FROM policeuk_incident) \
         GROUP BY last_outcome",
    )
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?;
    let mut counts = PoliceUkCounts::default();
    for row in &rows {
        let name: String = get(row, "name")?;
        let n: i64 = get(row, "n")?;
        match get::<String>(row, "kind")?.as_str() {
            "crime" => counts.crimes_by_type.insert(name, n),
            "incident" => counts.incidents_by_type.insert(name, n),
            _ => counts.by_outcome.insert(name, n),
        };
    }
    Ok(counts)
}

pub(crate) async fn list_policeuk_records(store: &SqliteStore, month: &str, limit: u32) -> Result<Vec<PoliceUkRecord>> {
    sqlx::query(
        "SELECT * FROM (SELECT key, crime_id, month, reported_by, falls_within, longitude, latitude, location, \
         lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line FROM policeuk_crime \
         WHERE month = ?1 UNION ALL SELECT key, NULL, month, reported_by, falls_within, longitude, latitude, \
         location, lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line \
         FROM policeuk_incident WHERE month = ?1) ORDER BY source_file, source_line LIMIT ?2",
    )
    .bind(month)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(record_from_row)
    .collect()
}

fn record_from_row(row: &SqliteRow) -> Result<PoliceUkRecord> {
    Ok(PoliceUkRecord {
        key: get(row, "key")?,
        crime_id: get(row, "crime_id")?,
        month: get(row, "month")?,
        reported_by: get(row, "reported_by")?,
        falls_within: get(row, "falls_within")?,
        longitude: get(row, "longitude")?,
        latitude: get(row, "latitude")?,
        location: get(row, "location")?,
        lsoa_code: get(row, "lsoa_code")?,
        lsoa_name: get(row, "lsoa_name")?,
        crime_type: get(row, "crime_type")?,
        last_outcome: get(row, "last_outcome")?,
        context: get(row, "context")?,
        source_file: get(row, "source_file")?,
        source_line: get::<i64>(row, "source_line")?.try_into().unwrap_or(0),
    })
}
