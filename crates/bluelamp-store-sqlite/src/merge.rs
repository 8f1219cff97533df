//! Person merges on SQLite: requests and their review, and applying or undoing a merge in one
//! transaction that records (in `person_merge_row` and `person_merge_name`) exactly which rows moved,
//! so undoing moves back those and nothing else.

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::merge::{Decision, MergeApplyWrite, MergeMove, MergeStatus, MoveKind, PersonMerge, UnmergeWrite};
use bluelamp_core::person::{PersonName, forename_key, name_key, soundex};
use bluelamp_core::{Error, Result};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::{SqliteStore, append, get, map_err, opt_ts, parse_enum, parse_ts, ts};

/// The tables of a person's own rows a merge moves, by kind.
const OWN_ROWS: [(MoveKind, &str); 3] =
    [(MoveKind::Address, "person_address"), (MoveKind::Phone, "person_phone"), (MoveKind::Marker, "person_marker")];

/// The link tables a merge re-points, by kind, with the linked record's column.
const LINKS: [(MoveKind, &str, &str); 2] =
    [(MoveKind::Incident, "incident_person", "incident_id"), (MoveKind::Crime, "crime_person", "crime_id")];

fn decision(row: &SqliteRow, prefix: &str) -> Result<Option<Decision>> {
    let at: Option<String> = get(row, &format!("{prefix}_at"))?;
    let Some(at) = opt_ts(at)? else { return Ok(None) };
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

fn merge_from_row(row: &SqliteRow) -> Result<PersonMerge> {
    Ok(PersonMerge {
        id: get(row, "id")?,
        survivor_id: get(row, "survivor_id")?,
        duplicate_id: get(row, "duplicate_id")?,
        survivor_name: get(row, "survivor_name")?,
        duplicate_name: get(row, "duplicate_name")?,
        status: parse_enum(&get::<String>(row, "status")?)?,
        reason: get(row, "reason")?,
        score: u32::try_from(get::<i64>(row, "score")?).unwrap_or(0),
        match_reasons: get::<String>(row, "match_reasons")?
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        requested_by_id: get(row, "requested_by_id")?,
        requested_by_name: get(row, "requested_by_name")?,
        requested_at: parse_ts(&get::<String>(row, "requested_at")?)?,
        decided: decision(row, "decided")?,
        reversed: decision(row, "reversed")?,
    })
}

fn conflict(what: &str) -> Error {
    Error::Conflict(what.to_string())
}

pub(crate) async fn insert_person_merge(store: &SqliteStore, m: &PersonMerge, audit: &NewAuditEvent) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO person_merge (id, survivor_id, duplicate_id, survivor_name, duplicate_name, status, reason, score, \
         match_reasons, requested_by_id, requested_by_name, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(m.id)
    .bind(m.survivor_id)
    .bind(m.duplicate_id)
    .bind(&m.survivor_name)
    .bind(&m.duplicate_name)
    .bind(m.status.as_str())
    .bind(&m.reason)
    .bind(i64::from(m.score))
    .bind(m.match_reasons.join("\n"))
    .bind(m.requested_by_id)
    .bind(&m.requested_by_name)
    .bind(ts(m.requested_at))
    .execute(&mut *tx)
    .await
    .map_err(|e| match map_err(e) {
        Error::Conflict(_) => conflict("A merge of these two people is already awaiting review"),
        other => other,
    })?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn find_person_merge(store: &SqliteStore, id: Uuid) -> Result<Option<PersonMerge>> {
    sqlx::query("SELECT * FROM person_merge WHERE id = ?")
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .map_err(map_err)?
        .as_ref()
        .map(merge_from_row)
        .transpose()
}

pub(crate) async fn list_person_merges(
    store: &SqliteStore,
    status: MergeStatus,
    limit: u32,
) -> Result<Vec<PersonMerge>> {
    let sql = match status {
        MergeStatus::Requested => "SELECT * FROM person_merge WHERE status = ? ORDER BY requested_at, id LIMIT ?",
        MergeStatus::Applied | MergeStatus::Rejected => {
            "SELECT * FROM person_merge WHERE status = ? ORDER BY decided_at DESC, id DESC LIMIT ?"
        }
        MergeStatus::Reversed => {
            "SELECT * FROM person_merge WHERE status = ? ORDER BY reversed_at DESC, id DESC LIMIT ?"
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

pub(crate) async fn person_merges_of(store: &SqliteStore, person_id: Uuid) -> Result<Vec<PersonMerge>> {
    sqlx::query(
        "SELECT * FROM person_merge WHERE survivor_id = ? UNION SELECT * FROM person_merge WHERE duplicate_id = ? \
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
async fn moves(conn: &mut SqliteConnection, merge_id: Uuid, moved_only: bool) -> Result<Vec<MergeMove>> {
    let mut out = Vec::new();
    for r in sqlx::query("SELECT * FROM person_merge_name WHERE merge_id = ? ORDER BY position")
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
    for r in sqlx::query("SELECT * FROM person_merge_row WHERE merge_id = ? ORDER BY kind, role, ref_id")
        .bind(merge_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
    {
        let moved = get::<i64>(&r, "moved")? != 0;
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

pub(crate) async fn merge_moves(store: &SqliteStore, merge_id: Uuid) -> Result<Vec<MergeMove>> {
    let mut conn = store.pool().acquire().await.map_err(map_err)?;
    moves(&mut conn, merge_id, false).await
}

pub(crate) async fn reject_person_merge(store: &SqliteStore, m: &PersonMerge, audit: &NewAuditEvent) -> Result<()> {
    let d = m.decided.as_ref().ok_or_else(|| Error::Storage("a rejection without its decision".into()))?;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE person_merge SET status = ?, decided_by_id = ?, decided_by_name = ?, decided_at = ?, \
         decision_reason = ? WHERE id = ? AND status = 'requested'",
    )
    .bind(m.status.as_str())
    .bind(d.by_id)
    .bind(&d.by_name)
    .bind(ts(d.at))
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
    conn: &mut SqliteConnection,
    m: &PersonMerge,
    versions: (i64, i64),
    merged_at: Option<String>,
) -> Result<()> {
    let survivor =
        sqlx::query("UPDATE person SET version = version + 1 WHERE id = ? AND version = ? AND merged_into IS NULL")
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
            "UPDATE person SET version = version + 1, merged_into = ?, merged_at = ? \
             WHERE id = ? AND version = ? AND merged_into IS NULL",
        )
        .bind(m.survivor_id)
        .bind(at)
        .bind(m.duplicate_id)
        .bind(versions.1),
        None => sqlx::query(
            "UPDATE person SET version = version + 1, merged_into = NULL, merged_at = NULL \
             WHERE id = ? AND version = ? AND merged_into = ?",
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

pub(crate) async fn apply_person_merge(store: &SqliteStore, w: &MergeApplyWrite<'_>) -> Result<Vec<MergeMove>> {
    let m = w.merge;
    let d = m.decided.as_ref().ok_or_else(|| Error::Storage("an applied merge without its decision".into()))?;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE person_merge SET status = ?, decided_by_id = ?, decided_by_name = ?, decided_at = ?, \
         decision_reason = ? WHERE id = ? AND status = 'requested'",
    )
    .bind(m.status.as_str())
    .bind(d.by_id)
    .bind(&d.by_name)
    .bind(ts(d.at))
    .bind(&d.reason)
    .bind(m.id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(conflict("This merge has already been decided"));
    }
    bump_people(&mut tx, m, (w.survivor_version, w.duplicate_version), Some(ts(d.at))).await?;

    // Names: copies on the survivor after its last name.
    let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), -1) + 1 FROM person_name WHERE person_id = ?")
        .bind(m.survivor_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
    for (i, n) in w.plan.names.iter().enumerate() {
        let position = base + i as i64;
        sqlx::query(
            "INSERT INTO person_name (person_id, position, kind, forenames, surname, surname_key, soundex, forename_key) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
            "INSERT INTO person_merge_name (merge_id, position, kind, forenames, surname) VALUES (?, ?, ?, ?, ?)",
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
                "UPDATE {table} SET person_id = ? WHERE id = ? AND person_id = ?"
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
                    "INSERT INTO person_merge_row (merge_id, kind, ref_id, role, moved) VALUES (?, ?, ?, '', ?)",
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
             SELECT ?, ?, b.{col}, b.role, NOT EXISTS (SELECT 1 FROM {table} a \
             WHERE a.person_id = ? AND a.{col} = b.{col} AND a.role = b.role) \
             FROM {table} b WHERE b.person_id = ?"
        )))
        .bind(m.id)
        .bind(kind.as_str())
        .bind(m.survivor_id)
        .bind(m.duplicate_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET person_id = ? WHERE person_id = ? AND EXISTS (SELECT 1 FROM person_merge_row r \
             WHERE r.merge_id = ? AND r.kind = ? AND r.moved AND r.ref_id = {table}.{col} AND r.role = {table}.role)"
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

pub(crate) async fn unmerge_person(store: &SqliteStore, w: &UnmergeWrite<'_>) -> Result<Vec<MergeMove>> {
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
        "UPDATE person_merge SET status = ?, reversed_by_id = ?, reversed_by_name = ?, reversed_at = ?, \
         reverse_reason = ? WHERE id = ? AND status = 'applied'",
    )
    .bind(m.status.as_str())
    .bind(r.by_id)
    .bind(&r.by_name)
    .bind(ts(r.at))
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
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM person_merge_row WHERE merge_id = ? AND kind = ? AND moved")
            .bind(m.id)
            .bind(kind.as_str())
    };
    for (kind, table) in OWN_ROWS {
        let expected = count(kind).fetch_one(&mut *tx).await.map_err(map_err)?;
        // The table name is one of the constants above.
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET person_id = ? WHERE person_id = ? AND id IN \
             (SELECT ref_id FROM person_merge_row WHERE merge_id = ? AND kind = ? AND moved)"
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
            "UPDATE {table} SET person_id = ? WHERE person_id = ? AND EXISTS (SELECT 1 FROM person_merge_row r \
             WHERE r.merge_id = ? AND r.kind = ? AND r.moved AND r.ref_id = {table}.{col} AND r.role = {table}.role)"
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
        sqlx::query("SELECT kind, forenames, surname FROM person_merge_name WHERE merge_id = ? ORDER BY position")
            .bind(m.id)
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
    for n in &names {
        let done = sqlx::query(
            "DELETE FROM person_name WHERE person_id = ? AND position = (SELECT min(position) FROM person_name \
             WHERE person_id = ? AND position > 0 AND kind = ? AND forenames = ? AND surname = ?)",
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
