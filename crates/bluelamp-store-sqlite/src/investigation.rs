//! Investigations on SQLite (issue 7): a crime's actions, its supervisors' reviews and its outcome
//! decisions, and the lists built from them (an officer's workload, overdue reviews, outcomes
//! awaiting authorisation).

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::casefile::{Answers, Candidate, Criterion, Judgement};
use bluelamp_core::casefile_use::{FileReview, Sample, SampleItem};
use bluelamp_core::crime::Crime;
use bluelamp_core::investigation::{Action, ActionStatus, Review};
use bluelamp_core::investigation_use::{
    Investigation, OutcomeDecision, OwnedAction, SupervisionCounts, evidence_from_json, evidence_json,
};
use bluelamp_core::outcome_stats::{Dimension, MixCount};
use bluelamp_core::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::crime::crime_from_row;
use crate::{SqliteStore, append, get, map_err, opt_ts, parse_enum, parse_ts, ts};

/// Open crimes, as the partial indexes name them.
const OPEN: &str = "status IN ('allocated', 'under-investigation')";

fn date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| Error::Storage(format!("bad date {text:?}: {e}")))
}

pub(crate) async fn insert_action_row(conn: &mut SqliteConnection, a: &Action) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_action (id, crime_id, kind, description, owner_id, owner_name, due_on, status, result, \
         created_at, created_by_name, closed_at, review_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(a.id)
    .bind(a.crime_id)
    .bind(a.kind.as_str())
    .bind(&a.description)
    .bind(a.owner_id)
    .bind(&a.owner_name)
    .bind(a.due_on.format("%Y-%m-%d").to_string())
    .bind(a.status.as_str())
    .bind(&a.result)
    .bind(ts(a.created_at))
    .bind(&a.created_by_name)
    .bind(a.closed_at.map(ts))
    .bind(a.review_id)
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

pub(crate) async fn insert_review(conn: &mut SqliteConnection, r: &Review) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_review (id, crime_id, reviewed_at, reviewer_id, reviewer_name, notes, next_due) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.id)
    .bind(r.crime_id)
    .bind(ts(r.reviewed_at))
    .bind(r.reviewer_id)
    .bind(&r.reviewer_name)
    .bind(&r.notes)
    .bind(ts(r.next_due))
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

/// Stores the decision row whole: a new one, or the same id with its new status.
pub(crate) async fn write_decision(conn: &mut SqliteConnection, d: &OutcomeDecision) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_outcome (id, crime_id, code, label, list_version, status, evidence, authoriser_rank, \
         proposed_at, proposed_by, proposed_by_name, decided_at, decided_by, decided_by_name, decision_note, \
         reopened_at, reopened_by_name, reopen_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, evidence = excluded.evidence, \
         decided_at = excluded.decided_at, decided_by = excluded.decided_by, \
         decided_by_name = excluded.decided_by_name, decision_note = excluded.decision_note, \
         reopened_at = excluded.reopened_at, reopened_by_name = excluded.reopened_by_name, \
         reopen_reason = excluded.reopen_reason",
    )
    .bind(d.id)
    .bind(d.crime_id)
    .bind(&d.code)
    .bind(&d.label)
    .bind(&d.list_version)
    .bind(d.status.as_str())
    .bind(evidence_json(&d.evidence).to_string())
    .bind(d.authoriser_rank.map(|r| r.as_str()))
    .bind(ts(d.proposed_at))
    .bind(d.proposed_by)
    .bind(&d.proposed_by_name)
    .bind(d.decided_at.map(ts))
    .bind(d.decided_by)
    .bind(&d.decided_by_name)
    .bind(&d.decision_note)
    .bind(d.reopened_at.map(ts))
    .bind(&d.reopened_by_name)
    .bind(&d.reopen_reason)
    .execute(&mut *conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.message().contains("UNIQUE") => {
            Error::Conflict("another outcome on this crime already awaits authorisation".into())
        }
        e => map_err(e),
    })
    .map(|_| ())
}

fn action_from_row(r: &SqliteRow) -> Result<Action> {
    Ok(Action {
        id: get(r, "id")?,
        crime_id: get(r, "crime_id")?,
        kind: parse_enum(&get::<String>(r, "kind")?)?,
        description: get(r, "description")?,
        owner_id: get(r, "owner_id")?,
        owner_name: get(r, "owner_name")?,
        due_on: date(&get::<String>(r, "due_on")?)?,
        status: parse_enum(&get::<String>(r, "status")?)?,
        result: get(r, "result")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        created_by_name: get(r, "created_by_name")?,
        closed_at: opt_ts(get(r, "closed_at")?)?,
        review_id: get(r, "review_id")?,
    })
}

fn review_from_row(r: &SqliteRow) -> Result<Review> {
    Ok(Review {
        id: get(r, "id")?,
        crime_id: get(r, "crime_id")?,
        reviewed_at: parse_ts(&get::<String>(r, "reviewed_at")?)?,
        reviewer_id: get(r, "reviewer_id")?,
        reviewer_name: get(r, "reviewer_name")?,
        notes: get(r, "notes")?,
        next_due: parse_ts(&get::<String>(r, "next_due")?)?,
    })
}

fn decision_from_row(r: &SqliteRow) -> Result<OutcomeDecision> {
    let evidence: String = get(r, "evidence")?;
    let evidence = serde_json::from_str(&evidence).map_err(|e| Error::Storage(format!("bad outcome evidence: {e}")))?;
    Ok(OutcomeDecision {
        id: get(r, "id")?,
        crime_id: get(r, "crime_id")?,
        code: get(r, "code")?,
        label: get(r, "label")?,
        list_version: get(r, "list_version")?,
        status: parse_enum(&get::<String>(r, "status")?)?,
        evidence: evidence_from_json(&evidence),
        authoriser_rank: get::<Option<String>>(r, "authoriser_rank")?.map(|s| parse_enum(&s)).transpose()?,
        proposed_at: parse_ts(&get::<String>(r, "proposed_at")?)?,
        proposed_by: get(r, "proposed_by")?,
        proposed_by_name: get(r, "proposed_by_name")?,
        decided_at: opt_ts(get(r, "decided_at")?)?,
        decided_by: get(r, "decided_by")?,
        decided_by_name: get(r, "decided_by_name")?,
        decision_note: get(r, "decision_note")?,
        reopened_at: opt_ts(get(r, "reopened_at")?)?,
        reopened_by_name: get(r, "reopened_by_name")?,
        reopen_reason: get(r, "reopen_reason")?,
    })
}

pub(crate) async fn investigation(store: &SqliteStore, crime_id: Uuid) -> Result<Investigation> {
    let pool = store.pool();
    let actions = sqlx::query("SELECT * FROM crime_action WHERE crime_id = ? ORDER BY created_at, id")
        .bind(crime_id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(action_from_row)
        .collect::<Result<Vec<_>>>()?;
    let reviews = sqlx::query("SELECT * FROM crime_review WHERE crime_id = ? ORDER BY reviewed_at, id")
        .bind(crime_id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(review_from_row)
        .collect::<Result<Vec<_>>>()?;
    let decisions = sqlx::query("SELECT * FROM crime_outcome WHERE crime_id = ? ORDER BY proposed_at, id")
        .bind(crime_id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(decision_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok(Investigation { actions, reviews, decisions })
}

pub(crate) async fn find_action(store: &SqliteStore, id: Uuid) -> Result<Option<Action>> {
    sqlx::query("SELECT * FROM crime_action WHERE id = ?")
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .map_err(map_err)?
        .as_ref()
        .map(action_from_row)
        .transpose()
}

pub(crate) async fn insert_action(store: &SqliteStore, action: &Action, audit: &NewAuditEvent) -> Result<()> {
    let mut tx = store.write().await?;
    insert_action_row(&mut tx, action).await?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn update_action(
    store: &SqliteStore,
    a: &Action,
    expected: ActionStatus,
    audit: &NewAuditEvent,
) -> Result<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query("UPDATE crime_action SET status = ?, result = ?, closed_at = ? WHERE id = ? AND status = ?")
        .bind(a.status.as_str())
        .bind(&a.result)
        .bind(a.closed_at.map(ts))
        .bind(a.id)
        .bind(expected.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict("the action was changed by someone else; reload it".into()));
    }
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn officer_crimes(store: &SqliteStore, officer: Uuid) -> Result<Vec<Crime>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM crime WHERE allocated_to = ? AND {OPEN} ORDER BY review_due_at IS NULL, review_due_at, number"
    )))
    .bind(officer)
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(crime_from_row)
    .collect()
}

pub(crate) async fn officer_actions(store: &SqliteStore, officer: Uuid) -> Result<Vec<OwnedAction>> {
    sqlx::query(
        "SELECT a.*, c.number AS crime_number, c.offence_label AS crime_offence FROM crime_action a \
         JOIN crime c ON c.id = a.crime_id WHERE a.owner_id = ? AND a.status = 'open' ORDER BY a.due_on, a.created_at",
    )
    .bind(officer)
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(OwnedAction {
            action: action_from_row(r)?,
            crime_number: get(r, "crime_number")?,
            offence_label: get(r, "crime_offence")?,
        })
    })
    .collect()
}

pub(crate) async fn overdue_reviews(store: &SqliteStore, now: DateTime<Utc>, limit: u32) -> Result<Vec<Crime>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM crime WHERE {OPEN} AND review_due_at IS NOT NULL AND review_due_at < ? \
         ORDER BY review_due_at, number LIMIT ?"
    )))
    .bind(ts(now))
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(crime_from_row)
    .collect()
}

pub(crate) async fn pending_outcomes(store: &SqliteStore) -> Result<Vec<(OutcomeDecision, Crime)>> {
    let pool = store.pool();
    let decisions =
        sqlx::query("SELECT * FROM crime_outcome WHERE status = 'awaiting-authorisation' ORDER BY proposed_at, id")
            .fetch_all(pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(decision_from_row)
            .collect::<Result<Vec<_>>>()?;
    let mut crimes = sqlx::query(
        "SELECT * FROM crime WHERE id IN (SELECT crime_id FROM crime_outcome WHERE status = 'awaiting-authorisation')",
    )
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| crime_from_row(r).map(|c| (c.id, c)))
    .collect::<Result<std::collections::HashMap<_, _>>>()?;
    Ok(decisions.into_iter().filter_map(|d| crimes.remove(&d.crime_id).map(|c| (d, c))).collect())
}

pub(crate) async fn supervision_counts(
    store: &SqliteStore,
    now: DateTime<Utc>,
    escalate_before: DateTime<Utc>,
) -> Result<SupervisionCounts> {
    let pool = store.pool();
    let (overdue, escalated): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT count(*), coalesce(sum(review_due_at < ?), 0) FROM crime \
         WHERE {OPEN} AND review_due_at IS NOT NULL AND review_due_at < ?"
    )))
    .bind(ts(escalate_before))
    .bind(ts(now))
    .fetch_one(pool)
    .await
    .map_err(map_err)?;
    let awaiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM crime_outcome WHERE status = 'awaiting-authorisation'")
            .fetch_one(pool)
            .await
            .map_err(map_err)?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(SupervisionCounts { overdue: n(overdue), escalated: n(escalated), awaiting_authorisation: n(awaiting) })
}

// ---- Outcome analytics --------------------------------------------------------------------------

/// The SQL of a dimension's key over `crime c LEFT JOIN app_user u` (for the drill-down).
fn key_sql(by: Dimension) -> &'static str {
    match by {
        Dimension::CrimeType => "c.offence_group",
        Dimension::Team => "coalesce(u.team, '')",
        Dimension::Officer => "coalesce(lower(hex(c.allocated_to)), '')",
    }
}

/// An officer's key as the API shows it (a UUID), from the hex the query groups by.
fn officer_key(by: Dimension, key: String) -> String {
    match by {
        Dimension::Officer => Uuid::try_parse(&key).map(|u| u.to_string()).unwrap_or(key),
        _ => key,
    }
}

pub(crate) async fn outcome_mix(
    store: &SqliteStore,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    by: Dimension,
) -> Result<Vec<MixCount>> {
    // Counted on the crime table alone first (an index-only scan of crime_by_finalised), then the
    // few thousand groups joined to the officers for their names or teams.
    let per_officer = "SELECT allocated_to AS k, outcome, count(*) AS n FROM crime \
         WHERE finalised_at >= ? AND finalised_at < ? AND outcome IS NOT NULL GROUP BY 1, 2";
    let sql = match by {
        Dimension::CrimeType => String::from(
            "SELECT offence_group, offence_group, outcome, count(*) FROM crime \
             WHERE finalised_at >= ? AND finalised_at < ? AND outcome IS NOT NULL GROUP BY 1, 2, 3",
        ),
        Dimension::Team => format!(
            "SELECT coalesce(u.team, ''), coalesce(u.team, ''), m.outcome, sum(m.n) FROM ({per_officer}) m \
             LEFT JOIN app_user u ON u.id = m.k GROUP BY 1, 2, 3"
        ),
        Dimension::Officer => format!(
            "SELECT coalesce(lower(hex(m.k)), ''), coalesce(u.display_name, ''), m.outcome, m.n FROM ({per_officer}) m \
             LEFT JOIN app_user u ON u.id = m.k"
        ),
    };
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ts(from))
        .bind(ts(to))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?;
    Ok(rows
        .into_iter()
        .map(|(key, label, outcome, count)| MixCount {
            key: officer_key(by, key),
            label,
            outcome,
            count: u64::try_from(count).unwrap_or(0),
        })
        .collect())
}

pub(crate) async fn count_crimes_recorded(store: &SqliteStore, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM crime WHERE recorded_at >= ? AND recorded_at < ?")
        .bind(ts(from))
        .bind(ts(to))
        .fetch_one(store.pool())
        .await
        .map_err(map_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(crate) async fn outcome_records(
    store: &SqliteStore,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    by: Dimension,
    key: Option<&str>,
    outcome: Option<&str>,
    limit: u32,
) -> Result<Vec<Crime>> {
    let expr = key_sql(by);
    let key = key.map(|key| match by {
        Dimension::Officer => Uuid::try_parse(key).map(|u| u.simple().to_string()).unwrap_or_default(),
        _ => key.to_string(),
    });
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.* FROM crime c LEFT JOIN app_user u ON u.id = c.allocated_to \
         WHERE c.finalised_at >= ? AND c.finalised_at < ? AND c.outcome IS NOT NULL \
         AND (? IS NULL OR {expr} = ?) AND (? IS NULL OR c.outcome = ?) ORDER BY c.finalised_at DESC, c.id LIMIT ?"
    )))
    .bind(ts(from))
    .bind(ts(to))
    .bind(key.clone())
    .bind(key)
    .bind(outcome)
    .bind(outcome)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(crime_from_row)
    .collect()
}

// ---- Case-file review ---------------------------------------------------------------------------

pub(crate) async fn casefile_candidates(
    store: &SqliteStore,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Candidate>> {
    let rows: Vec<(Uuid, String, String, String)> = sqlx::query_as(
        "SELECT c.id, coalesce(u.team, ''), c.offence_group, c.outcome FROM crime c \
         LEFT JOIN app_user u ON u.id = c.allocated_to \
         WHERE c.finalised_at >= ? AND c.finalised_at < ? AND c.outcome IS NOT NULL",
    )
    .bind(ts(from))
    .bind(ts(to))
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?;
    Ok(rows
        .into_iter()
        .map(|(crime_id, team, crime_type, outcome)| Candidate { crime_id, team, crime_type, outcome })
        .collect())
}

pub(crate) async fn insert_casefile_sample(
    store: &SqliteStore,
    s: &Sample,
    files: &[Candidate],
    audit: &NewAuditEvent,
) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO casefile_sample (id, drawn_at, drawn_by, drawn_by_name, seed, size, stratify, period_from, \
         period_to, team, crime_type, outcome, population) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id)
    .bind(ts(s.drawn_at))
    .bind(s.drawn_by)
    .bind(&s.drawn_by_name)
    .bind(s.seed.to_string())
    .bind(s.size as i64)
    .bind(s.stratify.as_str())
    .bind(ts(s.from))
    .bind(ts(s.to))
    .bind(&s.team)
    .bind(&s.crime_type)
    .bind(&s.outcome)
    .bind(s.population as i64)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    for (position, f) in files.iter().enumerate() {
        sqlx::query(
            "INSERT INTO casefile_item (sample_id, crime_id, position, team, crime_type, outcome) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(s.id)
        .bind(f.crime_id)
        .bind(position as i64)
        .bind(&f.team)
        .bind(&f.crime_type)
        .bind(&f.outcome)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

fn sample_from_row(r: &SqliteRow) -> Result<Sample> {
    let seed: String = get(r, "seed")?;
    Ok(Sample {
        id: get(r, "id")?,
        drawn_at: parse_ts(&get::<String>(r, "drawn_at")?)?,
        drawn_by: get(r, "drawn_by")?,
        drawn_by_name: get(r, "drawn_by_name")?,
        seed: seed.parse().map_err(|_| Error::Storage(format!("bad sample seed {seed:?}")))?,
        size: usize::try_from(get::<i64>(r, "size")?).unwrap_or(0),
        stratify: parse_enum(&get::<String>(r, "stratify")?)?,
        from: parse_ts(&get::<String>(r, "period_from")?)?,
        to: parse_ts(&get::<String>(r, "period_to")?)?,
        team: get(r, "team")?,
        crime_type: get(r, "crime_type")?,
        outcome: get(r, "outcome")?,
        population: usize::try_from(get::<i64>(r, "population")?).unwrap_or(0),
        reviewed: usize::try_from(get::<i64>(r, "reviewed")?).unwrap_or(0),
    })
}

pub(crate) async fn list_casefile_samples(store: &SqliteStore, limit: u32) -> Result<Vec<Sample>> {
    sqlx::query(
        "SELECT s.*, (SELECT count(*) FROM casefile_review r WHERE r.sample_id = s.id) AS reviewed \
         FROM casefile_sample s ORDER BY s.drawn_at DESC, s.id DESC LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(sample_from_row)
    .collect()
}

pub(crate) async fn find_casefile_sample(store: &SqliteStore, id: Uuid) -> Result<Option<(Sample, Vec<SampleItem>)>> {
    let pool = store.pool();
    let Some(row) = sqlx::query(
        "SELECT s.*, (SELECT count(*) FROM casefile_review r WHERE r.sample_id = s.id) AS reviewed \
         FROM casefile_sample s WHERE s.id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?
    else {
        return Ok(None);
    };
    let sample = sample_from_row(&row)?;
    let items = sqlx::query(
        "SELECT i.*, c.number, c.offence_label, \
         EXISTS (SELECT 1 FROM casefile_review r WHERE r.sample_id = i.sample_id AND r.crime_id = i.crime_id) AS reviewed \
         FROM casefile_item i JOIN crime c ON c.id = i.crime_id WHERE i.sample_id = ? ORDER BY i.position",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(SampleItem {
            sample_id: get(r, "sample_id")?,
            crime_id: get(r, "crime_id")?,
            position: usize::try_from(get::<i64>(r, "position")?).unwrap_or(0),
            number: get(r, "number")?,
            offence_label: get(r, "offence_label")?,
            team: get(r, "team")?,
            crime_type: get(r, "crime_type")?,
            outcome: get(r, "outcome")?,
            reviewed: get::<bool>(r, "reviewed")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    Ok(Some((sample, items)))
}

/// The rubric's judgements as stored: `criterion=judgement` pairs, comma-separated.
fn judgements_text(j: &[(Criterion, Judgement)]) -> String {
    j.iter().map(|(c, v)| format!("{}={}", c.as_str(), v.as_str())).collect::<Vec<_>>().join(",")
}

fn parse_judgements(text: &str) -> Result<Vec<(Criterion, Judgement)>> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (c, v) = pair.split_once('=').ok_or_else(|| Error::Storage(format!("bad judgement {pair:?}")))?;
            Ok((parse_enum(c)?, parse_enum(v)?))
        })
        .collect()
}

pub(crate) async fn insert_casefile_review(store: &SqliteStore, r: &FileReview, audit: &NewAuditEvent) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO casefile_review (id, sample_id, crime_id, reviewed_at, reviewer_id, reviewer_name, judgements, \
         overall, notes, team, crime_type, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.id)
    .bind(r.sample_id)
    .bind(r.crime_id)
    .bind(ts(r.reviewed_at))
    .bind(r.reviewer_id)
    .bind(&r.reviewer_name)
    .bind(judgements_text(&r.answers.judgements))
    .bind(r.answers.overall.map(|j| j.as_str()).unwrap_or_default())
    .bind(&r.answers.notes)
    .bind(&r.team)
    .bind(&r.crime_type)
    .bind(&r.outcome)
    .execute(&mut *tx)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.message().contains("UNIQUE") => {
            Error::Conflict("this file of the sample is already reviewed".into())
        }
        e => map_err(e),
    })?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn list_casefile_reviews(
    store: &SqliteStore,
    sample: Option<Uuid>,
    reviewed: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<Vec<FileReview>> {
    let (from, to) = reviewed.map(|(a, b)| (Some(ts(a)), Some(ts(b)))).unwrap_or((None, None));
    sqlx::query(
        "SELECT * FROM casefile_review WHERE (? IS NULL OR sample_id = ?) \
         AND (? IS NULL OR reviewed_at >= ?) AND (? IS NULL OR reviewed_at < ?) ORDER BY reviewed_at, id",
    )
    .bind(sample)
    .bind(sample)
    .bind(from.clone())
    .bind(from)
    .bind(to.clone())
    .bind(to)
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        let overall: String = get(r, "overall")?;
        Ok(FileReview {
            id: get(r, "id")?,
            sample_id: get(r, "sample_id")?,
            crime_id: get(r, "crime_id")?,
            reviewed_at: parse_ts(&get::<String>(r, "reviewed_at")?)?,
            reviewer_id: get(r, "reviewer_id")?,
            reviewer_name: get(r, "reviewer_name")?,
            answers: Answers {
                judgements: parse_judgements(&get::<String>(r, "judgements")?)?,
                overall: (!overall.is_empty()).then(|| parse_enum(&overall)).transpose()?,
                notes: get(r, "notes")?,
            },
            team: get(r, "team")?,
            crime_type: get(r, "crime_type")?,
            outcome: get(r, "outcome")?,
        })
    })
    .collect()
}
