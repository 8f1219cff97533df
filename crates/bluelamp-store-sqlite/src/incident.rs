//! Incidents on SQLite.

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::incident::{
    GradeDecision, Incident, IncidentRecord, LogEntry, ThriveAssessment, ThriveEntry, address_key, phone_key,
};
use bluelamp_core::store::{IncidentChange, IncidentCounts, IncidentQuery, NewIncidentWrite};
use bluelamp_core::{Error, Result};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::{SqliteStore, append, get, map_err, opt_ts, parse_enum, parse_ts, ts};

/// The next number of a reference counter, inside the caller's transaction: it commits or rolls back
/// with the incident, so a number is used once or not at all.
pub(crate) async fn take_reference_number(conn: &mut SqliteConnection, counter: &str) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO reference_counter (scope, last) VALUES (?, 1) \
         ON CONFLICT (scope) DO UPDATE SET last = reference_counter.last + 1 RETURNING last",
    )
    .bind(counter)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)
}

pub(crate) async fn insert_incident(store: &SqliteStore, w: &NewIncidentWrite<'_>) -> Result<Incident> {
    let mut tx = store.write().await?;
    let number = take_reference_number(&mut tx, &w.counter).await?;
    let (incident, audit) = (w.complete)(number);
    let i = &incident;
    sqlx::query(
        "INSERT INTO incident (id, reference, version, channel, status, received_at, recorded_at, recorded_by, caller_name, \
         caller_phone, location_text, latitude, longitude, is_rural, division, opening_category, qualifiers, grade, graded_at, \
         due_at, closing_category, closed_at, result, crime_reference, ncrs_reason, location_key, phone_key, ncrs_due_at, \
         beat, ward) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(i.id)
    .bind(&i.reference)
    .bind(i.version)
    .bind(i.channel.as_str())
    .bind(i.status.as_str())
    .bind(ts(i.received_at))
    .bind(ts(i.recorded_at))
    .bind(i.recorded_by)
    .bind(&i.caller_name)
    .bind(&i.caller_phone)
    .bind(&i.location_text)
    .bind(i.latitude)
    .bind(i.longitude)
    .bind(i64::from(i.is_rural))
    .bind(&i.division)
    .bind(&i.opening_category)
    .bind(i.qualifiers.join(","))
    .bind(i.grade.map(|g| g.as_str()))
    .bind(i.graded_at.map(ts))
    .bind(i.due_at.map(ts))
    .bind(&i.closing_category)
    .bind(i.closed_at.map(ts))
    .bind(&i.result)
    .bind(&i.crime_reference)
    .bind(&i.ncrs_reason)
    .bind(address_key(&i.location_text))
    .bind(phone_key(&i.caller_phone))
    .bind(i.ncrs_due_at.map(ts))
    .bind(&i.beat)
    .bind(&i.ward)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    insert_log(&mut tx, &w.first_log).await?;
    if let Some((assessment, log)) = &w.thrive {
        insert_thrive(&mut tx, assessment).await?;
        insert_log(&mut tx, log).await?;
    }
    for link in &w.people {
        crate::person::insert_link(&mut tx, link).await?;
    }
    if let Some(log) = &w.people_log {
        insert_log(&mut tx, log).await?;
    }
    append(&mut tx, &audit).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(incident)
}

pub(crate) async fn insert_log(conn: &mut SqliteConnection, e: &LogEntry) -> Result<()> {
    sqlx::query("INSERT INTO incident_log (id, incident_id, at, author_id, author_name, kind, text) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(e.id)
        .bind(e.incident_id)
        .bind(ts(e.at))
        .bind(e.author_id)
        .bind(&e.author_name)
        .bind(e.kind.as_str())
        .bind(&e.text)
        .execute(&mut *conn)
        .await
        .map_err(map_err)
        .map(|_| ())
}

async fn insert_thrive(conn: &mut SqliteConnection, t: &ThriveAssessment) -> Result<()> {
    sqlx::query("INSERT INTO thrive_assessment (id, incident_id, assessed_by, assessed_by_name, assessed_at) VALUES (?, ?, ?, ?, ?)")
        .bind(t.id)
        .bind(t.incident_id)
        .bind(t.assessed_by)
        .bind(&t.assessed_by_name)
        .bind(ts(t.assessed_at))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    if t.entries.is_empty() {
        return Ok(());
    }
    // All entries in one statement; the SQL is built from constants only.
    let rows = vec!["(?, ?, ?, ?)"; t.entries.len()].join(", ");
    let sql = format!("INSERT INTO thrive_entry (assessment_id, element, rating, rationale) VALUES {rows}");
    let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
    for e in &t.entries {
        insert = insert.bind(t.id).bind(e.element.as_str()).bind(e.rating.as_str()).bind(&e.rationale);
    }
    insert.execute(&mut *conn).await.map_err(map_err)?;
    Ok(())
}

async fn insert_grade(conn: &mut SqliteConnection, g: &GradeDecision) -> Result<()> {
    sqlx::query(
        "INSERT INTO incident_grade (id, incident_id, grade, due_at, reason, thrive_id, decided_by, decided_by_name, decided_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(g.id)
    .bind(g.incident_id)
    .bind(g.grade.as_str())
    .bind(g.due_at.map(ts))
    .bind(&g.reason)
    .bind(g.thrive_id)
    .bind(g.decided_by)
    .bind(&g.decided_by_name)
    .bind(ts(g.decided_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

pub(crate) async fn update_incident(
    store: &SqliteStore,
    i: &Incident,
    expected_version: i64,
    change: &IncidentChange,
    audit: &NewAuditEvent,
) -> Result<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE incident SET version = ?, status = ?, caller_name = ?, caller_phone = ?, location_text = ?, latitude = ?, \
         longitude = ?, is_rural = ?, division = ?, qualifiers = ?, grade = ?, graded_at = ?, due_at = ?, closing_category = ?, \
         closed_at = ?, result = ?, crime_reference = ?, ncrs_reason = ?, location_key = ?, phone_key = ?, \
         ncrs_due_at = ? WHERE id = ? AND version = ?",
    )
    .bind(i.version)
    .bind(i.status.as_str())
    .bind(&i.caller_name)
    .bind(&i.caller_phone)
    .bind(&i.location_text)
    .bind(i.latitude)
    .bind(i.longitude)
    .bind(i64::from(i.is_rural))
    .bind(&i.division)
    .bind(i.qualifiers.join(","))
    .bind(i.grade.map(|g| g.as_str()))
    .bind(i.graded_at.map(ts))
    .bind(i.due_at.map(ts))
    .bind(&i.closing_category)
    .bind(i.closed_at.map(ts))
    .bind(&i.result)
    .bind(&i.crime_reference)
    .bind(&i.ncrs_reason)
    .bind(address_key(&i.location_text))
    .bind(phone_key(&i.caller_phone))
    .bind(i.ncrs_due_at.map(ts))
    .bind(i.id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!("incident {} was changed by someone else; reload it", i.reference)));
    }
    match change {
        IncidentChange::Log(log) | IncidentChange::Close(log) => insert_log(&mut tx, log).await?,
        IncidentChange::Thrive(t, log) => {
            insert_thrive(&mut tx, t).await?;
            insert_log(&mut tx, log).await?;
        }
        IncidentChange::Grade(g, log) => {
            insert_grade(&mut tx, g).await?;
            insert_log(&mut tx, log).await?;
        }
        IncidentChange::Deploy(d, log) => {
            crate::resource::deploy(&mut tx, d).await?;
            insert_log(&mut tx, log).await?;
        }
        IncidentChange::Arrive { deployment_id, resource_id, at, log } => {
            crate::resource::arrive_or_clear(&mut tx, *deployment_id, *resource_id, *at, false).await?;
            insert_log(&mut tx, log).await?;
        }
        IncidentChange::Clear { deployment_id, resource_id, at, log } => {
            crate::resource::arrive_or_clear(&mut tx, *deployment_id, *resource_id, *at, true).await?;
            insert_log(&mut tx, log).await?;
        }
        IncidentChange::LinkPerson(link, log) => {
            crate::person::insert_link(&mut tx, link).await?;
            insert_log(&mut tx, log).await?;
        }
    }
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) fn incident_from_row(row: &SqliteRow) -> Result<Incident> {
    let qualifiers: String = get(row, "qualifiers")?;
    Ok(Incident {
        id: get(row, "id")?,
        reference: get(row, "reference")?,
        version: get(row, "version")?,
        channel: parse_enum(&get::<String>(row, "channel")?)?,
        status: parse_enum(&get::<String>(row, "status")?)?,
        received_at: parse_ts(&get::<String>(row, "received_at")?)?,
        recorded_at: parse_ts(&get::<String>(row, "recorded_at")?)?,
        recorded_by: get(row, "recorded_by")?,
        caller_name: get(row, "caller_name")?,
        caller_phone: get(row, "caller_phone")?,
        location_text: get(row, "location_text")?,
        latitude: get(row, "latitude")?,
        longitude: get(row, "longitude")?,
        is_rural: get::<i64>(row, "is_rural")? != 0,
        division: get(row, "division")?,
        beat: get(row, "beat")?,
        ward: get(row, "ward")?,
        opening_category: get(row, "opening_category")?,
        qualifiers: qualifiers.split(',').filter(|q| !q.is_empty()).map(str::to_string).collect(),
        grade: get::<Option<String>>(row, "grade")?.map(|g| parse_enum(&g)).transpose()?,
        graded_at: opt_ts(get(row, "graded_at")?)?,
        due_at: opt_ts(get(row, "due_at")?)?,
        closing_category: get(row, "closing_category")?,
        closed_at: opt_ts(get(row, "closed_at")?)?,
        result: get(row, "result")?,
        crime_reference: get(row, "crime_reference")?,
        ncrs_reason: get(row, "ncrs_reason")?,
        ncrs_due_at: opt_ts(get(row, "ncrs_due_at")?)?,
    })
}

pub(crate) async fn find_incident(store: &SqliteStore, id: Uuid) -> Result<Option<IncidentRecord>> {
    let pool = store.pool();
    let Some(row) =
        sqlx::query("SELECT * FROM incident WHERE id = ?").bind(id).fetch_optional(pool).await.map_err(map_err)?
    else {
        return Ok(None);
    };
    let incident = incident_from_row(&row)?;
    let log = sqlx::query("SELECT * FROM incident_log WHERE incident_id = ? ORDER BY at, id")
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| {
            Ok(LogEntry {
                id: get(r, "id")?,
                incident_id: get(r, "incident_id")?,
                at: parse_ts(&get::<String>(r, "at")?)?,
                author_id: get(r, "author_id")?,
                author_name: get(r, "author_name")?,
                kind: parse_enum(&get::<String>(r, "kind")?)?,
                text: get(r, "text")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut thrive = Vec::new();
    for r in sqlx::query("SELECT * FROM thrive_assessment WHERE incident_id = ? ORDER BY assessed_at, id")
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
    {
        let assessment_id: Uuid = get(&r, "id")?;
        let mut entries = sqlx::query("SELECT * FROM thrive_entry WHERE assessment_id = ?")
            .bind(assessment_id)
            .fetch_all(pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(|e| {
                Ok(ThriveEntry {
                    element: parse_enum(&get::<String>(e, "element")?)?,
                    rating: parse_enum(&get::<String>(e, "rating")?)?,
                    rationale: get(e, "rationale")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.element);
        thrive.push(ThriveAssessment {
            id: assessment_id,
            incident_id: id,
            entries,
            assessed_by: get(&r, "assessed_by")?,
            assessed_by_name: get(&r, "assessed_by_name")?,
            assessed_at: parse_ts(&get::<String>(&r, "assessed_at")?)?,
        });
    }
    let grades = sqlx::query("SELECT * FROM incident_grade WHERE incident_id = ? ORDER BY decided_at, id")
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| {
            Ok(GradeDecision {
                id: get(r, "id")?,
                incident_id: get(r, "incident_id")?,
                grade: parse_enum(&get::<String>(r, "grade")?)?,
                due_at: opt_ts(get(r, "due_at")?)?,
                reason: get(r, "reason")?,
                thrive_id: get(r, "thrive_id")?,
                decided_by: get(r, "decided_by")?,
                decided_by_name: get(r, "decided_by_name")?,
                decided_at: parse_ts(&get::<String>(r, "decided_at")?)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let deployments = sqlx::query("SELECT * FROM deployment WHERE incident_id = ? ORDER BY deployed_at, id")
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(crate::resource::deployment_from_row)
        .collect::<Result<Vec<_>>>()?;
    let people = crate::person::incident_people(store, id).await?;
    Ok(Some(IncidentRecord { incident, log, thrive, grades, deployments, people }))
}

/// The queue's order; the partial index `incident_open_by_urgency` has exactly these keys, so open
/// incidents come out of it already sorted.
const QUEUE_ORDER: &str =
    "ORDER BY CASE WHEN grade IS NULL THEN 0 WHEN due_at IS NULL THEN 2 ELSE 1 END, due_at, received_at";

/// The WHERE clause for a query's filters, built from constants only. The status (one of a closed set
/// of names) is written into the SQL so the planner can match it to the partial index on open
/// incidents; the division is parameter 1. `(? IS NULL OR col = ?)` would hide the indexes and scan
/// every closed incident. Returns the clause and the number of parameters it uses.
fn incident_filter(q: &IncidentQuery) -> (String, usize) {
    let mut terms = Vec::new();
    if let Some(status) = q.status {
        terms.push(format!("status = '{}'", status.as_str()));
    }
    if q.division.is_some() {
        terms.push("division = ?1".to_string());
    }
    let params = usize::from(q.division.is_some());
    if terms.is_empty() { (String::new(), params) } else { (format!("WHERE {}", terms.join(" AND ")), params) }
}

pub(crate) async fn list_incidents(store: &SqliteStore, q: &IncidentQuery) -> Result<Vec<Incident>> {
    let (filter, n) = incident_filter(q);
    let sql = format!("SELECT * FROM incident {filter} {QUEUE_ORDER} LIMIT ?{} OFFSET ?{}", n + 1, n + 2);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(division) = &q.division {
        query = query.bind(division);
    }
    query
        .bind(i64::from(q.limit.clamp(1, 5000)))
        .bind(i64::from(q.offset))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(incident_from_row)
        .collect()
}

pub(crate) async fn count_incidents(
    store: &SqliteStore,
    q: &IncidentQuery,
    now: chrono::DateTime<chrono::Utc>,
    mine: Option<uuid::Uuid>,
) -> Result<IncidentCounts> {
    let (filter, n) = incident_filter(q);
    // Breaching as `incident::is_breaching` decides it: open and due before now.
    let sql = format!(
        "SELECT count(*) AS total, count(*) FILTER (WHERE status = 'open' AND due_at < ?{}) AS breaching, \
         count(*) FILTER (WHERE grade IS NULL) AS ungraded, count(*) FILTER (WHERE recorded_by = ?{}) AS mine \
         FROM incident {filter}",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(division) = &q.division {
        query = query.bind(division);
    }
    let row = query.bind(crate::ts(now)).bind(mine).fetch_one(store.pool()).await.map_err(map_err)?;
    Ok(IncidentCounts {
        total: get(&row, "total")?,
        breaching: get(&row, "breaching")?,
        ungraded: get(&row, "ungraded")?,
        mine: get(&row, "mine")?,
    })
}

pub(crate) async fn find_related_incidents(
    store: &SqliteStore,
    address_key: &str,
    phone_key: &str,
    since: chrono::DateTime<chrono::Utc>,
    limit: u32,
) -> Result<Vec<Incident>> {
    sqlx::query(
        "SELECT * FROM incident WHERE received_at >= ?1 AND ((location_key = ?2 AND ?2 <> '') OR (phone_key = ?3 AND ?3 <> '')) \
         ORDER BY received_at DESC LIMIT ?4",
    )
    .bind(ts(since))
    .bind(address_key)
    .bind(phone_key)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(incident_from_row)
    .collect()
}

pub(crate) async fn list_ncrs_due(
    store: &SqliteStore,
    due_before: chrono::DateTime<chrono::Utc>,
    limit: u32,
) -> Result<Vec<Incident>> {
    sqlx::query("SELECT * FROM incident WHERE ncrs_due_at IS NOT NULL AND ncrs_due_at < ? ORDER BY ncrs_due_at LIMIT ?")
        .bind(ts(due_before))
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(incident_from_row)
        .collect()
}

/// Fills the intake keys and NCRS due time on incidents written before they existed. Idempotent.
pub(crate) async fn backfill_incident_keys(store: &SqliteStore) -> Result<()> {
    let rows = sqlx::query("SELECT * FROM incident WHERE location_key IS NULL")
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?;
    // Rows from before migration 3 predate force-loadable lists: the built-in list is the one they used.
    let builtin = bluelamp_core::reference::NsirList::builtin();
    for row in &rows {
        let i = incident_from_row(row)?;
        sqlx::query("UPDATE incident SET location_key = ?, phone_key = ?, ncrs_due_at = ? WHERE id = ?")
            .bind(address_key(&i.location_text))
            .bind(phone_key(&i.caller_phone))
            .bind(bluelamp_core::incident::ncrs_due_at(&i, &builtin).map(ts))
            .bind(i.id)
            .execute(store.writer())
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn list_graded_keys(
    store: &SqliteStore,
    since: chrono::DateTime<chrono::Utc>,
    limit: u32,
) -> Result<Vec<bluelamp_core::store::GradedKey>> {
    let rows = sqlx::query(
        "SELECT id, recorded_by, recorded_at, graded_at FROM incident WHERE graded_at >= ?1 ORDER BY graded_at DESC LIMIT ?2",
    )
    .bind(ts(since))
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|row| {
            Ok(bluelamp_core::store::GradedKey {
                id: get(row, "id")?,
                recorded_by: get(row, "recorded_by")?,
                recorded_at: parse_ts(&get::<String>(row, "recorded_at")?)?,
                graded_at: opt_ts(get(row, "graded_at")?)?,
            })
        })
        .collect()
}

pub(crate) async fn list_graded_incidents(
    store: &SqliteStore,
    since: chrono::DateTime<chrono::Utc>,
    limit: u32,
) -> Result<Vec<Incident>> {
    sqlx::query("SELECT * FROM incident WHERE graded_at >= ? ORDER BY graded_at DESC LIMIT ?")
        .bind(ts(since))
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(incident_from_row)
        .collect()
}

pub(crate) async fn insert_thrive_review(
    store: &SqliteStore,
    r: &bluelamp_core::quality::ThriveReview,
    audit: &NewAuditEvent,
) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO thrive_review (id, incident_id, handler_id, handler_name, team, reviewer_id, reviewer_name, reviewed_at, \
         right_grade, vulnerability_identified, rationale_adequate, repeat_checked, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.id)
    .bind(r.incident_id)
    .bind(r.handler_id)
    .bind(&r.handler_name)
    .bind(&r.team)
    .bind(r.reviewer_id)
    .bind(&r.reviewer_name)
    .bind(ts(r.reviewed_at))
    .bind(i64::from(r.answers[0]))
    .bind(i64::from(r.answers[1]))
    .bind(i64::from(r.answers[2]))
    .bind(i64::from(r.answers[3]))
    .bind(&r.note)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn list_thrive_reviews(
    store: &SqliteStore,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<bluelamp_core::quality::ThriveReview>> {
    sqlx::query("SELECT * FROM thrive_review WHERE reviewed_at >= ? ORDER BY reviewed_at")
        .bind(ts(since))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(|row| {
            Ok(bluelamp_core::quality::ThriveReview {
                id: get(row, "id")?,
                incident_id: get(row, "incident_id")?,
                handler_id: get(row, "handler_id")?,
                handler_name: get(row, "handler_name")?,
                team: get(row, "team")?,
                reviewer_id: get(row, "reviewer_id")?,
                reviewer_name: get(row, "reviewer_name")?,
                reviewed_at: parse_ts(&get::<String>(row, "reviewed_at")?)?,
                answers: [
                    get::<i64>(row, "right_grade")? != 0,
                    get::<i64>(row, "vulnerability_identified")? != 0,
                    get::<i64>(row, "rationale_adequate")? != 0,
                    get::<i64>(row, "repeat_checked")? != 0,
                ],
                note: get(row, "note")?,
            })
        })
        .collect()
}
