//! data.police.uk street-level crime files, as historical records: parsing, validation, the keys
//! that make an import idempotent, the per-file summary, and the import use case.
//!
//! A street file has twelve columns (see [`STREET_HEADER`]) and one row per crime or anti-social
//! behaviour (ASB) report, to the month. These are not full crimes (no offence code, no day, an
//! anonymised location), so they are kept apart from recorded crimes: rows with a Crime ID become
//! historical crime records, ASB rows (which never have one) historical incident records.
//!
//! Keys ([`PoliceUkRecord::key`]) are derived from the row, never drawn at random, so importing the
//! same file again finds every row already stored:
//! - a crime row keys on its Crime ID, its month and its occurrence number: how many earlier rows
//!   *of the same file* carry the same Crime ID and month. data.police.uk does not promise that Crime
//!   IDs are unique; two rows sharing one in a file are both kept (occurrences 0 and 1), and the same
//!   crime in a second file for the same month (a later download) is the row already stored;
//! - an ASB row has no identifier at all, so it keys on its whole content and how many earlier rows
//!   of the file have exactly the same content (two reports at the same snap point in the same month
//!   are two incidents, and stay two however often the file is imported).
//!
//! Everything here is pure: the binary reads the file's bytes and hands them over.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Core;
use crate::access::Permission;
use crate::audit::{AuditCategory, NewAuditEvent, RequestContext};
use crate::core::By;
use crate::error::Result;
use crate::store::PoliceUkWrite;

/// The header of a data.police.uk street file, column by column.
pub const STREET_HEADER: [&str; 12] = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
];

/// The header of a data.police.uk outcomes file, recognised only to say it is not a street file.
const OUTCOMES_HEADER: [&str; 10] = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Outcome type",
];

/// The crime type data.police.uk gives anti-social behaviour; such rows have no Crime ID.
pub const ANTI_SOCIAL_BEHAVIOUR: &str = "Anti-social behaviour";

/// The longest value accepted in any column: data.police.uk's longest are LSOA names and locations,
/// well under this; anything longer is not a street file's row.
pub const MAX_FIELD_CHARS: usize = 500;

/// Rejected rows listed in a file's audit event (all are counted).
pub const MAX_REJECTED_IN_AUDIT: usize = 100;

/// One row of a street file, validated, with the key it is stored under and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PoliceUkRecord {
    /// Derived from the row (see the module documentation); the store's primary key. The month is
    /// part of what is hashed, so records of different months never share a key: a store with no
    /// record of a file's months holds none of its keys.
    pub key: Uuid,
    /// The data.police.uk Crime ID; `None` for anti-social behaviour, which becomes an incident.
    pub crime_id: Option<String>,
    /// `YYYY-MM`.
    pub month: String,
    pub reported_by: String,
    pub falls_within: String,
    /// WGS84 degrees; both or neither (data.police.uk leaves both empty where it has no location).
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// The anonymised snap point ("On or near …"), not an address.
    pub location: String,
    pub lsoa_code: String,
    pub lsoa_name: String,
    /// data.police.uk's crime type (its category), e.g. "Burglary" or "Anti-social behaviour".
    pub crime_type: String,
    /// The outcome when the file was downloaded; empty for anti-social behaviour.
    pub last_outcome: String,
    pub context: String,
    /// The file name (without its directory) and the line the row starts on.
    pub source_file: String,
    pub source_line: u64,
}

impl PoliceUkRecord {
    /// Anti-social behaviour rows (no Crime ID) are stored as historical incidents, the rest as
    /// historical crimes.
    pub fn is_incident(&self) -> bool {
        self.crime_id.is_none()
    }
}

/// A row that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub file: String,
    pub line: u64,
    /// The row's crime type when it could be read, else `(unreadable)`: for the summary by category.
    pub category: String,
    pub rule: String,
}

impl std::fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, line {}: {}", self.file, self.line, self.rule)
    }
}

/// A file that cannot be imported at all: it is not a street file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line 1: {problem}")]
pub struct HeaderError {
    pub file: String,
    pub problem: String,
}

/// A whole file, parsed: its good rows in file order and its rejected rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    pub file: String,
    /// SHA-256 of the file's bytes, recorded in the audit event.
    pub sha256: String,
    /// Data rows in the file (the header aside): `records.len() + rejected.len()`.
    pub rows_read: u64,
    /// The good rows in file order. No two share a key (stores rely on it).
    pub records: Vec<PoliceUkRecord>,
    pub rejected: Vec<RejectedRow>,
}

/// What a store wrote for one file: the rows newly stored, by crime type. The others were already
/// there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoliceUkImported {
    pub by_crime_type: BTreeMap<String, u64>,
}

/// What is stored, counted: historical crimes and incidents by crime type, and both by last outcome
/// (incidents count under their outcome too, which data.police.uk leaves empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoliceUkCounts {
    pub crimes_by_type: BTreeMap<String, i64>,
    pub incidents_by_type: BTreeMap<String, i64>,
    pub by_outcome: BTreeMap<String, i64>,
}

impl PoliceUkCounts {
    /// Crimes and incidents together, by crime type.
    pub fn by_crime_type(&self) -> BTreeMap<String, i64> {
        let mut all = self.crimes_by_type.clone();
        for (crime_type, n) in &self.incidents_by_type {
            *all.entry(crime_type.clone()).or_default() += n;
        }
        all
    }

    pub fn total(&self) -> i64 {
        self.crimes_by_type.values().chain(self.incidents_by_type.values()).sum()
    }
}

/// Rows of one category (crime type) in an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CategoryCounts {
    /// Rows read, rejected ones included.
    pub read: u64,
    pub imported: u64,
    pub already_present: u64,
    pub rejected: u64,
}

impl CategoryCounts {
    fn add(&mut self, other: &CategoryCounts) {
        self.read += other.read;
        self.imported += other.imported;
        self.already_present += other.already_present;
        self.rejected += other.rejected;
    }
}

/// The outcome of importing one or more files, by category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub files: Vec<String>,
    pub by_category: BTreeMap<String, CategoryCounts>,
    pub rejected: Vec<RejectedRow>,
}

impl ImportSummary {
    /// The summary of one file from what the store newly wrote.
    pub fn of_file(file: &ParsedFile, imported: &PoliceUkImported) -> ImportSummary {
        // Counted by borrowed name first: a file has tens of thousands of rows and a dozen categories.
        let mut counted: BTreeMap<&str, CategoryCounts> = BTreeMap::new();
        for record in &file.records {
            counted.entry(&record.crime_type).or_default().read += 1;
        }
        for row in &file.rejected {
            let counts = counted.entry(&row.category).or_default();
            counts.read += 1;
            counts.rejected += 1;
        }
        let by_category = counted
            .into_iter()
            .map(|(category, mut counts)| {
                let valid = counts.read - counts.rejected;
                counts.imported = imported.by_crime_type.get(category).copied().unwrap_or(0).min(valid);
                counts.already_present = valid - counts.imported;
                (category.to_string(), counts)
            })
            .collect();
        ImportSummary { files: vec![file.file.clone()], by_category, rejected: file.rejected.clone() }
    }

    /// Adds another summary's counts to this one (files imported one after another).
    pub fn merge(&mut self, other: &ImportSummary) {
        self.files.extend(other.files.iter().cloned());
        for (category, counts) in &other.by_category {
            self.by_category.entry(category.clone()).or_default().add(counts);
        }
        self.rejected.extend(other.rejected.iter().cloned());
    }

    /// Every category added up.
    pub fn totals(&self) -> CategoryCounts {
        let mut total = CategoryCounts::default();
        for counts in self.by_category.values() {
            total.add(counts);
        }
        total
    }

    /// The JSON recorded in a file's `import.policeuk` audit event.
    pub fn audit_json(&self, file: &ParsedFile) -> serde_json::Value {
        let totals = self.totals();
        let by_category: serde_json::Map<String, serde_json::Value> = self
            .by_category
            .iter()
            .map(|(category, c)| {
                (
                    category.clone(),
                    json!({ "read": c.read, "imported": c.imported, "already_present": c.already_present, "rejected": c.rejected }),
                )
            })
            .collect();
        let rejected_lines: Vec<String> =
            self.rejected.iter().take(MAX_REJECTED_IN_AUDIT).map(|r| format!("line {}: {}", r.line, r.rule)).collect();
        json!({
            "file": file.file,
            "sha256": file.sha256,
            "rows_read": totals.read,
            "imported": totals.imported,
            "already_present": totals.already_present,
            "rejected": totals.rejected,
            "by_category": by_category,
            "rejected_lines": rejected_lines,
        })
    }
}

/// Parses a data.police.uk street file. `file` names it in every message (the binary passes the
/// file name). The header must be the street header ([`STREET_HEADER`]); otherwise nothing is read
/// and the error says what was found. Each row that breaks a rule is rejected with its line and the
/// rule, and the rest are still read. Never panics, whatever the bytes.
pub fn parse_street_file(file: &str, bytes: &[u8]) -> Result<ParsedFile, HeaderError> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let header_error = |problem: String| HeaderError { file: file.to_string(), problem };
    match reader.read_byte_record(&mut record) {
        Ok(true) => check_header(&record).map_err(header_error)?,
        Ok(false) => return Err(header_error(format!("the file is empty; {}", expected_header()))),
        Err(e) => return Err(header_error(format!("the header cannot be read ({e}); {}", expected_header()))),
    }

    let mut parsed =
        ParsedFile { file: file.to_string(), sha256, rows_read: 0, records: Vec::new(), rejected: Vec::new() };
    // Rows seen so far by Crime ID and month, keyed by the first such row's key (which identifies
    // the pair without copying it).
    let mut crime_occurrences: HashMap<Uuid, u64> = HashMap::new();
    let mut content_occurrences: HashMap<[u8; 32], u64> = HashMap::new();
    loop {
        let before = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                parsed.rows_read += 1;
                let line = record.position().map_or(0, |p| p.line());
                match parse_row(&record) {
                    Ok(mut row) => {
                        row.key = match &row.crime_id {
                            Some(crime_id) => {
                                let first = crime_key(crime_id, &row.month, 0);
                                let n = crime_occurrences.entry(first).or_insert(0);
                                *n += 1;
                                if *n == 1 { first } else { crime_key(crime_id, &row.month, *n - 1) }
                            }
                            None => {
                                let content = content_digest(&record);
                                let n = content_occurrences.entry(content).or_insert(0);
                                *n += 1;
                                incident_key(&content, *n - 1)
                            }
                        };
                        row.source_file = file.to_string();
                        row.source_line = line;
                        parsed.records.push(row);
                    }
                    Err(rule) => parsed.rejected.push(RejectedRow {
                        file: file.to_string(),
                        line,
                        category: category_of(&record),
                        rule,
                    }),
                }
            }
            Err(e) => {
                parsed.rows_read += 1;
                let line = e.position().map_or(reader.position().line(), |p| p.line());
                parsed.rejected.push(RejectedRow {
                    file: file.to_string(),
                    line,
                    category: UNREADABLE.to_string(),
                    rule: format!("the row cannot be read as CSV: {e}"),
                });
                if reader.position().byte() == before {
                    break;
                }
            }
        }
    }
    Ok(parsed)
}

/// The category of rejected rows whose crime type cannot be read.
pub const UNREADABLE: &str = "(unreadable)";

fn expected_header() -> String {
    format!("a data.police.uk street file starts with the header \"{}\"", STREET_HEADER.join(","))
}

fn check_header(record: &csv::ByteRecord) -> Result<(), String> {
    let found: Vec<String> = record.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect();
    if found.iter().map(String::as_str).eq(STREET_HEADER) {
        return Ok(());
    }
    if found.iter().map(String::as_str).eq(OUTCOMES_HEADER) {
        return Err("this is a data.police.uk outcomes file; only street files can be imported".to_string());
    }
    if found.len() != STREET_HEADER.len() {
        return Err(format!(
            "the header has {} columns, a data.police.uk street file has {}; {}",
            found.len(),
            STREET_HEADER.len(),
            expected_header()
        ));
    }
    let differs = found.iter().zip(STREET_HEADER).enumerate().find(|(_, (got, want))| got.as_str() != *want);
    match differs {
        Some((i, (got, want))) => {
            Err(format!("column {} of the header is \"{got}\", expected \"{want}\"; {}", i + 1, expected_header()))
        }
        None => Err(expected_header()),
    }
}

fn category_of(record: &csv::ByteRecord) -> String {
    record
        .get(9)
        .and_then(|f| std::str::from_utf8(f).ok())
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.chars().count() <= MAX_FIELD_CHARS)
        .unwrap_or(UNREADABLE)
        .to_string()
}

/// One data row, validated; its key and source are filled in by the caller.
fn parse_row(record: &csv::ByteRecord) -> Result<PoliceUkRecord, String> {
    if record.len() < STREET_HEADER.len() {
        return Err(format!(
            "the row is truncated: {} of {} columns (it ends after \"{}\")",
            record.len(),
            STREET_HEADER.len(),
            STREET_HEADER.get(record.len().saturating_sub(1)).copied().unwrap_or("")
        ));
    }
    if record.len() > STREET_HEADER.len() {
        return Err(format!("the row has {} columns, a street file has {}", record.len(), STREET_HEADER.len()));
    }
    let mut fields = [""; STREET_HEADER.len()];
    for ((bytes, column), field) in record.iter().zip(STREET_HEADER).zip(fields.iter_mut()) {
        let text = std::str::from_utf8(bytes).map_err(|_| format!("{column} is not UTF-8 text"))?.trim();
        // Fewer bytes than the limit cannot be more characters; count only longer fields.
        if text.len() > MAX_FIELD_CHARS && text.chars().count() > MAX_FIELD_CHARS {
            return Err(format!("{column} is longer than {MAX_FIELD_CHARS} characters"));
        }
        *field = text;
    }
    let [
        crime_id,
        month,
        reported_by,
        falls_within,
        longitude,
        latitude,
        location,
        lsoa_code,
        lsoa_name,
        crime_type,
        last_outcome,
        context,
    ] = fields;
    if !is_month(month) {
        return Err(format!("Month \"{month}\" is not a month written YYYY-MM"));
    }
    if crime_type.is_empty() {
        return Err("Crime type is empty".to_string());
    }
    if crime_id.is_empty() && crime_type != ANTI_SOCIAL_BEHAVIOUR {
        return Err(format!(
            "Crime ID is empty but the crime type is \"{crime_type}\" (only anti-social behaviour comes without one)"
        ));
    }
    if crime_id.chars().any(char::is_whitespace) {
        return Err("Crime ID contains spaces".to_string());
    }
    let (longitude, latitude) = match (longitude, latitude) {
        ("", "") => (None, None),
        ("", _) | (_, "") => return Err("Longitude and Latitude must both be given or both be empty".to_string()),
        (lon, lat) => (Some(coordinate("Longitude", lon, 180.0)?), Some(coordinate("Latitude", lat, 90.0)?)),
    };
    Ok(PoliceUkRecord {
        key: Uuid::nil(),
        crime_id: (!crime_id.is_empty()).then(|| crime_id.to_string()),
        month: month.to_string(),
        reported_by: reported_by.to_string(),
        falls_within: falls_within.to_string(),
        longitude,
        latitude,
        location: location.to_string(),
        lsoa_code: lsoa_code.to_string(),
        lsoa_name: lsoa_name.to_string(),
        crime_type: crime_type.to_string(),
        last_outcome: last_outcome.to_string(),
        context: context.to_string(),
        source_file: String::new(),
        source_line: 0,
    })
}

/// `YYYY-MM` with a month from 01 to 12.
pub fn is_month(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 7
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && matches!((bytes[5], bytes[6]), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'))
}

fn coordinate(column: &str, text: &str, limit: f64) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value.abs() <= limit => Ok(value),
        _ => Err(format!("{column} \"{text}\" is not a number of degrees between -{limit} and {limit}")),
    }
}

fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

fn uuid_of(h: Sha256) -> Uuid {
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// The key of the `occurrence`-th row (from 0) of a file with this Crime ID and month.
pub fn crime_key(crime_id: &str, month: &str, occurrence: u64) -> Uuid {
    let mut h = Sha256::new();
    field(&mut h, b"policeuk-crime-v1");
    field(&mut h, crime_id.as_bytes());
    field(&mut h, month.as_bytes());
    field(&mut h, &occurrence.to_be_bytes());
    uuid_of(h)
}

/// The digest of a row's twelve columns as they are in the file (trimmed).
fn content_digest(record: &csv::ByteRecord) -> [u8; 32] {
    let mut h = Sha256::new();
    for value in record {
        field(&mut h, value.trim_ascii());
    }
    h.finalize().into()
}

/// The key of the `occurrence`-th row (from 0) of a file with exactly this content.
fn incident_key(content: &[u8; 32], occurrence: u64) -> Uuid {
    let mut h = Sha256::new();
    field(&mut h, b"policeuk-asb-v1");
    field(&mut h, content);
    field(&mut h, &occurrence.to_be_bytes());
    uuid_of(h)
}

impl Core {
    /// Imports one parsed street file: stores its rows not already stored (crimes as historical
    /// crime records, anti-social behaviour as historical incident records) and one
    /// `import.policeuk` audit event with the counts, in one transaction. Importing the same file
    /// again stores nothing new (the event still records the attempt). Rejected rows are counted
    /// and listed in the summary and the event; they were never passed to the store.
    ///
    /// Errors: `Forbidden` without `crime.record`; storage errors, in which case nothing of the file
    /// was stored.
    pub async fn import_policeuk(&self, by: By<'_>, file: &ParsedFile, ctx: &RequestContext) -> Result<ImportSummary> {
        by.require(Permission::CrimeRecord)?;
        let actor = by.actor();
        let now = self.now();
        let audit = |imported: &PoliceUkImported| -> NewAuditEvent {
            let summary = ImportSummary::of_file(file, imported);
            NewAuditEvent::new(now, &actor, "import.policeuk", AuditCategory::Collect, ctx)
                .record("policeuk_file", &file.file)
                .after(&summary.audit_json(file))
        };
        let write = PoliceUkWrite { source_file: &file.file, records: &file.records, imported_at: now, audit: &audit };
        let imported = self.store.import_policeuk(&write).await?;
        Ok(ImportSummary::of_file(file, &imported))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n";
    const CRIME: &str = "c72cf95ee7e81127c614d0bc968b6b1b56aa589e13e2c5b8386bb8648fc6feaa,2022-01,Kent Police,Kent Police,0.969601,51.253674,On or near Cobbs Hill,E01023987,Ashford 001B,Other theft,Status update unavailable,\n";
    const ASB: &str = ",2022-01,Kent Police,Kent Police,0.872235,51.143207,On or near Parking Area,E01024005,Ashford 002C,Anti-social behaviour,,\n";

    fn parse(body: &str) -> ParsedFile {
        parse_street_file("test.csv", format!("{HEADER}{body}").as_bytes()).expect("a street file")
    }

    #[test]
    fn rows_are_typed_and_asb_becomes_an_incident() {
        let parsed = parse(&format!("{CRIME}{ASB}"));
        assert_eq!((parsed.rows_read, parsed.records.len(), parsed.rejected.len()), (2, 2, 0));
        let crime = &parsed.records[0];
        assert_eq!(crime.crime_id.as_deref(), Some("c72cf95ee7e81127c614d0bc968b6b1b56aa589e13e2c5b8386bb8648fc6feaa"));
        assert_eq!(
            (crime.month.as_str(), crime.longitude, crime.latitude),
            ("2022-01", Some(0.969601), Some(51.253674))
        );
        assert_eq!((crime.lsoa_code.as_str(), crime.lsoa_name.as_str()), ("E01023987", "Ashford 001B"));
        assert_eq!(
            (crime.crime_type.as_str(), crime.last_outcome.as_str()),
            ("Other theft", "Status update unavailable")
        );
        assert_eq!((crime.source_file.as_str(), crime.source_line), ("test.csv", 2));
        assert!(!crime.is_incident());
        let asb = &parsed.records[1];
        assert!(asb.is_incident());
        assert_eq!(
            (asb.crime_type.as_str(), asb.last_outcome.as_str(), asb.source_line),
            (ANTI_SOCIAL_BEHAVIOUR, "", 3)
        );
    }

    #[test]
    fn keys_are_stable_and_distinguish_repeats() {
        let once = parse(&format!("{CRIME}{ASB}"));
        let again = parse(&format!("{ASB}{CRIME}"));
        let keys = |p: &ParsedFile| {
            let mut k: Vec<Uuid> = p.records.iter().map(|r| r.key).collect();
            k.sort();
            k
        };
        assert_eq!(keys(&once), keys(&again), "the same rows in another order have the same keys");
        // The same crime twice in one file and the same ASB report twice: four rows, four keys.
        let twice = parse(&format!("{CRIME}{CRIME}{ASB}{ASB}"));
        let mut all = keys(&twice);
        all.dedup();
        assert_eq!(all.len(), 4);
        assert_eq!(twice.records[0].key, crime_key(twice.records[0].crime_id.as_deref().unwrap_or(""), "2022-01", 0));
        assert_eq!(twice.records[1].key, crime_key(twice.records[1].crime_id.as_deref().unwrap_or(""), "2022-01", 1));
        // A later download with a new outcome is the same crime.
        let updated = parse(&CRIME.replace("Status update unavailable", "Unable to prosecute suspect"));
        assert_eq!(updated.records[0].key, once.records[0].key);
        // An ASB report differing in any column is another incident.
        let elsewhere = parse(&ASB.replace("Parking Area", "High Street"));
        assert!(!keys(&once).contains(&elsewhere.records[0].key));
    }

    #[test]
    fn keys_differ_between_months() {
        let january = parse(&format!("{CRIME}{ASB}"));
        let february = parse(&format!("{CRIME}{ASB}").replace("2022-01", "2022-02"));
        for (a, b) in january.records.iter().zip(&february.records) {
            assert_eq!((a.month.as_str(), b.month.as_str()), ("2022-01", "2022-02"));
            assert_ne!(a.key, b.key, "{}", a.crime_type);
        }
    }

    #[test]
    fn wrong_headers_name_the_file_and_what_was_found() {
        let outcomes =
            "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n";
        let e = parse_street_file("2022-01-kent-outcomes.csv", outcomes.as_bytes()).expect_err("not a street file");
        assert_eq!(e.file, "2022-01-kent-outcomes.csv");
        assert!(
            e.to_string().starts_with("2022-01-kent-outcomes.csv, line 1: this is a data.police.uk outcomes file"),
            "{e}"
        );
        let renamed = HEADER.replace("Crime type", "Category");
        let e = parse_street_file("x.csv", renamed.as_bytes()).expect_err("renamed column");
        assert!(e.problem.starts_with("column 10 of the header is \"Category\", expected \"Crime type\""), "{e}");
        let e = parse_street_file("x.csv", b"a,b,c\n1,2,3\n").expect_err("three columns");
        assert!(e.problem.starts_with("the header has 3 columns"), "{e}");
        let e = parse_street_file("empty.csv", b"").expect_err("empty");
        assert!(e.problem.starts_with("the file is empty"), "{e}");
        // A byte-order mark and a CRLF header are fine.
        let bom = format!("\u{feff}{}{CRIME}", HEADER.replace('\n', "\r\n"));
        assert_eq!(parse_street_file("bom.csv", bom.as_bytes()).expect("bom").records.len(), 1);
    }

    #[test]
    fn bad_rows_are_reported_with_their_line_and_the_rest_read() {
        let body = [
            CRIME,
            "abc,2022-01,Kent Police,Kent Police,0.9,51.2,On or near X\n",
            "def,2022-13,Kent Police,Kent Police,0.9,51.2,On or near X,E0,A,Burglary,Under investigation,\n",
            "ghi,2022-01,Kent Police,Kent Police,0.9,,On or near X,E0,A,Burglary,Under investigation,\n",
            "jkl,2022-01,Kent Police,Kent Police,500,51,On or near X,E0,A,Burglary,Under investigation,\n",
            ",2022-01,Kent Police,Kent Police,,,On or near X,E0,A,Burglary,,\n",
            "mno,2022-01,Kent Police,Kent Police,,,On or near X,E0,A,,Under investigation,\n",
            "pqr,2022-01,Kent Police,Kent Police,,,On or near X,E0,A,Burglary,Under investigation,,extra\n",
            ASB,
        ]
        .concat();
        let parsed = parse(&body);
        assert_eq!((parsed.rows_read, parsed.records.len(), parsed.rejected.len()), (9, 2, 7));
        let said: Vec<String> = parsed.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            vec![
                "test.csv, line 3: the row is truncated: 7 of 12 columns (it ends after \"Location\")",
                "test.csv, line 4: Month \"2022-13\" is not a month written YYYY-MM",
                "test.csv, line 5: Longitude and Latitude must both be given or both be empty",
                "test.csv, line 6: Longitude \"500\" is not a number of degrees between -180 and 180",
                "test.csv, line 7: Crime ID is empty but the crime type is \"Burglary\" (only anti-social behaviour comes without one)",
                "test.csv, line 8: Crime type is empty",
                "test.csv, line 9: the row has 13 columns, a street file has 12",
            ]
        );
        assert_eq!(parsed.rejected[0].category, UNREADABLE, "a truncated row has no crime type column");
        assert_eq!(parsed.rejected[1].category, "Burglary");
        assert_eq!(parsed.records[1].source_line, 10);
        let latin1 =
            [HEADER.as_bytes(), b"x,2022-01,Kent Police,Kent Police,,,On or near Caf\xe9,E0,A,Burglary,,\n"].concat();
        let parsed = parse_street_file("latin1.csv", &latin1).expect("header ok");
        assert_eq!(parsed.rejected[0].rule, "Location is not UTF-8 text");
    }

    #[test]
    fn multi_line_quoted_fields_keep_line_numbers_true() {
        let body = format!("x,2022-01,Kent Police,Kent Police,,,\"On or near\nTwo Lines\",E0,A,Burglary,,\n{CRIME}");
        let parsed = parse(&body);
        assert_eq!(parsed.records[0].location, "On or near\nTwo Lines");
        assert_eq!(parsed.records[1].source_line, 4);
    }

    #[test]
    fn months_are_checked() {
        for good in ["2022-01", "1999-12", "2030-10"] {
            assert!(is_month(good), "{good}");
        }
        for bad in ["2022-00", "2022-13", "2022-1", "22-01", "2022/01", "2022-01-01", "", "２０２２-01"] {
            assert!(!is_month(bad), "{bad}");
        }
    }

    #[test]
    fn the_summary_counts_by_category() {
        let parsed = parse(&format!("{CRIME}{ASB}{ASB}x,2022-01,Kent Police\n"));
        let imported = PoliceUkImported { by_crime_type: BTreeMap::from([(ANTI_SOCIAL_BEHAVIOUR.to_string(), 1)]) };
        let summary = ImportSummary::of_file(&parsed, &imported);
        let asb = summary.by_category[ANTI_SOCIAL_BEHAVIOUR];
        assert_eq!((asb.read, asb.imported, asb.already_present, asb.rejected), (2, 1, 1, 0));
        let theft = summary.by_category["Other theft"];
        assert_eq!((theft.read, theft.imported, theft.already_present), (1, 0, 1));
        let totals = summary.totals();
        assert_eq!((totals.read, totals.imported, totals.already_present, totals.rejected), (4, 1, 2, 1));
        let mut both = summary.clone();
        both.merge(&summary);
        assert_eq!(both.totals().read, 8);
        assert_eq!(both.files.len(), 2);
        let audit = summary.audit_json(&parsed);
        assert_eq!(audit["imported"], 1);
        assert_eq!(
            audit["rejected_lines"][0],
            "line 5: the row is truncated: 3 of 12 columns (it ends after \"Reported by\")"
        );
        assert_eq!(audit["sha256"].as_str().map(str::len), Some(64));
    }

    proptest! {
        #[test]
        fn no_input_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_street_file("fuzz.csv", &bytes);
            let with_header = [HEADER.as_bytes(), &bytes].concat();
            let parsed = parse_street_file("fuzz.csv", &with_header).expect("the header is right");
            prop_assert_eq!(parsed.rows_read as usize, parsed.records.len() + parsed.rejected.len());
        }

        #[test]
        fn csv_shaped_rows_never_panic_and_are_accounted_for(
            rows in proptest::collection::vec(proptest::collection::vec("[ -~é\"\n]{0,12}", 0..14), 0..20)
        ) {
            let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for row in &rows {
                writer.write_record(row).expect("write to memory");
            }
            let body = writer.into_inner().expect("flush to memory");
            let parsed = parse_street_file("fuzz.csv", &[HEADER.as_bytes(), &body].concat()).expect("header");
            prop_assert_eq!(parsed.rows_read as usize, parsed.records.len() + parsed.rejected.len());
            for record in &parsed.records {
                prop_assert!(is_month(&record.month));
                prop_assert_eq!(record.longitude.is_some(), record.latitude.is_some());
            }
        }

        #[test]
        fn keys_within_a_file_are_distinct(
            rows in proptest::collection::vec((0usize..3, 0usize..3, 0usize..2), 0..40)
        ) {
            // Few distinct values, so Crime IDs, months and whole ASB rows repeat often.
            let mut body = String::new();
            for (id, month, place) in &rows {
                let crime_id = ["", "aaa", "bbb"][*id];
                let crime_type = if crime_id.is_empty() { ANTI_SOCIAL_BEHAVIOUR } else { "Burglary" };
                body.push_str(&format!(
                    "{crime_id},2022-0{},Kent Police,Kent Police,,,On or near {},E0,A,{crime_type},,\n",
                    month + 1,
                    ["X", "Y"][*place]
                ));
            }
            let parsed = parse(&body);
            prop_assert_eq!(parsed.records.len(), rows.len());
            let mut keys: Vec<Uuid> = parsed.records.iter().map(|r| r.key).collect();
            keys.sort();
            keys.dedup();
            prop_assert_eq!(keys.len(), rows.len());
        }

        #[test]
        fn any_valid_row_round_trips(
            id in "[0-9a-f]{64}", year in 2010u32..2030, month in 1u32..=12,
            lon in -2.0f64..2.0, lat in 50.0f64..52.0, place in "[A-Za-z ,]{1,30}", outcome in "[A-Za-z ;]{0,30}"
        ) {
            let row = format!("{id},{year}-{month:02},Kent Police,Kent Police,{lon},{lat},\"On or near {place}\",E01000001,Ashford 001A,Burglary,{outcome},\n");
            let parsed = parse_street_file("p.csv", format!("{HEADER}{row}").as_bytes()).expect("header");
            prop_assert_eq!(parsed.rejected.len(), 0, "{:?}", parsed.rejected);
            let r = &parsed.records[0];
            prop_assert_eq!(r.crime_id.as_deref(), Some(id.as_str()));
            prop_assert_eq!(r.longitude, Some(lon));
            let location = format!("On or near {place}");
            prop_assert_eq!(r.location.as_str(), location.trim());
            prop_assert_eq!(r.last_outcome.as_str(), outcome.trim());
        }
    }
}
