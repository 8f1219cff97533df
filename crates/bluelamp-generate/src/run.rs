//! Loading a generated force: checks first (nothing is written to a database holding another force
//! or records that were not generated), then batches, each one transaction with its audit events
//! and the run's progress, made on a worker thread while the one before is written. An interrupted
//! run resumes after its last whole batch; batches are deterministic, so the result is the same.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bluelamp_core::audit::{Actor, AuditCategory, NewAuditEvent, RequestContext};
use bluelamp_core::bulk::{BulkBatch, GeneratedForce};
use bluelamp_core::store::Store;
use chrono::{DateTime, Utc};

use crate::rows::{self, Made};
use crate::{GENERATED_BY, GenOfficer, Generator};

/// What one batch makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Officers,
    People,
    Incidents,
    Crimes,
}

impl Part {
    pub fn label(self) -> &'static str {
        match self {
            Part::Officers => "officers and staff",
            Part::People => "people",
            Part::Incidents => "incidents",
            Part::Crimes => "crimes (with the incidents they were reported in)",
        }
    }
}

/// Items per batch: about 100,000 rows each.
fn batch_size(part: Part) -> usize {
    match part {
        Part::Officers => 5_000,
        Part::People => 25_000,
        Part::Incidents => 8_000,
        Part::Crimes => 12_000,
    }
}

/// Every batch of a spec, in order.
pub fn plan(g: &Generator) -> Vec<(Part, Range<usize>)> {
    let mut out = Vec::new();
    for (part, n) in [
        (Part::Officers, g.spec.officers),
        (Part::People, g.spec.people),
        (Part::Incidents, g.other_incidents()),
        (Part::Crimes, g.spec.crimes),
    ] {
        let size = batch_size(part);
        out.extend((0..n).step_by(size).map(|s| (part, s..(s + size).min(n))));
    }
    out
}

/// Roughly how much disk a spec takes, indexes included (measured on SQLite with the small profile:
/// 72 MB for 20,000 people, 8,500 other incidents and 2,000 crimes with their incidents): about
/// 2.6 KB per incident with its log, THRIVE, grade and audit, 2 KB per person, 5.4 KB per crime.
pub fn estimated_bytes(g: &Generator) -> u64 {
    (g.other_incidents() as u64) * 2_600 + (g.spec.people as u64) * 2_000 + (g.spec.crimes as u64) * 5_400
}

/// Where a run is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub part: Part,
    /// Items of this part done, and in all.
    pub done: usize,
    pub total: usize,
    pub batches_done: usize,
    pub batches_total: usize,
    pub rows: u64,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// (what, how many) made by this run.
    pub made: Vec<(&'static str, usize)>,
    pub rows: u64,
    pub audit_events: u64,
    pub seconds: f64,
    /// Batches done before this run started (a resumed run), when it stopped, and in all.
    pub resumed_from: usize,
    pub batches_done: usize,
    pub batches_total: usize,
    /// Stopped early on request; the same command carries on.
    pub interrupted: bool,
    /// The database already held this force, whole: nothing was written.
    pub already_complete: bool,
}

/// Why nothing was written.
#[derive(Debug)]
pub enum Refusal {
    /// Another generated force is here.
    OtherForce {
        here: String,
        asked: String,
    },
    /// Records made by people or imports are here.
    NotEmpty,
    Store(bluelamp_core::Error),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::OtherForce { here, asked } => write!(
                f,
                "this database holds a different generated force ({here}); asked for {asked}. Use a new database \
                 (nothing was written)"
            ),
            Refusal::NotEmpty => write!(
                f,
                "this database already holds people, incidents or crimes that were not generated: generate into a \
                 new database (nothing was written)"
            ),
            Refusal::Store(e) => write!(f, "storage: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

impl From<bluelamp_core::Error> for Refusal {
    fn from(e: bluelamp_core::Error) -> Refusal {
        Refusal::Store(e)
    }
}

/// Where a run may start: `Ok(batches already done)`, or why it must not.
pub async fn check(store: &dyn Store, g: &Generator) -> Result<(usize, Option<GeneratedForce>), Refusal> {
    match store.generated_force().await? {
        Some(f) if f.fingerprint != g.spec.fingerprint() => {
            Err(Refusal::OtherForce { here: f.fingerprint, asked: g.spec.fingerprint() })
        }
        Some(f) => Ok((usize::try_from(f.batches_done).unwrap_or(0), Some(f))),
        None if store.holds_records().await? => Err(Refusal::NotEmpty),
        None => Ok((0, None)),
    }
}

fn make(g: &Generator, officers: &[GenOfficer], part: Part, range: Range<usize>) -> Made {
    match part {
        Part::Officers => rows::officers(g, range),
        Part::People => rows::people(g, range),
        Part::Incidents => rows::incidents(g, range, officers),
        Part::Crimes => rows::crimes(g, range, officers),
    }
}

/// Generates the force into `store` (after [`check`]), reporting each batch to `progress`; stops
/// after the current batch when `stop` is set.
pub async fn generate(
    store: &dyn Store,
    g: Arc<Generator>,
    now: DateTime<Utc>,
    progress: &(dyn Fn(&Progress) + Send + Sync),
    stop: &AtomicBool,
) -> Result<Summary, Refusal> {
    let started = Instant::now();
    let (resume_at, existing) = check(store, &g).await?;
    let batches = plan(&g);
    let total = batches.len();
    if existing.as_ref().is_some_and(|f| f.finished_at.is_some()) {
        return Ok(Summary {
            made: Vec::new(),
            rows: 0,
            audit_events: 0,
            seconds: started.elapsed().as_secs_f64(),
            resumed_from: resume_at,
            batches_done: total,
            batches_total: total,
            interrupted: false,
            already_complete: true,
        });
    }
    let started_at = existing.as_ref().map_or(now, |f| f.started_at);
    let officers: Arc<Vec<GenOfficer>> = Arc::new((0..g.spec.officers).map(|k| g.officer(k)).collect());
    let counters: Vec<(String, i64)> =
        g.year_counters().into_iter().map(|(year, last)| (format!("crime:{year}"), last)).collect();
    store.bulk_begin(rows::TABLES).await?;
    let spawn = |b: usize| {
        let (g, officers) = (g.clone(), officers.clone());
        let (part, range) = batches[b].clone();
        tokio::task::spawn_blocking(move || make(&g, &officers, part, range))
    };
    let mut made_counts: Vec<(&'static str, usize)> = Vec::new();
    let (mut rows, mut audit_events) = (0u64, 0u64);
    let mut next = (resume_at < total).then(|| spawn(resume_at));
    let mut interrupted = false;
    let mut batches_done = resume_at;
    for b in resume_at..total {
        let Some(pending) = next.take() else { break };
        let made =
            pending.await.map_err(|e| Refusal::Store(bluelamp_core::Error::Storage(format!("generator: {e}"))))?;
        if b + 1 < total {
            next = Some(spawn(b + 1));
        }
        let (part, range) = batches[b].clone();
        let batch = BulkBatch {
            tables: made.tables,
            audit: made.audit,
            progress: GeneratedForce {
                fingerprint: g.spec.fingerprint(),
                spec: g.spec.json(),
                batches_done: (b + 1) as i64,
                batches_total: total as i64,
                started_at,
                finished_at: None,
            },
            counters: if part == Part::Crimes { counters.clone() } else { Vec::new() },
        };
        rows += batch.row_count() as u64;
        audit_events += batch.audit.len() as u64;
        store.bulk_load(&batch).await?;
        batches_done = b + 1;
        let label = part.label();
        match made_counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += range.len(),
            None => made_counts.push((label, range.len())),
        }
        let part_total = batches.iter().filter(|(p, _)| *p == part).map(|(_, r)| r.len()).sum();
        let part_done = batches[..=b].iter().filter(|(p, _)| *p == part).map(|(_, r)| r.len()).sum();
        progress(&Progress {
            part,
            done: part_done,
            total: part_total,
            batches_done: b + 1,
            batches_total: total,
            rows,
        });
        if stop.load(Ordering::Relaxed) && b + 1 < total {
            interrupted = true;
            break;
        }
    }
    if let Some(pending) = next {
        pending.abort();
    }
    if !interrupted {
        store.bulk_finish().await?;
        let done = BulkBatch {
            tables: Vec::new(),
            audit: vec![{
                let mut e = NewAuditEvent::new(
                    now,
                    &Actor::system(GENERATED_BY),
                    "data.generate",
                    AuditCategory::Collect,
                    &RequestContext::default(),
                )
                .after(&g.spec.json());
                e.is_generated = true;
                e
            }],
            progress: GeneratedForce {
                fingerprint: g.spec.fingerprint(),
                spec: g.spec.json(),
                batches_done: total as i64,
                batches_total: total as i64,
                started_at,
                finished_at: Some(now),
            },
            counters: Vec::new(),
        };
        store.bulk_load(&done).await?;
        audit_events += 1;
    }
    Ok(Summary {
        made: made_counts,
        rows,
        audit_events,
        seconds: started.elapsed().as_secs_f64(),
        resumed_from: resume_at,
        batches_done,
        batches_total: total,
        interrupted,
        already_complete: false,
    })
}
