//! data.police.uk historical records on SQLite. A file's rows go in as JSON, a few thousand per
//! statement, through `json_each` (one static statement, one bound value, no per-row round trip),
//! with `ON CONFLICT (key) DO NOTHING`; `RETURNING` tells which were new. The whole file and its
//! audit event are one `BEGIN IMMEDIATE` transaction.

use bluelamp_core::Result;
use bluelamp_core::policeuk::{PoliceUkCounts, PoliceUkImported, PoliceUkRecord};
use bluelamp_core::store::PoliceUkWrite;
use serde_json::json;
use sqlx::sqlite::SqliteRow;

use crate::{SqliteStore, append, get, map_err, ts};

/// Rows per statement: large enough that statement overhead vanishes, small enough that the JSON
/// text stays a few megabytes.
const ROWS_PER_STATEMENT: usize = 5000;

const INSERT_CRIMES: &str = "INSERT INTO policeuk_crime (key, crime_id, month, reported_by, falls_within, longitude, \
     latitude, location, lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line, imported_at) \
     SELECT unhex(value ->> 0), value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, \
     value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, ?2, value ->> 13, ?3 \
     FROM json_each(?1) WHERE true ON CONFLICT (key) DO NOTHING RETURNING crime_type";

const INSERT_INCIDENTS: &str = "INSERT INTO policeuk_incident (key, month, reported_by, falls_within, longitude, \
     latitude, location, lsoa_code, lsoa_name, crime_type, last_outcome, context, source_file, source_line, imported_at) \
     SELECT unhex(value ->> 0), value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, \
     value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, ?2, value ->> 13, ?3 \
     FROM json_each(?1) WHERE true ON CONFLICT (key) DO NOTHING RETURNING crime_type";

fn as_json(records: &[&PoliceUkRecord]) -> String {
    let rows: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            json!([
                r.key.simple().to_string(),
                r.crime_id,
                r.month,
                r.reported_by,
                r.falls_within,
                r.longitude,
                r.latitude,
                r.location,
                r.lsoa_code,
                r.lsoa_name,
                r.crime_type,
                r.last_outcome,
                r.context,
                r.source_line,
            ])
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

pub(crate) async fn import_policeuk(store: &SqliteStore, write: &PoliceUkWrite<'_>) -> Result<PoliceUkImported> {
    let (incidents, crimes): (Vec<&PoliceUkRecord>, Vec<&PoliceUkRecord>) =
        write.records.iter().partition(|r| r.is_incident());
    let imported_at = ts(write.imported_at);
    let mut imported = PoliceUkImported::default();
    let mut tx = store.write().await?;
    for (statement, records) in [(INSERT_CRIMES, &crimes), (INSERT_INCIDENTS, &incidents)] {
        for chunk in records.chunks(ROWS_PER_STATEMENT) {
            let types: Vec<String> = sqlx::query_scalar(statement)
                .bind(as_json(chunk))
                .bind(write.source_file)
                .bind(&imported_at)
                .fetch_all(&mut *tx)
                .await
                .map_err(map_err)?;
            for crime_type in types {
                *imported.by_crime_type.entry(crime_type).or_default() += 1;
            }
        }
    }
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
