//! Person merges on PostgreSQL: requests and their review, and applying or undoing a merge in one
//! transaction that records (in `person_merge_row` and `person_merge_name`) exactly which rows moved,
//! so undoing moves back those and nothing else.

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::merge::{Decision, MergeApplyWrite, MergeMove, MergeStatus, MoveKind, PersonMerge, UnmergeWrite};
use bluelamp_core::person::{PersonName, forename_key, name_key, soundex};
use bluelamp_core::{Error, Result};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::{PostgresStore, append, get, map_err, parse_enum};

/// The tables of a person's own rows a merge moves, by kind.
const OWN_ROWS: [(MoveKind, &str); 3] =
    [(MoveKind::Address, "person_address"), (MoveKind::Phone, "person_phone"), (MoveKind::Marker, "person_marker")];

/// The link tables a merge re-points, by kind, with the linked record's column.
const LINKS: [(MoveKind, &str, &str); 2] =
    [(MoveKind::Incident, "incident_person", "incident_id"), (MoveKind::Crime, "crime_person", "crime_id")];

fn decision(row: &PgRow, prefix: &str) -> Result<Option<Decision>> {
    let at: Option<chrono::DateTime<chrono::Utc>> = get(row, &format!("{prefix}_at"))?;
    let Some(at) = at else { return Ok(None) };
    let (by, reason) = match prefix {
        "decided" => ("decided_by", "decision_reason"),
        _ => ("reversed_by", "reverse_reason"),
    };
    Ok(Some(Decision {
        by_id: get(row, &format!("{by}_id"))?,
        by_name: get::<Option<String>>(row, &format!("{by}_name"))?.unwrap_or_default(),
        at,
        reason: get(row, reason)?,
    }))
}

fn merge_from_row(row: &PgRow) -> Result<PersonMerge> {
    Ok(PersonMerge {
        id: get(row, "id")?,
        survivor_id: get(row, "survivor_id")?,
        duplicate_id: get(row, "duplicate_id")?,
        survivor_name: get(row, "survivor_name")?,
        duplicate_name: get(row, "duplicate_name")?,
        status: parse_enum(&get::<String>(row, "status")?)?,
        reason: get(row, "reason")?,
        score: u32::try_from(get::<i32>(row, "score")?).unwrap_or(0),
        match_reasons: get::<String>(row, "match_reasons")?
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        requested_by_id: get(row, "requested_by_id")?,
        requested_by_name: get(row, "requested_by_name")?,
        requested_at: get(row, "requested_at")?,
        decided: decision(row, "decided")?,
        reversed: decision(row, "reversed")?,
    })
}

fn conflict(what: &str) -> Error {
    Error::Conflict(what.to_string())
}

pub(crate) async fn insert_person_merge(store: &PostgresStore, m: &PersonMerge, audit: &NewAuditEvent) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO person_merge (id, survivor_id, duplicate_id, survivor_name, duplicate_name, status, reason, score, \
         match_reasons, requested_by_id, requested_by_name, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(m.id)
    .bind(m.survivor_id)
    .bind(m.duplicate_id)
    .bind(&m.survivor_name)
    .bind(&m.duplicate_name)
    .bind(m.status.as_str())
    .bind(&m.reason)
    .bind(i32::try_from(m.score).unwrap_or(i32::MAX))
    .bind(m.match_reasons.join("\n"))
    .bind(m.requested_by_id)
    .bind(&m.requested_by_name)
    .bind(m.requested_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| match map_err(e) {
        Error::Conflict(_) => conflict("A merge of these two people is already awaiting review"),
        other => other,
    })?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn find_person_merge(store: &PostgresStore, id: Uuid) -> Result<Option<PersonMerge>> {
    sqlx::query("SELECT * FROM person_merge WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .map_err(map_err)?
        .as_ref()
        .map(merge_from_row)
        .transpose()
}

pub(crate) async fn list_person_merges(
    store: &PostgresStore,
    status: MergeStatus,
    limit: u32,
) -> Result<Vec<PersonMerge>> {
    let sql = match status {
        MergeStatus::Requested => "SELECT * FROM person_merge WHERE status = $1 ORDER BY requested_at, id LIMIT $2",
        MergeStatus::Applied | MergeStatus::Rejected => {
            "SELECT * FROM person_merge WHERE status = $1 ORDER BY decided_at DESC, id DESC LIMIT $2"
        }
        MergeStatus::Reversed => {
            "SELECT * FROM person_merge WHERE status = $1 ORDER BY reversed_at DESC, id DESC LIMIT $2"
        }
    };
    sqlx::query(sql)
        .bind(status.as_str())
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(merge_from_row)
        .collect()
}

pub(crate) async fn person_merges_of(store: &PostgresStore, person_id: Uuid) -> Result<Vec<PersonMerge>> {
    sqlx::query(
        "SELECT * FROM person_merge WHERE survivor_id = $1 UNION SELECT * FROM person_merge WHERE duplicate_id = $2 \
         ORDER BY requested_at DESC, id DESC",
    )
    .bind(person_id)
    .bind(person_id)
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(merge_from_row)
    .collect()
}

/// The names a merge copied, then its other rows, by kind.
async fn moves(conn: &mut PgConnection, merge_id: Uuid, moved_only: bool) -> Result<Vec<MergeMove>> {
    let mut out = Vec::new();
    for r in sqlx::query("SELECT * FROM person_merge_name WHERE merge_id = $1 ORDER BY position")
        .bind(merge_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
    {
        let name = PersonName {
            kind: parse_enum(&get::<String>(&r, "kind")?)?,
            forenames: get(&r, "forenames")?,
            surname: get(&r, "surname")?,
        };
        out.push(MergeMove {
            kind: MoveKind::Name,
            ref_id: None,
            role: String::new(),
            detail: format!("{} ({})", name.full(), name.kind.label().to_lowercase()),
            moved: true,
        });
    }
    let mut rows = Vec::new();
    for r in sqlx::query("SELECT * FROM person_merge_row WHERE merge_id = $1 ORDER BY kind, role, ref_id")
        .bind(merge_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
    {
        let moved: bool = get(&r, "moved")?;
        if moved || !moved_only {
            rows.push(MergeMove {
                kind: parse_enum(&get::<String>(&r, "kind")?)?,
                ref_id: Some(get(&r, "ref_id")?),
                role: get(&r, "role")?,
                detail: String::new(),
                moved,
            });
        }
    }
    rows.sort_by_key(|m| m.kind);
    out.extend(rows);
    Ok(out)
}

pub(crate) async fn merge_moves(store: &PostgresStore, merge_id: Uuid) -> Result<Vec<MergeMove>> {
    let mut conn = store.pool().acquire().await.map_err(map_err)?;
    moves(&mut conn, merge_id, false).await
}

pub(crate) async fn reject_person_merge(store: &PostgresStore, m: &PersonMerge, audit: &NewAuditEvent) -> Result<()> {
    let d = m.decided.as_ref().ok_or_else(|| Error::Storage("a rejection without its decision".into()))?;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE person_merge SET status = $1, decided_by_id = $2, decided_by_name = $3, decided_at = $4, \
         decision_reason = $5 WHERE id = $6 AND status = 'requested'",
    )
    .bind(m.status.as_str())
    .bind(d.by_id)
    .bind(&d.by_name)
    .bind(d.at)
    .bind(&d.reason)
    .bind(m.id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(conflict("This merge has already been decided"));
    }
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

/// Bumps both people's versions if they are still as the use case saw them; marks or clears the
/// duplicate's `merged_into`.
async fn bump_people(
    conn: &mut PgConnection,
    m: &PersonMerge,
    versions: (i64, i64),
    merged_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<()> {
    // Both rows locked in id order, so merges over overlapping people cannot deadlock.
    sqlx::query("SELECT id FROM person WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .bind(vec![m.survivor_id, m.duplicate_id])
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
    let survivor =
        sqlx::query("UPDATE person SET version = version + 1 WHERE id = $1 AND version = $2 AND merged_into IS NULL")
            .bind(m.survivor_id)
            .bind(versions.0)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    if survivor.rows_affected() == 0 {
        return Err(Error::Conflict(format!("{} was changed by someone else; review again", m.survivor_name)));
    }
    let duplicate = match merged_at {
        Some(at) => sqlx::query(
            "UPDATE person SET version = version + 1, merged_into = $1, merged_at = $2 \
             WHERE id = $3 AND version = $4 AND merged_into IS NULL",
        )
        .bind(m.survivor_id)
        .bind(at)
        .bind(m.duplicate_id)
        .bind(versions.1),
        None => sqlx::query(
            "UPDATE person SET version = version + 1, merged_into = NULL, merged_at = NULL \
             WHERE id = $1 AND version = $2 AND merged_into = $3",
        )
        .bind(m.duplicate_id)
        .bind(versions.1)
        .bind(m.survivor_id),
    };
    let done = duplicate.execute(&mut *conn).await.map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!("{} was changed by someone else; review again", m.duplicate_name)));
    }
    Ok(())
}

pub(crate) async fn apply_person_merge(store: &PostgresStore, w: &MergeApplyWrite<'_>) -> Result<Vec<MergeMove>> {
    let m = w.merge;
    let d = m.decided.as_ref().ok_or_else(|| Error::Storage("an applied merge without its decision".into()))?;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE person_merge SET status = $1, decided_by_id = $2, decided_by_name = $3, decided_at = $4, \
         decision_reason = $5 WHERE id = $6 AND status = 'requested'",
    )
    .bind(m.status.as_str())
    .bind(d.by_id)
    .bind(&d.by_name)
    .bind(d.at)
    .bind(&d.reason)
    .bind(m.id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(conflict("This merge has already been decided"));
    }
    bump_people(&mut tx, m, (w.survivor_version, w.duplicate_version), Some(d.at)).await?;

    // Names: copies on the survivor after its last name.
    let base: i32 = sqlx::query_scalar("SELECT COALESCE(MAX(position), -1) + 1 FROM person_name WHERE person_id = $1")
        .bind(m.survivor_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
    for (i, n) in w.plan.names.iter().enumerate() {
        let position = base + i32::try_from(i).unwrap_or(i32::MAX);
        sqlx::query(
            "INSERT INTO person_name (person_id, position, kind, forenames, surname, surname_key, soundex, forename_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(m.survivor_id)
        .bind(position)
        .bind(n.kind.as_str())
        .bind(&n.forenames)
        .bind(&n.surname)
        .bind(name_key(&n.surname))
        .bind(soundex(&n.surname))
        .bind(forename_key(&n.forenames))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO person_merge_name (merge_id, position, kind, forenames, surname) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(m.id)
        .bind(position)
        .bind(n.kind.as_str())
        .bind(&n.forenames)
        .bind(&n.surname)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }

    // The duplicate's own rows: moved, or kept and recorded as kept.
    let plan = w.plan;
    let own: [(MoveKind, &str, &[Uuid], &[Uuid]); 3] = [
        (OWN_ROWS[0].0, OWN_ROWS[0].1, &plan.addresses, &plan.kept_addresses),
        (OWN_ROWS[1].0, OWN_ROWS[1].1, &plan.phones, &plan.kept_phones),
        (OWN_ROWS[2].0, OWN_ROWS[2].1, &plan.markers, &[]),
    ];
    for (kind, table, moved, kept) in own {
        for id in moved {
            // The table name is one of the constants above.
            let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET person_id = $1 WHERE id = $2 AND person_id = $3"
            )))
            .bind(m.survivor_id)
            .bind(*id)
            .bind(m.duplicate_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            if done.rows_affected() != 1 {
                return Err(Error::Conflict(format!("{} was changed by someone else; review again", m.duplicate_name)));
            }
        }
        for (ids, is_moved) in [(moved, true), (kept, false)] {
            for id in ids {
                sqlx::query(
                    "INSERT INTO person_merge_row (merge_id, kind, ref_id, role, moved) VALUES ($1, $2, $3, '', $4)",
                )
                .bind(m.id)
                .bind(kind.as_str())
                .bind(*id)
                .bind(is_moved)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            }
        }
    }

    // Links: every one the survivor does not already have (same record, same role) moves.
    for (kind, table, col) in LINKS {
        // The table and column names are the constants above.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO person_merge_row (merge_id, kind, ref_id, role, moved) \
             SELECT $1, $2, b.{col}, b.role, NOT EXISTS (SELECT 1 FROM {table} a \
             WHERE a.person_id = $3 AND a.{col} = b.{col} AND a.role = b.role) \
             FROM {table} b WHERE b.person_id = $4"
        )))
        .bind(m.id)
        .bind(kind.as_str())
        .bind(m.survivor_id)
        .bind(m.duplicate_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET person_id = $1 WHERE person_id = $2 AND EXISTS (SELECT 1 FROM person_merge_row r \
             WHERE r.merge_id = $3 AND r.kind = $4 AND r.moved AND r.ref_id = {table}.{col} AND r.role = {table}.role)"
        )))
        .bind(m.survivor_id)
        .bind(m.duplicate_id)
        .bind(m.id)
        .bind(kind.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }

    let recorded = moves(&mut tx, m.id, false).await?;
    append(&mut tx, &(w.audit)(&recorded)).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(recorded)
}

pub(crate) async fn unmerge_person(store: &PostgresStore, w: &UnmergeWrite<'_>) -> Result<Vec<MergeMove>> {
    let m = w.merge;
    let r = m.reversed.as_ref().ok_or_else(|| Error::Storage("an undone merge without its decision".into()))?;
    let not_exact = || {
        Error::Conflict(format!(
            "{}'s record no longer holds everything the merge moved, so it cannot be undone exactly",
            m.survivor_name
        ))
    };
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE person_merge SET status = $1, reversed_by_id = $2, reversed_by_name = $3, reversed_at = $4, \
         reverse_reason = $5 WHERE id = $6 AND status = 'applied'",
    )
    .bind(m.status.as_str())
    .bind(r.by_id)
    .bind(&r.by_name)
    .bind(r.at)
    .bind(&r.reason)
    .bind(m.id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(conflict("This merge is no longer applied"));
    }
    bump_people(&mut tx, m, (w.survivor_version, w.duplicate_version), None).await?;

    let count = |kind: MoveKind| {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM person_merge_row WHERE merge_id = $1 AND kind = $2 AND moved",
        )
        .bind(m.id)
        .bind(kind.as_str())
    };
    for (kind, table) in OWN_ROWS {
        let expected = count(kind).fetch_one(&mut *tx).await.map_err(map_err)?;
        // The table name is one of the constants above.
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET person_id = $1 WHERE person_id = $2 AND id IN \
             (SELECT ref_id FROM person_merge_row WHERE merge_id = $3 AND kind = $4 AND moved)"
        )))
        .bind(m.duplicate_id)
        .bind(m.survivor_id)
        .bind(m.id)
        .bind(kind.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() != expected as u64 {
            return Err(not_exact());
        }
    }
    for (kind, table, col) in LINKS {
        let expected = count(kind).fetch_one(&mut *tx).await.map_err(map_err)?;
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET person_id = $1 WHERE person_id = $2 AND EXISTS (SELECT 1 FROM person_merge_row r \
             WHERE r.merge_id = $3 AND r.kind = $4 AND r.moved AND r.ref_id = {table}.{col} AND r.role = {table}.role)"
        )))
        .bind(m.duplicate_id)
        .bind(m.survivor_id)
        .bind(m.id)
        .bind(kind.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| match map_err(e) {
            Error::Conflict(_) => Error::Conflict(format!(
                "{} has since been linked again to a record the merge moved, so it cannot be undone exactly",
                m.duplicate_name
            )),
            other => other,
        })?;
        if done.rows_affected() != expected as u64 {
            return Err(not_exact());
        }
    }
    // The copied names leave the survivor (names are only ever added, so each is still there).
    let names =
        sqlx::query("SELECT kind, forenames, surname FROM person_merge_name WHERE merge_id = $1 ORDER BY position")
            .bind(m.id)
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
    for n in &names {
        let done = sqlx::query(
            "DELETE FROM person_name WHERE person_id = $1 AND position = (SELECT min(position) FROM person_name \
             WHERE person_id = $2 AND position > 0 AND kind = $3 AND forenames = $4 AND surname = $5)",
        )
        .bind(m.survivor_id)
        .bind(m.survivor_id)
        .bind(get::<String>(n, "kind")?)
        .bind(get::<String>(n, "forenames")?)
        .bind(get::<String>(n, "surname")?)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() != 1 {
            return Err(not_exact());
        }
    }
    let moved_back = moves(&mut tx, m.id, true).await?;
    append(&mut tx, &(w.audit)(&moved_back)).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(moved_back)
}
