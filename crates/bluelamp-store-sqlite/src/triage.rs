//! Triage and allocation on SQLite (issue 6): the queue of unallocated crimes with their people,
//! screening decisions and allocations, officers' caseloads, leave and caps, and the queue's flow.

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::triage::{
    Allocation, AllocationWrite, Caseload, Leave, QueueCrime, QueueRow, Screening, TriageFlow,
};
use bluelamp_core::{Error, Result};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::{SqliteStore, append, get, map_err, opt_ts, parse_enum, parse_ts, ts};

/// The queue as one JSON array, one element per crime (its columns, then its victims, suspects and
/// offenders as `role:hex-id` joined by commas), oldest first. SQLite hands a query's rows one at a
/// time from its worker thread: for a backlog of thousands that traffic, not the reading, was most of
/// the queue page's time and its slowest requests, so the queue comes back as a single value.
const QUEUE_JSON: &str = "SELECT json_group_array(json_array(hex(c.id), c.number, c.version, c.status, \
     c.offence_code, c.offence_label, c.offence_group, c.recorded_at, c.division, c.flags, c.hate_strands, c.route, \
     (SELECT group_concat(cp.role || ':' || hex(cp.person_id)) FROM crime_person cp \
      WHERE cp.crime_id = c.id AND cp.role IN ('victim', 'suspect', 'offender')))) AS queue \
     FROM (SELECT * FROM crime WHERE status IN ('recorded', 'awaiting-triage') ORDER BY recorded_at, id LIMIT ?) c";

/// One crime of [`QUEUE_JSON`].
type QueueJson =
    (String, String, i64, String, String, String, String, String, String, String, String, String, Option<String>);

fn queue_row_from_json(j: QueueJson) -> Result<QueueRow> {
    let (id, number, version, status, code, label, group, recorded_at, division, flags, hate, route, people) = j;
    let uuid = |hex: &str| Uuid::parse_str(hex).map_err(|e| Error::Storage(format!("bad id '{hex}': {e}")));
    let (mut victims, mut suspects) = (Vec::new(), Vec::new());
    for link in people.as_deref().unwrap_or("").split(',').filter(|l| !l.is_empty()) {
        let (role, hex) = link.split_once(':').ok_or_else(|| Error::Storage(format!("bad person link '{link}'")))?;
        if role == "victim" { victims.push(uuid(hex)?) } else { suspects.push(uuid(hex)?) }
    }
    victims.sort();
    victims.dedup();
    suspects.sort();
    suspects.dedup();
    let crime = QueueCrime {
        id: uuid(&id)?,
        number,
        version,
        status: parse_enum(&status)?,
        offence_code: code,
        offence_label: label,
        offence_group: parse_enum(&group)?,
        recorded_at: parse_ts(&recorded_at)?,
        division,
        flags: crate::crime::parse_codes(&flags)?,
        hate_strands: crate::crime::parse_codes(&hate)?,
        route,
    };
    Ok(QueueRow { crime, victims, suspects })
}

/// The statuses of a crime an officer is working.
const OPEN_ALLOCATED: &str = "status IN ('allocated', 'under-investigation')";

pub(crate) async fn list_unallocated_crimes(store: &SqliteStore, limit: u32) -> Result<Vec<QueueRow>> {
    let json: Option<String> =
        sqlx::query_scalar(QUEUE_JSON).bind(i64::from(limit)).fetch_one(store.pool()).await.map_err(map_err)?;
    let rows: Vec<QueueJson> = serde_json::from_str(json.as_deref().unwrap_or("[]"))
        .map_err(|e| Error::Storage(format!("the triage queue could not be read: {e}")))?;
    let mut rows = rows.into_iter().map(queue_row_from_json).collect::<Result<Vec<_>>>()?;
    // json_group_array keeps the subquery's order in practice; the contract is oldest first, so sort.
    rows.sort_by(|a, b| a.crime.recorded_at.cmp(&b.crime.recorded_at).then(a.crime.id.cmp(&b.crime.id)));
    Ok(rows)
}

fn lines(items: &[String]) -> String {
    items.join("\n")
}

fn split_lines(text: &str) -> Vec<String> {
    text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

pub(crate) async fn insert_screening(conn: &mut SqliteConnection, s: &Screening) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_screening (id, crime_id, model_id, model_version, score, threshold, factors, recommendation, \
         exclusion, decision, override_reason, decided_by, decided_by_name, decided_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id)
    .bind(s.crime_id)
    .bind(&s.model_id)
    .bind(i64::from(s.model_version))
    .bind(s.score)
    .bind(s.threshold)
    .bind(lines(&s.factors))
    .bind(&s.recommendation)
    .bind(&s.exclusion)
    .bind(&s.decision)
    .bind(&s.override_reason)
    .bind(s.decided_by)
    .bind(&s.decided_by_name)
    .bind(ts(s.decided_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

pub(crate) async fn insert_allocation(conn: &mut SqliteConnection, a: &Allocation) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_allocation (id, crime_id, officer_id, officer_name, proposed_officer, reasons, automatic, \
         allocated_by, allocated_by_name, allocated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(a.id)
    .bind(a.crime_id)
    .bind(a.officer_id)
    .bind(&a.officer_name)
    .bind(a.proposed_officer)
    .bind(lines(&a.reasons))
    .bind(i64::from(a.automatic))
    .bind(a.allocated_by)
    .bind(&a.allocated_by_name)
    .bind(ts(a.allocated_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

fn screening_from_row(r: &SqliteRow) -> Result<Screening> {
    Ok(Screening {
        id: get(r, "id")?,
        crime_id: get(r, "crime_id")?,
        model_id: get(r, "model_id")?,
        model_version: u32::try_from(get::<i64>(r, "model_version")?).unwrap_or(0),
        score: get(r, "score")?,
        threshold: get(r, "threshold")?,
        factors: split_lines(&get::<String>(r, "factors")?),
        recommendation: get(r, "recommendation")?,
        exclusion: get(r, "exclusion")?,
        decision: get(r, "decision")?,
        override_reason: get(r, "override_reason")?,
        decided_by: get(r, "decided_by")?,
        decided_by_name: get(r, "decided_by_name")?,
        decided_at: parse_ts(&get::<String>(r, "decided_at")?)?,
    })
}

fn allocation_from_row(r: &SqliteRow) -> Result<Allocation> {
    Ok(Allocation {
        id: get(r, "id")?,
        crime_id: get(r, "crime_id")?,
        officer_id: get(r, "officer_id")?,
        officer_name: get(r, "officer_name")?,
        proposed_officer: get(r, "proposed_officer")?,
        reasons: split_lines(&get::<String>(r, "reasons")?),
        automatic: get::<i64>(r, "automatic")? != 0,
        allocated_by: get(r, "allocated_by")?,
        allocated_by_name: get(r, "allocated_by_name")?,
        allocated_at: parse_ts(&get::<String>(r, "allocated_at")?)?,
    })
}

pub(crate) async fn crime_triage_history(
    store: &SqliteStore,
    crime_id: Uuid,
) -> Result<(Vec<Screening>, Vec<Allocation>)> {
    let pool = store.pool();
    let screenings = sqlx::query("SELECT * FROM crime_screening WHERE crime_id = ? ORDER BY decided_at, id")
        .bind(crime_id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(screening_from_row)
        .collect::<Result<Vec<_>>>()?;
    let allocations = sqlx::query("SELECT * FROM crime_allocation WHERE crime_id = ? ORDER BY allocated_at, id")
        .bind(crime_id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(allocation_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok((screenings, allocations))
}

pub(crate) async fn officer_caseloads(store: &SqliteStore) -> Result<Vec<Caseload>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT allocated_to, offence_group, count(*) AS n FROM crime \
         WHERE {OPEN_ALLOCATED} AND allocated_to IS NOT NULL GROUP BY allocated_to, offence_group"
    )))
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(Caseload {
            user_id: get(r, "allocated_to")?,
            group: parse_enum(&get::<String>(r, "offence_group")?)?,
            open: u32::try_from(get::<i64>(r, "n")?).unwrap_or(u32::MAX),
        })
    })
    .collect()
}

pub(crate) async fn officers_knowing(store: &SqliteStore, people: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>> {
    let mut out = Vec::new();
    // Within SQLite's limit on bound values per statement.
    for chunk in people.chunks(900) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT DISTINCT cp.person_id, c.allocated_to FROM crime_person cp JOIN crime c ON c.id = cp.crime_id \
             WHERE cp.person_id IN ({marks}) AND cp.role IN ('victim', 'suspect', 'offender') \
             AND c.allocated_to IS NOT NULL AND c.{OPEN_ALLOCATED}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(store.pool()).await.map_err(map_err)? {
            out.push((get(&r, "person_id")?, get(&r, "allocated_to")?));
        }
    }
    Ok(out)
}

pub(crate) async fn allocate_crimes(
    store: &SqliteStore,
    writes: &[AllocationWrite],
    audits: &[NewAuditEvent],
) -> Result<()> {
    let mut tx = store.write().await?;
    let mut conflicts = Vec::new();
    for w in writes {
        match crate::crime::write_crime_row(&mut tx, &w.crime, w.expected_version).await {
            Ok(()) => insert_allocation(&mut tx, &w.allocation).await?,
            Err(Error::Conflict(_)) => conflicts.push(w.crime.number.clone()),
            Err(e) => return Err(e),
        }
    }
    if !conflicts.is_empty() {
        // Dropping the transaction rolls back the allocations already written.
        return Err(Error::Conflict(format!(
            "someone else changed {} since the proposals were made: {}; nothing was allocated, reload and try again",
            if conflicts.len() == 1 { "this crime" } else { "these crimes" },
            conflicts.join(", ")
        )));
    }
    for audit in audits {
        append(&mut tx, audit).await?;
    }
    tx.commit().await.map_err(map_err)
}

fn leave_from_row(r: &SqliteRow) -> Result<Leave> {
    Ok(Leave {
        id: get(r, "id")?,
        user_id: get(r, "user_id")?,
        starts_at: parse_ts(&get::<String>(r, "starts_at")?)?,
        ends_at: parse_ts(&get::<String>(r, "ends_at")?)?,
        kind: get(r, "kind")?,
        recorded_by_name: get(r, "recorded_by_name")?,
        recorded_at: parse_ts(&get::<String>(r, "recorded_at")?)?,
    })
}

pub(crate) async fn list_leave(store: &SqliteStore, at: DateTime<Utc>) -> Result<Vec<Leave>> {
    sqlx::query("SELECT * FROM officer_leave WHERE ends_at > ? ORDER BY starts_at, id")
        .bind(ts(at))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(leave_from_row)
        .collect()
}

pub(crate) async fn insert_leave(store: &SqliteStore, l: &Leave, audit: &NewAuditEvent) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO officer_leave (id, user_id, starts_at, ends_at, kind, recorded_by_name, recorded_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(l.id)
    .bind(l.user_id)
    .bind(ts(l.starts_at))
    .bind(ts(l.ends_at))
    .bind(&l.kind)
    .bind(&l.recorded_by_name)
    .bind(ts(l.recorded_at))
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn delete_leave(store: &SqliteStore, id: Uuid, audit: &NewAuditEvent) -> Result<()> {
    let mut tx = store.write().await?;
    let done =
        sqlx::query("DELETE FROM officer_leave WHERE id = ?").bind(id).execute(&mut *tx).await.map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn list_officer_caps(store: &SqliteStore) -> Result<Vec<(Uuid, u32)>> {
    sqlx::query("SELECT user_id, cap FROM officer_cap")
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| Ok((get(r, "user_id")?, u32::try_from(get::<i64>(r, "cap")?).unwrap_or(0))))
        .collect()
}

pub(crate) async fn set_officer_cap(
    store: &SqliteStore,
    user_id: Uuid,
    cap: u32,
    by_name: &str,
    at: DateTime<Utc>,
    audit: &NewAuditEvent,
) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO officer_cap (user_id, cap, set_by_name, set_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (user_id) DO UPDATE SET cap = excluded.cap, set_by_name = excluded.set_by_name, set_at = excluded.set_at",
    )
    .bind(user_id)
    .bind(i64::from(cap))
    .bind(by_name)
    .bind(ts(at))
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn triage_flow(store: &SqliteStore, since: DateTime<Utc>) -> Result<TriageFlow> {
    let pool = store.pool();
    let times = |rows: Vec<SqliteRow>| -> Result<Vec<DateTime<Utc>>> {
        rows.iter().map(|r| opt_ts(get(r, "t")?)?.ok_or_else(|| Error::Storage("no time".into()))).collect()
    };
    let since = ts(since);
    let recorded = sqlx::query("SELECT recorded_at AS t FROM crime WHERE recorded_at >= ?")
        .bind(&since)
        .fetch_all(pool)
        .await
        .map_err(map_err)?;
    let allocated = sqlx::query("SELECT allocated_at AS t FROM crime WHERE allocated_at >= ?")
        .bind(&since)
        .fetch_all(pool)
        .await
        .map_err(map_err)?;
    let screened_out =
        sqlx::query("SELECT decided_at AS t FROM crime_screening WHERE decided_at >= ? AND decision = 'screen-out'")
            .bind(&since)
            .fetch_all(pool)
            .await
            .map_err(map_err)?;
    Ok(TriageFlow { recorded: times(recorded)?, allocated: times(allocated)?, screened_out: times(screened_out)? })
}
