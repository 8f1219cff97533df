//! data.police.uk historical records on PostgreSQL. A file is written in one transaction that
//! first locks both tables against other writers (`SHARE ROW EXCLUSIVE`: readers carry on, a second
//! import waits for this one), asks which of the file's keys are already stored, then streams only
//! the new rows, sorted by key, straight into their table with one binary `COPY` per table, and
//! appends the audit event. Keys differ between months, so the keys are looked up (one `= ANY($1)`
//! index probe per table, about as costly as the inserts' own index work) only where the table
//! already holds rows of the file's months: a first import asks one cheap question per table. Because nothing else can write
//! those tables until the commit, the rows not found are exactly the rows written, so the counts by
//! crime type come from them. The core's keys never repeat within a file, so `COPY` cannot meet an
//! existing key; were it to, the whole file would fail rather than be counted wrong. `COPY` inserts
//! in batches and the binary format needs no parsing on the server; a temporary table and
//! `INSERT … ON CONFLICT` (the first version) cost about half as much again.

use std::collections::{BTreeSet, HashMap, HashSet};

use bluelamp_core::Result;
use bluelamp_core::policeuk::{PoliceUkCounts, PoliceUkImported, PoliceUkRecord};
use bluelamp_core::store::PoliceUkWrite;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::{PostgresStore, append, get, map_err};

/// Bytes per COPY message.
const COPY_CHUNK: usize = 1 << 20;

const LOCK: &str = "LOCK TABLE policeuk_crime, policeuk_incident IN SHARE ROW EXCLUSIVE MODE";

/// Whether each table holds any row of the given months (by the month indexes).
const MONTHS_STORED: &str = "SELECT EXISTS (SELECT 1 FROM policeuk_crime WHERE month = ANY($1)), \
     EXISTS (SELECT 1 FROM policeuk_incident WHERE month = ANY($2))";

const COPY_CRIMES: &str = "COPY policeuk_crime (key, crime_id, month, reported_by, falls_within, longitude, latitude, \
     location, lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line, imported_at) \
     FROM STDIN (FORMAT binary)";

const COPY_INCIDENTS: &str = "COPY policeuk_incident (key, month, reported_by, falls_within, longitude, latitude, \
     location, lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line, imported_at) \
     FROM STDIN (FORMAT binary)";

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// The records sorted by key, so that the primary key's index is filled in order.
fn sorted<'a>(records: impl Iterator<Item = &'a PoliceUkRecord>) -> Vec<&'a PoliceUkRecord> {
    let mut sorted: Vec<&PoliceUkRecord> = records.collect();
    sorted.sort_unstable_by_key(|r| r.key);
    sorted
}

/// The distinct months of `records`.
fn months<'a>(records: &[&'a PoliceUkRecord]) -> Vec<&'a str> {
    let months: BTreeSet<&str> = records.iter().map(|r| r.month.as_str()).collect();
    months.into_iter().collect()
}

/// The keys among `records` already in `table`.
async fn stored_keys(conn: &mut sqlx::PgConnection, table: &str, records: &[&PoliceUkRecord]) -> Result<HashSet<Uuid>> {
    if records.is_empty() {
        return Ok(HashSet::new());
    }
    let keys: Vec<Uuid> = records.iter().map(|r| r.key).collect();
    // One row holding an array, not thousands of rows.
    let sql = format!("SELECT coalesce(array_agg(key), '{{}}') FROM {table} WHERE key = ANY($1)");
    let found: Vec<Uuid> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(keys).fetch_one(conn).await.map_err(map_err)?;
    Ok(found.into_iter().collect())
}

/// Rows in PostgreSQL's binary COPY format: a header, then per row its field count and each field
/// as a length (-1 for NULL) and its bytes in the type's binary form, then a trailer.
struct BinaryCopy {
    buf: Vec<u8>,
}

impl BinaryCopy {
    fn new() -> BinaryCopy {
        let mut buf = Vec::with_capacity(COPY_CHUNK);
        buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        buf.extend_from_slice(&0i32.to_be_bytes()); // flags
        buf.extend_from_slice(&0i32.to_be_bytes()); // header extension length
        BinaryCopy { buf }
    }

    fn row(&mut self, fields: i16) {
        self.buf.extend_from_slice(&fields.to_be_bytes());
    }

    fn bytes(&mut self, value: &[u8]) {
        // Every field was checked to be at most MAX_FIELD_CHARS characters by the core.
        self.buf.extend_from_slice(&i32::try_from(value.len()).unwrap_or(i32::MAX).to_be_bytes());
        self.buf.extend_from_slice(value);
    }

    fn text(&mut self, value: &str) {
        self.bytes(value.as_bytes());
    }

    fn float(&mut self, value: Option<f64>) {
        match value {
            Some(v) => self.bytes(&v.to_be_bytes()),
            None => self.buf.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.buf
    }
}

/// One record as a COPY row of `policeuk_crime` (with its Crime ID) or `policeuk_incident`.
fn push_row(out: &mut BinaryCopy, r: &PoliceUkRecord, source_file: &str, imported_at: i64) {
    match &r.crime_id {
        Some(crime_id) => {
            out.row(16);
            out.bytes(r.key.as_bytes());
            out.text(crime_id);
        }
        None => {
            out.row(15);
            out.bytes(r.key.as_bytes());
        }
    }
    for text in [&r.month, &r.reported_by, &r.falls_within] {
        out.text(text);
    }
    out.float(r.longitude);
    out.float(r.latitude);
    for text in [&r.location, &r.lsoa_code, &r.lsoa_name, &r.crime_type, &r.last_outcome, &r.context] {
        out.text(text);
    }
    out.text(source_file);
    out.bytes(&i64::try_from(r.source_line).unwrap_or(i64::MAX).to_be_bytes());
    out.bytes(&imported_at.to_be_bytes());
}

async fn copy_in(
    conn: &mut sqlx::PgConnection,
    statement: &'static str,
    rows: &[&PoliceUkRecord],
    write: &PoliceUkWrite<'_>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let imported_at = write.imported_at.timestamp_micros() - POSTGRES_EPOCH_MICROS;
    let mut data = BinaryCopy::new();
    for record in rows {
        push_row(&mut data, record, write.source_file, imported_at);
    }
    let data = data.finish();
    let mut copy = conn.copy_in_raw(statement).await.map_err(map_err)?;
    for chunk in data.chunks(COPY_CHUNK) {
        copy.send(chunk).await.map_err(map_err)?;
    }
    copy.finish().await.map_err(map_err)?;
    Ok(())
}

pub(crate) async fn import_policeuk(store: &PostgresStore, write: &PoliceUkWrite<'_>) -> Result<PoliceUkImported> {
    let crimes = sorted(write.records.iter().filter(|r| !r.is_incident()));
    let incidents = sorted(write.records.iter().filter(|r| r.is_incident()));
    let mut tx = store.write().await?;
    sqlx::query(LOCK).execute(&mut *tx).await.map_err(map_err)?;
    let (crime_months, incident_months): (bool, bool) = sqlx::query_as(MONTHS_STORED)
        .bind(months(&crimes))
        .bind(months(&incidents))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
    let mut by_crime_type: HashMap<&str, u64> = HashMap::new();
    for (table, statement, records, months_stored) in [
        ("policeuk_crime", COPY_CRIMES, crimes, crime_months),
        ("policeuk_incident", COPY_INCIDENTS, incidents, incident_months),
    ] {
        let stored = if months_stored { stored_keys(&mut tx, table, &records).await? } else { HashSet::new() };
        let new: Vec<&PoliceUkRecord> = records.into_iter().filter(|r| !stored.contains(&r.key)).collect();
        copy_in(&mut tx, statement, &new, write).await?;
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

pub(crate) async fn policeuk_counts(store: &PostgresStore) -> Result<PoliceUkCounts> {
    let rows = sqlx::query(
        "SELECT 'crime' AS kind, crime_type AS name, count(*) AS n FROM policeuk_crime GROUP BY crime_type \
         UNION ALL SELECT 'incident', crime_type, count(*) FROM policeuk_incident GROUP BY crime_type \
         UNION ALL SELECT 'outcome', last_outcome, count(*) FROM \
         (SELECT last_outcome FROM policeuk_crime UNION ALL SELECT last_outcome FROM policeuk_incident) o \
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

pub(crate) async fn list_policeuk_records(
    store: &PostgresStore,
    month: &str,
    limit: u32,
) -> Result<Vec<PoliceUkRecord>> {
    sqlx::query(
        "SELECT * FROM (SELECT key, crime_id, month, reported_by, falls_within, longitude, latitude, location, \
         lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line FROM policeuk_crime \
         WHERE month = $1 UNION ALL SELECT key, NULL, month, reported_by, falls_within, longitude, latitude, \
         location, lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line \
         FROM policeuk_incident WHERE month = $1) r ORDER BY source_file, source_line LIMIT $2",
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

fn record_from_row(row: &PgRow) -> Result<PoliceUkRecord> {
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
