//! Bulk loading of generated records (issue 5, `bluelamp generate`): rows for a store's tables in
//! batches, each batch written with its audit events and the run's progress in one transaction, so
//! an interrupted run leaves whole batches and carries on where it stopped.
//!
//! The generator (crate `bluelamp-generate`) names the tables and columns, which ties it to the
//! schema the way a migration is tied to it; the contract suite loads a small force through
//! [`crate::store::Store::bulk_load`] and reads it back through the stores' ordinary queries, so a
//! column the generator gets wrong fails a test on both databases.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::audit::{AuditEvent, NewAuditEvent};

/// The audit trail's columns (table `audit_event`, the same on both databases), in the order
/// [`audit_row`] gives them: a batch's events are written as rows once the store has linked them.
pub const AUDIT_COLUMNS: &[&str] = &[
    "seq",
    "chain",
    "chain_seq",
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "category",
    "outcome",
    "record_type",
    "record_id",
    "justification",
    "before_json",
    "after_json",
    "request_id",
    "ip",
    "is_generated",
    "prev_hash",
    "hash",
];

/// A linked event as a row of `audit_event`.
pub fn audit_row(linked: &AuditEvent) -> Vec<Cell> {
    let e = &linked.event;
    vec![
        Cell::Int(linked.seq),
        Cell::Int(i64::from(linked.chain)),
        Cell::Int(linked.chain_seq),
        Cell::Id(e.id),
        Cell::Time(e.at),
        e.actor_id.into(),
        e.actor_name.clone().into(),
        e.action.clone().into(),
        e.category.as_str().into(),
        e.outcome.as_str().into(),
        e.record_type.clone().into(),
        e.record_id.clone().into(),
        e.justification.clone().into(),
        e.before.clone().into(),
        e.after.clone().into(),
        e.request_id.clone().into(),
        e.ip.clone().into(),
        Cell::Bool(e.is_generated),
        linked.prev_hash.clone().into(),
        linked.hash.clone().into(),
    ]
}

/// Links a batch's events onto the chain whose head is `head`, at the sequence numbers `seqs` (rising,
/// one per event), as rows of `audit_event`; returns them with the chain's new head.
pub fn link_rows(
    mut head: crate::audit::ChainHead,
    seqs: impl IntoIterator<Item = i64>,
    events: &[NewAuditEvent],
) -> (TableRows, crate::audit::ChainHead) {
    let mut rows = TableRows::new("audit_event", AUDIT_COLUMNS);
    for (event, seq) in events.iter().zip(seqs) {
        let linked = crate::audit::link(&head, seq, event.clone());
        rows.push(audit_row(&linked));
        head = crate::audit::ChainHead::after(&linked);
    }
    (rows, head)
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Id(Uuid),
    Int(i64),
    Real(f64),
    Bool(bool),
    Time(DateTime<Utc>),
    Date(NaiveDate),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<Uuid> for Cell {
    fn from(id: Uuid) -> Cell {
        Cell::Id(id)
    }
}

impl From<Option<Uuid>> for Cell {
    fn from(id: Option<Uuid>) -> Cell {
        id.map_or(Cell::Null, Cell::Id)
    }
}

impl From<DateTime<Utc>> for Cell {
    fn from(t: DateTime<Utc>) -> Cell {
        Cell::Time(t)
    }
}

impl From<Option<DateTime<Utc>>> for Cell {
    fn from(t: Option<DateTime<Utc>>) -> Cell {
        t.map_or(Cell::Null, Cell::Time)
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Null, Cell::Text)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}

impl From<Option<f64>> for Cell {
    fn from(r: Option<f64>) -> Cell {
        r.map_or(Cell::Null, Cell::Real)
    }
}

/// Rows for one table; every row has one cell per column, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRows {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
}

impl TableRows {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> TableRows {
        TableRows { table, columns, rows: Vec::new() }
    }

    /// Adds a row. A row of the wrong width is a bug in the generator, caught by its tests.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "a row of {}", self.table);
        self.rows.push(row);
    }
}

/// What a generated database says about itself: one record, rewritten with every batch.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedForce {
    /// Profile, years, seed and "until": a run with another fingerprint is another force.
    pub fingerprint: String,
    /// The spec as JSON, for people to read.
    pub spec: serde_json::Value,
    pub batches_done: i64,
    pub batches_total: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One transaction's worth: rows, the audit events the real paths would have written for them
/// (marked as generated), and the run's progress after it.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkBatch {
    pub tables: Vec<TableRows>,
    pub audit: Vec<NewAuditEvent>,
    pub progress: GeneratedForce,
    /// Year counters to raise to at least these values ("crime:2026", 1234), so the next record
    /// made by hand takes the next number.
    pub counters: Vec<(String, i64)>,
}

impl BulkBatch {
    /// Rows in the batch, audit events included.
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|t| t.rows.len()).sum::<usize>() + self.audit.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_come_from_the_types_rows_hold() {
        assert_eq!(Cell::from("a"), Cell::Text("a".into()));
        assert_eq!(Cell::from(None::<Uuid>), Cell::Null);
        assert_eq!(Cell::from(Some(1.5)), Cell::Real(1.5));
        assert_eq!(Cell::from(None::<DateTime<Utc>>), Cell::Null);
        let mut t = TableRows::new("person", &["id", "sex"]);
        t.push(vec![Cell::Id(Uuid::nil()), "male".into()]);
        let batch = BulkBatch {
            tables: vec![t],
            audit: Vec::new(),
            progress: GeneratedForce {
                fingerprint: "x".into(),
                spec: serde_json::json!({}),
                batches_done: 1,
                batches_total: 1,
                started_at: DateTime::<Utc>::UNIX_EPOCH,
                finished_at: None,
            },
            counters: Vec::new(),
        };
        assert_eq!(batch.row_count(), 1);
    }
}
