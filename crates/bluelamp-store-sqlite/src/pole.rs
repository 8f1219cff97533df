//! Organisations, objects and locations on crimes, and cancellations with the registrar's
//! delegations, on SQLite. An organisation, object or location already stored under the same keys
//! (name and address, identifier, address) is linked rather than stored again: the unique indexes
//! of migration 0012 make that hold under concurrent writes too.

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::cancel::{Cancellation, Delegation};
use bluelamp_core::crime::Crime;
use bluelamp_core::pole::{
    CrimeLocation, CrimeObject, CrimeOrganisation, Location, ObjectRole, Organisation, PoleObject,
};
use bluelamp_core::{Error, Result};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Executor, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::{SqliteStore, append, get, map_err, opt_ts, parse_enum, parse_ts, ts};

/// The id of the organisation stored under `o`'s keys, storing `o` first if there is none.
async fn organisation_id(conn: &mut SqliteConnection, o: &Organisation) -> Result<Uuid> {
    let (name_key, address_key) = o.keys();
    sqlx::query(
        "INSERT INTO organisation (id, name, name_key, kind, address, address_key, phone, created_at, created_by_name) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name_key, address_key) DO NOTHING",
    )
    .bind(o.id)
    .bind(&o.name)
    .bind(&name_key)
    .bind(o.kind.as_str())
    .bind(&o.address)
    .bind(&address_key)
    .bind(&o.phone)
    .bind(ts(o.created_at))
    .bind(&o.created_by_name)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    sqlx::query_scalar("SELECT id FROM organisation WHERE name_key = ? AND address_key = ?")
        .bind(&name_key)
        .bind(&address_key)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)
}

/// The id of the object stored under `o`'s identifier, storing `o` first if there is none (objects
/// without an identifier are always stored).
async fn object_id(conn: &mut SqliteConnection, o: &PoleObject) -> Result<Uuid> {
    let key = o.identifier_key();
    sqlx::query(
        "INSERT INTO pole_object (id, kind, description, identifier_kind, identifier, identifier_key, make, model, colour, \
         value_pence, created_at, created_by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (identifier_key) WHERE identifier_key <> '' DO NOTHING",
    )
    .bind(o.id)
    .bind(o.kind.as_str())
    .bind(&o.description)
    .bind(o.identifier_kind.as_str())
    .bind(&o.identifier)
    .bind(&key)
    .bind(&o.make)
    .bind(&o.model)
    .bind(&o.colour)
    .bind(o.value_pence)
    .bind(ts(o.created_at))
    .bind(&o.created_by_name)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if key.is_empty() {
        return Ok(o.id);
    }
    sqlx::query_scalar("SELECT id FROM pole_object WHERE identifier_key = ?")
        .bind(&key)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)
}

async fn location_id(conn: &mut SqliteConnection, l: &Location) -> Result<Uuid> {
    let key = l.address_key();
    sqlx::query(
        "INSERT INTO location (id, text, address_key, latitude, longitude, created_at) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (address_key) DO NOTHING",
    )
    .bind(l.id)
    .bind(&l.text)
    .bind(&key)
    .bind(l.latitude)
    .bind(l.longitude)
    .bind(ts(l.created_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    sqlx::query_scalar("SELECT id FROM location WHERE address_key = ?")
        .bind(&key)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)
}

pub(crate) async fn link_organisation(
    conn: &mut SqliteConnection,
    crime_id: Uuid,
    l: &CrimeOrganisation,
) -> Result<()> {
    let id = organisation_id(conn, &l.organisation).await?;
    link(conn, "crime_organisation", "organisation_id", crime_id, id, l.role.as_str(), l.linked_at, &l.linked_by_name)
        .await
}

pub(crate) async fn link_object(conn: &mut SqliteConnection, crime_id: Uuid, l: &CrimeObject) -> Result<()> {
    let id = object_id(conn, &l.object).await?;
    link(conn, "crime_object", "object_id", crime_id, id, l.role.as_str(), l.linked_at, &l.linked_by_name).await
}

pub(crate) async fn link_location(conn: &mut SqliteConnection, crime_id: Uuid, l: &CrimeLocation) -> Result<()> {
    let id = location_id(conn, &l.location).await?;
    link(conn, "crime_location", "location_id", crime_id, id, l.role.as_str(), l.linked_at, &l.linked_by_name).await
}

#[allow(clippy::too_many_arguments)]
async fn link(
    conn: &mut SqliteConnection,
    table: &str,
    column: &str,
    crime_id: Uuid,
    id: Uuid,
    role: &str,
    at: DateTime<Utc>,
    by: &str,
) -> Result<()> {
    let sql =
        format!("INSERT INTO {table} (crime_id, {column}, role, linked_at, linked_by_name) VALUES (?, ?, ?, ?, ?)");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(crime_id)
        .bind(id)
        .bind(role)
        .bind(ts(at))
        .bind(by)
        .execute(&mut *conn)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                Error::Conflict("this is already linked to the crime in this role".into())
            }
            other => map_err(other),
        })
        .map(|_| ())
}

pub(crate) async fn insert_cancellation(conn: &mut SqliteConnection, c: &Cancellation) -> Result<()> {
    sqlx::query(
        "INSERT INTO crime_cancellation (crime_id, criterion, criterion_title, criteria_version, verifiable_info, \
         related_crime_number, transferred_to, authority, decided_by, decided_by_name, decided_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.crime_id)
    .bind(&c.criterion)
    .bind(&c.criterion_title)
    .bind(&c.criteria_version)
    .bind(&c.verifiable_info)
    .bind(&c.related_crime_number)
    .bind(&c.transferred_to)
    .bind(c.authority.as_str())
    .bind(c.decided_by)
    .bind(&c.decided_by_name)
    .bind(ts(c.decided_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

fn organisation_from_row(r: &SqliteRow) -> Result<Organisation> {
    Ok(Organisation {
        id: get(r, "id")?,
        name: get(r, "name")?,
        kind: parse_enum(&get::<String>(r, "kind")?)?,
        address: get(r, "address")?,
        phone: get(r, "phone")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        created_by_name: get(r, "created_by_name")?,
    })
}

fn object_from_row(r: &SqliteRow) -> Result<PoleObject> {
    Ok(PoleObject {
        id: get(r, "id")?,
        kind: parse_enum(&get::<String>(r, "kind")?)?,
        description: get(r, "description")?,
        identifier_kind: parse_enum(&get::<String>(r, "identifier_kind")?)?,
        identifier: get(r, "identifier")?,
        make: get(r, "make")?,
        model: get(r, "model")?,
        colour: get(r, "colour")?,
        value_pence: get(r, "value_pence")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        created_by_name: get(r, "created_by_name")?,
    })
}

/// What [`load`] finds linked to one crime.
pub(crate) type Links = (Vec<CrimeOrganisation>, Vec<CrimeObject>, Vec<CrimeLocation>, Option<Cancellation>);

/// The organisations, objects and locations linked to a crime, and its cancellation.
pub(crate) async fn load<'e, E: Executor<'e, Database = Sqlite> + Copy>(conn: E, crime_id: Uuid) -> Result<Links> {
    let organisations = sqlx::query(
        "SELECT o.*, l.role, l.linked_at, l.linked_by_name FROM crime_organisation l \
         JOIN organisation o ON o.id = l.organisation_id WHERE l.crime_id = ? ORDER BY l.role, l.linked_at",
    )
    .bind(crime_id)
    .fetch_all(conn)
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(CrimeOrganisation {
            organisation: organisation_from_row(r)?,
            role: parse_enum(&get::<String>(r, "role")?)?,
            linked_at: parse_ts(&get::<String>(r, "linked_at")?)?,
            linked_by_name: get(r, "linked_by_name")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let objects = sqlx::query(
        "SELECT o.*, l.role, l.linked_at, l.linked_by_name FROM crime_object l \
         JOIN pole_object o ON o.id = l.object_id WHERE l.crime_id = ? ORDER BY l.linked_at, l.role",
    )
    .bind(crime_id)
    .fetch_all(conn)
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(CrimeObject {
            object: object_from_row(r)?,
            role: parse_enum(&get::<String>(r, "role")?)?,
            linked_at: parse_ts(&get::<String>(r, "linked_at")?)?,
            linked_by_name: get(r, "linked_by_name")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let locations = sqlx::query(
        "SELECT o.*, l.role, l.linked_at, l.linked_by_name FROM crime_location l \
         JOIN location o ON o.id = l.location_id WHERE l.crime_id = ? ORDER BY l.linked_at, l.role",
    )
    .bind(crime_id)
    .fetch_all(conn)
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(CrimeLocation {
            location: Location {
                id: get(r, "id")?,
                text: get(r, "text")?,
                latitude: get(r, "latitude")?,
                longitude: get(r, "longitude")?,
                created_at: parse_ts(&get::<String>(r, "created_at")?)?,
            },
            role: parse_enum(&get::<String>(r, "role")?)?,
            linked_at: parse_ts(&get::<String>(r, "linked_at")?)?,
            linked_by_name: get(r, "linked_by_name")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let cancellation = sqlx::query("SELECT * FROM crime_cancellation WHERE crime_id = ?")
        .bind(crime_id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .map(|r| {
            Ok::<_, Error>(Cancellation {
                crime_id: get(&r, "crime_id")?,
                criterion: get(&r, "criterion")?,
                criterion_title: get(&r, "criterion_title")?,
                criteria_version: get(&r, "criteria_version")?,
                verifiable_info: get(&r, "verifiable_info")?,
                related_crime_number: get(&r, "related_crime_number")?,
                transferred_to: get(&r, "transferred_to")?,
                authority: parse_enum(&get::<String>(&r, "authority")?)?,
                decided_by: get(&r, "decided_by")?,
                decided_by_name: get(&r, "decided_by_name")?,
                decided_at: parse_ts(&get::<String>(&r, "decided_at")?)?,
            })
        })
        .transpose()?;
    Ok((organisations, objects, locations, cancellation))
}

pub(crate) async fn find_crime_by_number(store: &SqliteStore, number: &str) -> Result<Option<Crime>> {
    let number = number.trim();
    sqlx::query("SELECT * FROM crime WHERE number IN (?, ?)")
        .bind(number)
        .bind(number.to_uppercase())
        .fetch_optional(store.pool())
        .await
        .map_err(map_err)?
        .as_ref()
        .map(crate::crime::crime_from_row)
        .transpose()
}

pub(crate) async fn find_object_crimes(
    store: &SqliteStore,
    keys: &[String],
) -> Result<Vec<(PoleObject, Vec<(ObjectRole, Crime)>)>> {
    let mut found = Vec::new();
    for key in keys {
        let Some(row) = sqlx::query("SELECT * FROM pole_object WHERE identifier_key = ?")
            .bind(key)
            .fetch_optional(store.pool())
            .await
            .map_err(map_err)?
        else {
            continue;
        };
        let object = object_from_row(&row)?;
        let crimes = sqlx::query(
            "SELECT c.*, l.role AS object_role FROM crime_object l JOIN crime c ON c.id = l.crime_id \
             WHERE l.object_id = ? ORDER BY c.recorded_at DESC, c.id DESC",
        )
        .bind(object.id)
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| Ok((parse_enum(&get::<String>(r, "object_role")?)?, crate::crime::crime_from_row(r)?)))
        .collect::<Result<Vec<_>>>()?;
        found.push((object, crimes));
    }
    Ok(found)
}

pub(crate) async fn list_delegations(store: &SqliteStore, user_id: Option<Uuid>) -> Result<Vec<Delegation>> {
    sqlx::query(
        "SELECT d.*, u.username FROM cancel_delegation d JOIN app_user u ON u.id = d.user_id \
         WHERE (? IS NULL OR d.user_id = ?) ORDER BY d.granted_at DESC, d.id DESC",
    )
    .bind(user_id)
    .bind(user_id)
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(Delegation {
            id: get(r, "id")?,
            user_id: get(r, "user_id")?,
            username: get(r, "username")?,
            granted_by_name: get(r, "granted_by_name")?,
            granted_at: parse_ts(&get::<String>(r, "granted_at")?)?,
            reason: get(r, "reason")?,
            ends_at: opt_ts(get(r, "ends_at")?)?,
            revoked_at: opt_ts(get(r, "revoked_at")?)?,
            revoked_by_name: get(r, "revoked_by_name")?,
        })
    })
    .collect()
}

pub(crate) async fn insert_delegation(store: &SqliteStore, d: &Delegation, audit: &NewAuditEvent) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO cancel_delegation (id, user_id, granted_by_name, granted_at, reason, ends_at, revoked_at, \
         revoked_by_name) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
    )
    .bind(d.id)
    .bind(d.user_id)
    .bind(&d.granted_by_name)
    .bind(ts(d.granted_at))
    .bind(&d.reason)
    .bind(d.ends_at.map(ts))
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn revoke_delegation(
    store: &SqliteStore,
    id: Uuid,
    at: DateTime<Utc>,
    by_name: &str,
    audit: &NewAuditEvent,
) -> Result<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE cancel_delegation SET revoked_at = ?, revoked_by_name = ? WHERE id = ? AND revoked_at IS NULL",
    )
    .bind(ts(at))
    .bind(by_name)
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict("this delegation has already been revoked".into()));
    }
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}
