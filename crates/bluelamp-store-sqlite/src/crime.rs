//! Crimes on SQLite: the record, its people and its classification history. A new crime takes its
//! number from the year's counter inside its own transaction, so a failed save takes no number.

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::crime::{Classification, Crime, CrimeChange, CrimePerson, CrimeRecord, NewCrimeWrite};
use bluelamp_core::person::{NameKind, PersonName};
use bluelamp_core::{Error, Result};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::{SqliteStore, append, get, map_err, opt_ts, parse_enum, parse_ts, ts};

fn codes<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

pub(crate) fn parse_codes<T: std::str::FromStr<Err = String>>(text: &str) -> Result<Vec<T>> {
    text.split(',').filter(|c| !c.is_empty()).map(parse_enum).collect()
}

pub(crate) fn crime_from_row(row: &SqliteRow) -> Result<Crime> {
    Ok(Crime {
        id: get(row, "id")?,
        number: get(row, "number")?,
        version: get(row, "version")?,
        status: parse_enum(&get::<String>(row, "status")?)?,
        offence_code: get(row, "offence_code")?,
        offence_label: get(row, "offence_label")?,
        offence_group: parse_enum(&get::<String>(row, "offence_group")?)?,
        offence_list_version: get(row, "offence_list_version")?,
        occurred_from: parse_ts(&get::<String>(row, "occurred_from")?)?,
        occurred_to: opt_ts(get(row, "occurred_to")?)?,
        reported_at: parse_ts(&get::<String>(row, "reported_at")?)?,
        recorded_at: parse_ts(&get::<String>(row, "recorded_at")?)?,
        recorded_by_name: get(row, "recorded_by_name")?,
        recorded_by: get(row, "recorded_by")?,
        location_text: get(row, "location_text")?,
        latitude: get(row, "latitude")?,
        longitude: get(row, "longitude")?,
        division: get(row, "division")?,
        modus_operandi: get(row, "modus_operandi")?,
        flags: parse_codes(&get::<String>(row, "flags")?)?,
        hate_strands: parse_codes(&get::<String>(row, "hate_strands")?)?,
        injury_recorded: get::<i64>(row, "injury_recorded")? != 0,
        incident_id: get(row, "incident_id")?,
        finalised_at: opt_ts(get(row, "finalised_at")?)?,
        allocated_to: get(row, "allocated_to")?,
        allocated_to_name: get(row, "allocated_to_name")?,
        allocated_at: opt_ts(get(row, "allocated_at")?)?,
        route: get(row, "route")?,
        outcome: get(row, "outcome")?,
        review_due_at: opt_ts(get(row, "review_due_at")?)?,
    })
}

async fn insert_classification(conn: &mut SqliteConnection, c: &Classification) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_classification (id, crime_id, offence_code, offence_label, offence_list_version, reason, \
         decided_by_name, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.id)
    .bind(c.crime_id)
    .bind(&c.offence_code)
    .bind(&c.offence_label)
    .bind(&c.offence_list_version)
    .bind(&c.reason)
    .bind(&c.decided_by_name)
    .bind(ts(c.decided_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

async fn insert_person_link(conn: &mut SqliteConnection, p: &CrimePerson) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_person (crime_id, person_id, role, linked_at, linked_by_name) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(p.crime_id)
    .bind(p.person_id)
    .bind(p.role.as_str())
    .bind(ts(p.linked_at))
    .bind(&p.linked_by_name)
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

/// A unique violation on the crime's own row can only be its number (the id is a fresh UUID): a
/// number already used is a broken rule on `number` (422), not a conflict between two writers.
fn number_taken(e: sqlx::Error, number: &str) -> Error {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => Error::invalid(
            "number",
            format!("Crime number {number} is already in use: a crime number is unique and never reused"),
        ),
        _ => map_err(e),
    }
}

pub(crate) async fn insert_crime(store: &SqliteStore, w: &NewCrimeWrite<'_>) -> Result<Crime> {
    let mut tx = store.write().await?;
    let number = crate::incident::take_reference_number(&mut tx, &w.counter).await?;
    let (c, audit) = (w.complete)(number);
    sqlx::query(
        "INSERT INTO crime (id, number, version, status, offence_code, offence_label, offence_group, offence_list_version, \
         occurred_from, occurred_to, reported_at, recorded_at, recorded_by_name, location_text, latitude, longitude, division, \
         modus_operandi, flags, hate_strands, injury_recorded, incident_id, finalised_at, recorded_by) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.id)
    .bind(&c.number)
    .bind(c.version)
    .bind(c.status.as_str())
    .bind(&c.offence_code)
    .bind(&c.offence_label)
    .bind(c.offence_group.as_str())
    .bind(&c.offence_list_version)
    .bind(ts(c.occurred_from))
    .bind(c.occurred_to.map(ts))
    .bind(ts(c.reported_at))
    .bind(ts(c.recorded_at))
    .bind(&c.recorded_by_name)
    .bind(&c.location_text)
    .bind(c.latitude)
    .bind(c.longitude)
    .bind(&c.division)
    .bind(&c.modus_operandi)
    .bind(codes(&c.flags))
    .bind(codes(&c.hate_strands))
    .bind(i64::from(c.injury_recorded))
    .bind(c.incident_id)
    .bind(c.finalised_at.map(ts))
    .bind(c.recorded_by)
    .execute(&mut *tx)
    .await
    .map_err(|e| number_taken(e, &c.number))?;
    for p in &w.people {
        insert_person_link(&mut tx, p).await?;
    }
    for l in &w.organisations {
        crate::pole::link_organisation(&mut tx, c.id, l).await?;
    }
    for l in &w.objects {
        crate::pole::link_object(&mut tx, c.id, l).await?;
    }
    for l in &w.locations {
        crate::pole::link_location(&mut tx, c.id, l).await?;
    }
    insert_classification(&mut tx, &w.classification).await?;
    if let (Some(incident_id), Some(log)) = (c.incident_id, &w.incident_log) {
        // The incident's NCRS decision is made: it has a crime.
        sqlx::query(
            "UPDATE incident SET crime_reference = COALESCE(crime_reference, ?), ncrs_due_at = NULL, \
             version = version + 1 WHERE id = ?",
        )
        .bind(&c.number)
        .bind(incident_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        crate::incident::insert_log(&mut tx, log).await?;
    }
    append(&mut tx, &audit).await?;
    tx.commit().await.map_err(map_err)?;
    Ok(c)
}

/// Writes a crime's changeable values if it is still at `expected_version` (otherwise `Conflict`).
pub(crate) async fn write_crime_row(conn: &mut SqliteConnection, c: &Crime, expected_version: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE crime SET version = ?, status = ?, offence_code = ?, offence_label = ?, offence_group = ?, \
         offence_list_version = ?, flags = ?, hate_strands = ?, injury_recorded = ?, finalised_at = ?, \
         allocated_to = ?, allocated_to_name = ?, allocated_at = ?, route = ?, outcome = ?, \
         review_due_at = ? WHERE id = ? AND version = ?",
    )
    .bind(c.version)
    .bind(c.status.as_str())
    .bind(&c.offence_code)
    .bind(&c.offence_label)
    .bind(c.offence_group.as_str())
    .bind(&c.offence_list_version)
    .bind(codes(&c.flags))
    .bind(codes(&c.hate_strands))
    .bind(i64::from(c.injury_recorded))
    .bind(c.finalised_at.map(ts))
    .bind(c.allocated_to)
    .bind(&c.allocated_to_name)
    .bind(c.allocated_at.map(ts))
    .bind(&c.route)
    .bind(&c.outcome)
    .bind(c.review_due_at.map(ts))
    .bind(c.id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!("crime {} was changed by someone else; reload it", c.number)));
    }
    Ok(())
}

pub(crate) async fn update_crime(
    store: &SqliteStore,
    c: &Crime,
    expected_version: i64,
    change: &CrimeChange,
    audit: &NewAuditEvent,
) -> Result<()> {
    let mut tx = store.write().await?;
    write_crime_row(&mut tx, c, expected_version).await?;
    match change {
        CrimeChange::Reclassify(classification) => insert_classification(&mut tx, classification).await?,
        CrimeChange::Cancel(cancellation) => crate::pole::insert_cancellation(&mut tx, cancellation).await?,
        CrimeChange::LinkPerson(p) => insert_person_link(&mut tx, p).await?,
        CrimeChange::LinkOrganisation(l) => crate::pole::link_organisation(&mut tx, c.id, l).await?,
        CrimeChange::LinkObject(l) => crate::pole::link_object(&mut tx, c.id, l).await?,
        CrimeChange::LinkLocation(l) => crate::pole::link_location(&mut tx, c.id, l).await?,
        CrimeChange::Screen(s) => crate::triage::insert_screening(&mut tx, s).await?,
        CrimeChange::Allocate(a) => crate::triage::insert_allocation(&mut tx, a).await?,
        CrimeChange::Review { review, actions } => {
            crate::investigation::insert_review(&mut tx, review).await?;
            for action in actions {
                crate::investigation::insert_action_row(&mut tx, action).await?;
            }
        }
        CrimeChange::Outcome(decision) => crate::investigation::write_decision(&mut tx, decision).await?,
    }
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn find_crime(store: &SqliteStore, id: Uuid) -> Result<Option<CrimeRecord>> {
    let pool = store.pool();
    let Some(row) =
        sqlx::query("SELECT * FROM crime WHERE id = ?").bind(id).fetch_optional(pool).await.map_err(map_err)?
    else {
        return Ok(None);
    };
    let crime = crime_from_row(&row)?;
    let people = sqlx::query(
        "SELECT cp.*, n.forenames, n.surname FROM crime_person cp \
         JOIN person_name n ON n.person_id = cp.person_id AND n.position = 0 \
         WHERE cp.crime_id = ? ORDER BY cp.linked_at, cp.role",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        let name = PersonName { kind: NameKind::Primary, forenames: get(r, "forenames")?, surname: get(r, "surname")? };
        Ok(CrimePerson {
            crime_id: get(r, "crime_id")?,
            person_id: get(r, "person_id")?,
            role: parse_enum(&get::<String>(r, "role")?)?,
            linked_at: parse_ts(&get::<String>(r, "linked_at")?)?,
            linked_by_name: get(r, "linked_by_name")?,
            name: name.full(),
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let mut people = people;
    // Victims first, then suspects, offenders, witnesses, reporting people (the role's order).
    people.sort_by_key(|p| (p.role, p.linked_at));
    let classifications = sqlx::query("SELECT * FROM crime_classification WHERE crime_id = ? ORDER BY decided_at, id")
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| {
            Ok(Classification {
                id: get(r, "id")?,
                crime_id: get(r, "crime_id")?,
                offence_code: get(r, "offence_code")?,
                offence_label: get(r, "offence_label")?,
                offence_list_version: get(r, "offence_list_version")?,
                reason: get(r, "reason")?,
                decided_by_name: get(r, "decided_by_name")?,
                decided_at: parse_ts(&get::<String>(r, "decided_at")?)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (organisations, objects, locations, cancellation) = crate::pole::load(pool, id).await?;
    Ok(Some(CrimeRecord { crime, people, organisations, objects, locations, classifications, cancellation }))
}

pub(crate) async fn list_crimes_recorded(
    store: &SqliteStore,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Crime>> {
    sqlx::query("SELECT * FROM crime WHERE recorded_at >= ? AND recorded_at < ? ORDER BY recorded_at, id")
        .bind(ts(from))
        .bind(ts(to))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(crime_from_row)
        .collect()
}

pub(crate) async fn list_recent_crimes(store: &SqliteStore, limit: u32) -> Result<Vec<Crime>> {
    sqlx::query("SELECT * FROM crime ORDER BY recorded_at DESC, id DESC LIMIT ?")
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(crime_from_row)
        .collect()
}
