//! Crimes on PostgreSQL: the record, its people and its classification history. A new crime takes its
//! number from the year's counter inside its own transaction (unlike incidents: crimes are recorded far less often, so the counter row is never a queue), so a failed save takes no number.

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::crime::{Classification, Crime, CrimeChange, CrimePerson, CrimeRecord, NewCrimeWrite};
use bluelamp_core::person::{NameKind, PersonName};
use bluelamp_core::{Error, Result};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::{PostgresStore, append, get, map_err, parse_enum};

fn codes<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

pub(crate) fn parse_codes<T: std::str::FromStr<Err = String>>(text: &str) -> Result<Vec<T>> {
    text.split(',').filter(|c| !c.is_empty()).map(parse_enum).collect()
}

pub(crate) fn crime_from_row(row: &PgRow) -> Result<Crime> {
    Ok(Crime {
        id: get(row, "id")?,
        number: get(row, "number")?,
        version: get(row, "version")?,
        status: parse_enum(&get::<String>(row, "status")?)?,
        offence_code: get(row, "offence_code")?,
        offence_label: get(row, "offence_label")?,
        offence_group: parse_enum(&get::<String>(row, "offence_group")?)?,
        offence_list_version: get(row, "offence_list_version")?,
        occurred_from: get(row, "occurred_from")?,
        occurred_to: get(row, "occurred_to")?,
        reported_at: get(row, "reported_at")?,
        recorded_at: get(row, "recorded_at")?,
        recorded_by_name: get(row, "recorded_by_name")?,
        recorded_by: get(row, "recorded_by")?,
        location_text: get(row, "location_text")?,
        latitude: get(row, "latitude")?,
        longitude: get(row, "longitude")?,
        division: get(row, "division")?,
        modus_operandi: get(row, "modus_operandi")?,
        flags: parse_codes(&get::<String>(row, "flags")?)?,
        hate_strands: parse_codes(&get::<String>(row, "hate_strands")?)?,
        injury_recorded: get(row, "injury_recorded")?,
        incident_id: get(row, "incident_id")?,
        finalised_at: get(row, "finalised_at")?,
        allocated_to: get(row, "allocated_to")?,
        allocated_to_name: get(row, "allocated_to_name")?,
        allocated_at: get(row, "allocated_at")?,
        route: get(row, "route")?,
        outcome: get(row, "outcome")?,
        review_due_at: get(row, "review_due_at")?,
    })
}

async fn insert_classification(conn: &mut PgConnection, c: &Classification) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_classification (id, crime_id, offence_code, offence_label, offence_list_version, reason, \
         decided_by_name, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(c.id)
    .bind(c.crime_id)
    .bind(&c.offence_code)
    .bind(&c.offence_label)
    .bind(&c.offence_list_version)
    .bind(&c.reason)
    .bind(&c.decided_by_name)
    .bind(c.decided_at)
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

/// The year's next crime number, inside the crime's transaction (so a failed save takes none).
async fn take_number(conn: &mut PgConnection, counter: &str) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO reference_counter (scope, last) VALUES ($1, 1) \
         ON CONFLICT (scope) DO UPDATE SET last = reference_counter.last + 1 RETURNING last",
    )
    .bind(counter)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)
}

async fn insert_person_link(conn: &mut PgConnection, p: &CrimePerson) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_person (crime_id, person_id, role, linked_at, linked_by_name) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(p.crime_id)
    .bind(p.person_id)
    .bind(p.role.as_str())
    .bind(p.linked_at)
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

pub(crate) async fn insert_crime(store: &PostgresStore, w: &NewCrimeWrite<'_>) -> Result<Crime> {
    let mut tx = store.write().await?;
    let number = take_number(&mut tx, &w.counter).await?;
    let (c, audit) = (w.complete)(number);
    sqlx::query(
        "INSERT INTO crime (id, number, version, status, offence_code, offence_label, offence_group, offence_list_version, \
         occurred_from, occurred_to, reported_at, recorded_at, recorded_by_name, location_text, latitude, longitude, division, \
         modus_operandi, flags, hate_strands, injury_recorded, incident_id, finalised_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
    )
    .bind(c.id)
    .bind(&c.number)
    .bind(c.version)
    .bind(c.status.as_str())
    .bind(&c.offence_code)
    .bind(&c.offence_label)
    .bind(c.offence_group.as_str())
    .bind(&c.offence_list_version)
    .bind(c.occurred_from)
    .bind(c.occurred_to)
    .bind(c.reported_at)
    .bind(c.recorded_at)
    .bind(&c.recorded_by_name)
    .bind(&c.location_text)
    .bind(c.latitude)
    .bind(c.longitude)
    .bind(&c.division)
    .bind(&c.modus_operandi)
    .bind(codes(&c.flags))
    .bind(codes(&c.hate_strands))
    .bind(c.injury_recorded)
    .bind(c.incident_id)
    .bind(c.finalised_at)
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
            "UPDATE incident SET crime_reference = COALESCE(crime_reference, $1), ncrs_due_at = NULL, \
             version = version + 1 WHERE id = $2",
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
pub(crate) async fn write_crime_row(conn: &mut PgConnection, c: &Crime, expected_version: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE crime SET version = $1, status = $2, offence_code = $3, offence_label = $4, offence_group = $5, \
         offence_list_version = $6, flags = $7, hate_strands = $8, injury_recorded = $9, finalised_at = $10, \
         allocated_to = $11, allocated_to_name = $12, allocated_at = $13, route = $14, outcome = $15, \
         review_due_at = $16 WHERE id = $17 AND version = $18",
    )
    .bind(c.version)
    .bind(c.status.as_str())
    .bind(&c.offence_code)
    .bind(&c.offence_label)
    .bind(c.offence_group.as_str())
    .bind(&c.offence_list_version)
    .bind(codes(&c.flags))
    .bind(codes(&c.hate_strands))
    .bind(c.injury_recorded)
    .bind(c.finalised_at)
    .bind(c.allocated_to)
    .bind(&c.allocated_to_name)
    .bind(c.allocated_at)
    .bind(&c.route)
    .bind(&c.outcome)
    .bind(c.review_due_at)
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
    store: &PostgresStore,
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

pub(crate) async fn find_crime(store: &PostgresStore, id: Uuid) -> Result<Option<CrimeRecord>> {
    let pool = store.pool();
    let Some(row) =
        sqlx::query("SELECT * FROM crime WHERE id = $1").bind(id).fetch_optional(pool).await.map_err(map_err)?
    else {
        return Ok(None);
    };
    let crime = crime_from_row(&row)?;
    let people = sqlx::query(
        "SELECT cp.*, n.forenames, n.surname FROM crime_person cp \
         JOIN person_name n ON n.person_id = cp.person_id AND n.position = 0 \
         WHERE cp.crime_id = $1 ORDER BY cp.linked_at, cp.role",
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
            linked_at: get(r, "linked_at")?,
            linked_by_name: get(r, "linked_by_name")?,
            name: name.full(),
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let mut people = people;
    // Victims first, then suspects, offenders, witnesses, reporting people (the role's order).
    people.sort_by_key(|p| (p.role, p.linked_at));
    let classifications = sqlx::query("SELECT * FROM crime_classification WHERE crime_id = $1 ORDER BY decided_at, id")
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
                decided_at: get(r, "decided_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (organisations, objects, locations, cancellation) = crate::pole::load(pool, id).await?;
    Ok(Some(CrimeRecord { crime, people, organisations, objects, locations, classifications, cancellation }))
}

pub(crate) async fn list_crimes_recorded(
    store: &PostgresStore,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Crime>> {
    sqlx::query("SELECT * FROM crime WHERE recorded_at >= $1 AND recorded_at < $2 ORDER BY recorded_at, id")
        .bind(from)
        .bind(to)
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(crime_from_row)
        .collect()
}

pub(crate) async fn list_recent_crimes(store: &PostgresStore, limit: u32) -> Result<Vec<Crime>> {
    sqlx::query("SELECT * FROM crime ORDER BY recorded_at DESC, id DESC LIMIT $1")
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(crime_from_row)
        .collect()
}
