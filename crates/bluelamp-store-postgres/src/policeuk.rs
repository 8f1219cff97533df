//! data.police.uk historical records on PostgreSQL. A file's rows are streamed with
//! `COPY … FROM STDIN` into a temporary table that lives for the transaction, then moved into the
//! two tables with `INSERT … SELECT … ON CONFLICT (key) DO NOTHING`, whose `RETURNING` rows are
//! counted by crime type in the same statement. The file's rows and its audit event commit together.

use bluelamp_core::Result;
use bluelamp_core::policeuk::{PoliceUkCounts, PoliceUkImported, PoliceUkRecord};
use bluelamp_core::store::PoliceUkWrite;
use sqlx::postgres::PgRow;

use crate::{PostgresStore, append, get, map_err};

/// Bytes per COPY message.
const COPY_CHUNK: usize = 1 << 20;

const CREATE_STAGING: &str = "CREATE TEMPORARY TABLE policeuk_staging (key uuid NOT NULL, crime_id text, \
     month text NOT NULL, reported_by text NOT NULL, falls_within text NOT NULL, longitude double precision, \
     latitude double precision, location text NOT NULL, lsoa_code text NOT NULL, lsoa_name text NOT NULL, \
     crime_type text NOT NULL, last_outcome text NOT NULL, context text NOT NULL, source_line bigint NOT NULL) \
     ON COMMIT DROP";

const INSERT_CRIMES: &str = "WITH added AS (INSERT INTO policeuk_crime (key, crime_id, month, reported_by, \
     falls_within, longitude, latitude, location, lsoa_code, lsoa_name, crime_type, last_outcome, context, \
     source_file, source_line, imported_at) \
     SELECT key, crime_id, month, reported_by, falls_within, longitude, latitude, location, lsoa_code, lsoa_name, \
     crime_type, last_outcome, context, $1, source_line, $2 FROM policeuk_staging WHERE crime_id IS NOT NULL \
     ON CONFLICT (key) DO NOTHING RETURNING crime_type) \
     SELECT crime_type, count(*) AS n FROM added GROUP BY crime_type";

const INSERT_INCIDENTS: &str = "WITH added AS (INSERT INTO policeuk_incident (key, month, reported_by, \
     falls_within, longitude, latitude, location, lsoa_code, lsoa_name, crime_type, last_outcome, context, \
     source_file, source_line, imported_at) \
     SELECT key, month, reported_by, falls_within, longitude, latitude, location, lsoa_code, lsoa_name, \
     crime_type, last_outcome, context, $1, source_line, $2 FROM policeuk_staging WHERE crime_id IS NULL \
     ON CONFLICT (key) DO NOTHING RETURNING crime_type) \
     SELECT crime_type, count(*) AS n FROM added GROUP BY crime_type";

/// Appends `value` to a COPY text-format line: backslash, tab, newline and carriage return escaped.
fn push_text(line: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => line.push_str("\\\\"),
            '\t' => line.push_str("\\t"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            c => line.push(c),
        }
    }
}

fn push_row(out: &mut String, r: &PoliceUkRecord) {
    use std::fmt::Write as _;
    let _ = write!(out, "{}\t", r.key);
    match &r.crime_id {
        Some(id) => push_text(out, id),
        None => out.push_str("\\N"),
    }
    for text in [&r.month, &r.reported_by, &r.falls_within] {
        out.push('\t');
        push_text(out, text);
    }
    for coordinate in [r.longitude, r.latitude] {
        match coordinate {
            Some(value) => {
                let _ = write!(out, "\t{value}");
            }
            None => out.push_str("\t\\N"),
        }
    }
    for text in [&r.location, &r.lsoa_code, &r.lsoa_name, &r.crime_type, &r.last_outcome, &r.context] {
        out.push('\t');
        push_text(out, text);
    }
    let _ = writeln!(out, "\t{}", r.source_line);
}

pub(crate) async fn import_policeuk(store: &PostgresStore, write: &PoliceUkWrite<'_>) -> Result<PoliceUkImported> {
    let mut tx = store.write().await?;
    sqlx::query(CREATE_STAGING).execute(&mut *tx).await.map_err(map_err)?;
    let mut copy = tx.copy_in_raw("COPY policeuk_staging FROM STDIN (FORMAT text)").await.map_err(map_err)?;
    let mut buffer = String::with_capacity(COPY_CHUNK + 4096);
    for record in write.records {
        push_row(&mut buffer, record);
        if buffer.len() >= COPY_CHUNK {
            copy.send(buffer.as_bytes()).await.map_err(map_err)?;
            buffer.clear();
        }
    }
    if !buffer.is_empty() {
        copy.send(buffer.as_bytes()).await.map_err(map_err)?;
    }
    copy.finish().await.map_err(map_err)?;
    let mut imported = PoliceUkImported::default();
    for statement in [INSERT_CRIMES, INSERT_INCIDENTS] {
        let rows = sqlx::query(statement)
            .bind(write.source_file)
            .bind(write.imported_at)
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
        for row in &rows {
            let n: i64 = get(row, "n")?;
            *imported.by_crime_type.entry(get(row, "crime_type")?).or_default() += u64::try_from(n).unwrap_or(0);
        }
    }
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
