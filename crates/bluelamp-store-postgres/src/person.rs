//! POLE people on PostgreSQL. A person is one `person` row and its names, addresses, phones and
//! markers; an update replaces the child rows in the same transaction as the version check and the
//! audit event. Many people load in five queries (`= ANY($1)`), whatever their number.

use std::collections::HashMap;

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::incident::{Incident, LogEntry, address_key, phone_key};
use bluelamp_core::person::{
    IncidentPerson, IncidentRole, Marker, Person, PersonAddress, PersonName, PersonPhone, SearchKeys, forename_key,
    name_key, soundex,
};
use bluelamp_core::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{PostgresStore, append, get, map_err, parse_enum};

/// The part of a prefix search above every key that starts with `prefix` (keys use the C collation).
fn upper(prefix: &str) -> String {
    format!("{prefix}\u{FFFF}")
}

async fn write_children(conn: &mut PgConnection, p: &Person) -> Result<()> {
    for table in ["person_name", "person_address", "person_phone", "person_marker"] {
        // The table name is one of the constants above.
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE person_id = $1")))
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    for (position, n) in p.names.iter().enumerate() {
        sqlx::query(
            "INSERT INTO person_name (person_id, position, kind, forenames, surname, surname_key, soundex, forename_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(p.id)
        .bind(i32::try_from(position).unwrap_or(i32::MAX))
        .bind(n.kind.as_str())
        .bind(&n.forenames)
        .bind(&n.surname)
        .bind(name_key(&n.surname))
        .bind(soundex(&n.surname))
        .bind(forename_key(&n.forenames))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for a in &p.addresses {
        sqlx::query(
            "INSERT INTO person_address (id, person_id, text, address_key, valid_from, valid_to, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(a.id)
        .bind(p.id)
        .bind(&a.text)
        .bind(address_key(&a.text))
        .bind(a.from)
        .bind(a.to)
        .bind(a.recorded_at)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for ph in &p.phones {
        sqlx::query(
            "INSERT INTO person_phone (id, person_id, number, phone_key, recorded_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(ph.id)
        .bind(p.id)
        .bind(&ph.number)
        .bind(phone_key(&ph.number))
        .bind(ph.recorded_at)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for m in &p.markers {
        sqlx::query(
            "INSERT INTO person_marker (id, person_id, category, detail, set_by_name, set_at, ended_at, ended_by_name, \
             end_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(m.id)
        .bind(p.id)
        .bind(m.category.as_str())
        .bind(&m.detail)
        .bind(&m.set_by_name)
        .bind(m.set_at)
        .bind(m.ended_at)
        .bind(&m.ended_by_name)
        .bind(&m.end_reason)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn insert_person(store: &PostgresStore, p: &Person, audit: &NewAuditEvent) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO person (id, version, date_of_birth, sex, created_at, created_by_name) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(p.id)
    .bind(p.version)
    .bind(p.date_of_birth)
    .bind(p.sex.as_str())
    .bind(p.created_at)
    .bind(&p.created_by_name)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    write_children(&mut tx, p).await?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn update_person(
    store: &PostgresStore,
    p: &Person,
    expected_version: i64,
    audit: &NewAuditEvent,
) -> Result<()> {
    let mut tx = store.write().await?;
    let done =
        sqlx::query("UPDATE person SET version = $1, date_of_birth = $2, sex = $3 WHERE id = $4 AND version = $5")
            .bind(p.version)
            .bind(p.date_of_birth)
            .bind(p.sex.as_str())
            .bind(p.id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!("{} was changed by someone else; reload", p.display_name())));
    }
    write_children(&mut tx, p).await?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

/// Loads people by id (unknown ids are skipped), in the order of `ids`.
pub(crate) async fn load_people(store: &PostgresStore, ids: &[Uuid]) -> Result<Vec<Person>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let pool = store.pool();
    let ids_vec = ids.to_vec();
    let mut people: HashMap<Uuid, Person> = HashMap::new();
    for r in
        sqlx::query("SELECT * FROM person WHERE id = ANY($1)").bind(&ids_vec).fetch_all(pool).await.map_err(map_err)?
    {
        let id: Uuid = get(&r, "id")?;
        people.insert(
            id,
            Person {
                id,
                version: get(&r, "version")?,
                names: Vec::new(),
                date_of_birth: get(&r, "date_of_birth")?,
                sex: parse_enum(&get::<String>(&r, "sex")?)?,
                addresses: Vec::new(),
                phones: Vec::new(),
                markers: Vec::new(),
                created_at: get(&r, "created_at")?,
                created_by_name: get(&r, "created_by_name")?,
                merged_into: get(&r, "merged_into")?,
            },
        );
    }
    for r in sqlx::query("SELECT * FROM person_name WHERE person_id = ANY($1) ORDER BY person_id, position")
        .bind(&ids_vec)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
    {
        if let Some(p) = people.get_mut(&get::<Uuid>(&r, "person_id")?) {
            p.names.push(PersonName {
                kind: parse_enum(&get::<String>(&r, "kind")?)?,
                forenames: get(&r, "forenames")?,
                surname: get(&r, "surname")?,
            });
        }
    }
    for r in sqlx::query("SELECT * FROM person_address WHERE person_id = ANY($1) ORDER BY recorded_at, id")
        .bind(&ids_vec)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
    {
        if let Some(p) = people.get_mut(&get::<Uuid>(&r, "person_id")?) {
            p.addresses.push(PersonAddress {
                id: get(&r, "id")?,
                text: get(&r, "text")?,
                from: get::<Option<NaiveDate>>(&r, "valid_from")?,
                to: get::<Option<NaiveDate>>(&r, "valid_to")?,
                recorded_at: get(&r, "recorded_at")?,
            });
        }
    }
    for r in sqlx::query("SELECT * FROM person_phone WHERE person_id = ANY($1) ORDER BY recorded_at, id")
        .bind(&ids_vec)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
    {
        if let Some(p) = people.get_mut(&get::<Uuid>(&r, "person_id")?) {
            p.phones.push(PersonPhone {
                id: get(&r, "id")?,
                number: get(&r, "number")?,
                recorded_at: get(&r, "recorded_at")?,
            });
        }
    }
    for r in sqlx::query("SELECT * FROM person_marker WHERE person_id = ANY($1) ORDER BY set_at, id")
        .bind(&ids_vec)
        .fetch_all(pool)
        .await
        .map_err(map_err)?
    {
        if let Some(p) = people.get_mut(&get::<Uuid>(&r, "person_id")?) {
            p.markers.push(Marker {
                id: get(&r, "id")?,
                category: parse_enum(&get::<String>(&r, "category")?)?,
                detail: get(&r, "detail")?,
                set_by_name: get(&r, "set_by_name")?,
                set_at: get(&r, "set_at")?,
                ended_at: get(&r, "ended_at")?,
                ended_by_name: get(&r, "ended_by_name")?,
                end_reason: get(&r, "end_reason")?,
            });
        }
    }
    Ok(ids.iter().filter_map(|id| people.remove(id)).collect())
}

pub(crate) async fn find_person(store: &PostgresStore, id: Uuid) -> Result<Option<Person>> {
    Ok(load_people(store, &[id]).await?.pop())
}

/// Candidates for a person search, ranked in the database so only the best few are loaded. Each
/// source is an index range with its own limit, so a common surname (26,000 Smiths in two million
/// people) cannot crowd out the date of birth, phone or address typed with it; each candidate is
/// then scored with the main weights of `bluelamp_core::person::score` (surname 30, prefix 22,
/// sound-alike 12, first name +20, date of birth 35, address 20 or 12, phone 25). Absent keys are
/// bound as NULL, which matches nothing, so the statement is one constant (prepared once).
const CANDIDATES: &str = "\
WITH c(id) AS ( \
  SELECT person_id FROM (SELECT person_id FROM person_name WHERE forename_key = $4 AND surname_key >= $1 AND surname_key < $2 LIMIT 400) AS k1 \
  UNION SELECT person_id FROM (SELECT person_id FROM person_name WHERE forename_key = $4 AND soundex = $3 LIMIT 400) AS k2 \
  UNION SELECT person_id FROM (SELECT person_id FROM person_name WHERE surname_key = $1 LIMIT 200) AS k3 \
  UNION SELECT person_id FROM (SELECT person_id FROM person_name WHERE surname_key > $1 AND surname_key < $2 LIMIT 200) AS k4 \
  UNION SELECT person_id FROM (SELECT person_id FROM person_name WHERE soundex = $3 LIMIT 200) AS k5 \
  UNION SELECT id FROM (SELECT id FROM person WHERE date_of_birth = $5 LIMIT 400) AS k6 \
  UNION SELECT person_id FROM (SELECT person_id FROM person_address WHERE address_key >= $6 AND address_key < $7 LIMIT 400) AS k7 \
  UNION SELECT person_id FROM (SELECT person_id FROM person_phone WHERE phone_key = $8 LIMIT 100) AS k8) \
SELECT c.id FROM c JOIN person p ON p.id = c.id WHERE p.merged_into IS NULL ORDER BY \
  COALESCE((SELECT MAX(CASE WHEN n.surname_key = $1 THEN 30 WHEN n.surname_key >= $1 AND n.surname_key < $2 THEN 22 \
    WHEN n.soundex = $3 THEN 12 ELSE 0 END \
    + CASE WHEN n.forename_key = $4 AND ((n.surname_key >= $1 AND n.surname_key < $2) OR n.soundex = $3) THEN 20 ELSE 0 END) \
    FROM person_name n WHERE n.person_id = c.id), 0) \
  + CASE WHEN p.date_of_birth = $5 THEN 35 ELSE 0 END \
  + COALESCE((SELECT MAX(CASE WHEN a.address_key = $6 THEN 20 WHEN a.address_key >= $6 AND a.address_key < $7 THEN 12 ELSE 0 END) \
    FROM person_address a WHERE a.person_id = c.id), 0) \
  + CASE WHEN EXISTS (SELECT 1 FROM person_phone f WHERE f.person_id = c.id AND f.phone_key = $8) THEN 25 ELSE 0 END \
  DESC, c.id LIMIT $9";

pub(crate) async fn find_person_candidates(
    store: &PostgresStore,
    keys: &SearchKeys,
    limit: u32,
) -> Result<Vec<Person>> {
    let key = |k: &String| (!k.is_empty()).then(|| k.clone());
    let above = |k: &String| (!k.is_empty()).then(|| upper(k));
    let ids = sqlx::query_scalar::<_, Uuid>(CANDIDATES)
        .bind(key(&keys.surname_prefix))
        .bind(above(&keys.surname_prefix))
        .bind(key(&keys.soundex))
        .bind(key(&keys.forename_key))
        .bind(keys.date_of_birth)
        .bind(key(&keys.address_prefix))
        .bind(above(&keys.address_prefix))
        .bind(key(&keys.phone_key))
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?;
    load_people(store, &ids).await
}

pub(crate) async fn find_people_incidents(
    store: &PostgresStore,
    person_ids: &[Uuid],
    since: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<(Uuid, IncidentRole, Incident)>> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query(
        "SELECT ip.person_id AS link_person_id, ip.role AS link_role, i.* FROM incident_person ip \
         JOIN incident i ON i.id = ip.incident_id WHERE ip.person_id = ANY($1) AND i.received_at >= $2 \
         ORDER BY i.received_at DESC LIMIT $3",
    )
    .bind(person_ids.to_vec())
    .bind(since)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok((
            get(r, "link_person_id")?,
            parse_enum(&get::<String>(r, "link_role")?)?,
            crate::incident::incident_from_row(r)?,
        ))
    })
    .collect()
}

pub(crate) async fn insert_link(conn: &mut PgConnection, link: &IncidentPerson) -> Result<()> {
    sqlx::query(
        "INSERT INTO incident_person (incident_id, person_id, role, linked_at, linked_by_name) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(link.incident_id)
    .bind(link.person_id)
    .bind(link.role.as_str())
    .bind(link.linked_at)
    .bind(&link.linked_by_name)
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

/// People linked to a new incident and the log line naming them, in one statement.
pub(crate) async fn insert_links(conn: &mut PgConnection, links: &[IncidentPerson], log: &LogEntry) -> Result<()> {
    let people: Vec<Uuid> = links.iter().map(|l| l.person_id).collect();
    let roles: Vec<&str> = links.iter().map(|l| l.role.as_str()).collect();
    sqlx::query(
        "WITH l AS (INSERT INTO incident_log (id, incident_id, at, author_id, author_name, kind, text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)) \
         INSERT INTO incident_person (incident_id, person_id, role, linked_at, linked_by_name) \
         SELECT $2, p, r, $3, $5 FROM UNNEST($8::uuid[], $9::text[]) AS t (p, r)",
    )
    .bind(log.id)
    .bind(log.incident_id)
    .bind(log.at)
    .bind(log.author_id)
    .bind(&log.author_name)
    .bind(log.kind.as_str())
    .bind(&log.text)
    .bind(people)
    .bind(roles)
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

/// (id, name used) of those of `ids` that are people.
pub(crate) async fn person_names(store: &PostgresStore, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
    sqlx::query("SELECT person_id, forenames, surname FROM person_name WHERE position = 0 AND person_id = ANY($1)")
        .bind(ids.to_vec())
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| {
            let name = PersonName {
                kind: bluelamp_core::person::NameKind::Primary,
                forenames: get(r, "forenames")?,
                surname: get(r, "surname")?,
            };
            Ok((get(r, "person_id")?, name.full()))
        })
        .collect()
}

/// The people linked to an incident, with their names, in the order they were linked.
pub(crate) async fn incident_people(store: &PostgresStore, incident_id: Uuid) -> Result<Vec<IncidentPerson>> {
    sqlx::query(
        "SELECT ip.*, n.forenames, n.surname FROM incident_person ip \
         JOIN person_name n ON n.person_id = ip.person_id AND n.position = 0 \
         WHERE ip.incident_id = $1 ORDER BY ip.linked_at, ip.role",
    )
    .bind(incident_id)
    .fetch_all(store.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        let name = PersonName {
            kind: bluelamp_core::person::NameKind::Primary,
            forenames: get(r, "forenames")?,
            surname: get(r, "surname")?,
        };
        Ok(IncidentPerson {
            incident_id: get(r, "incident_id")?,
            person_id: get(r, "person_id")?,
            role: parse_enum(&get::<String>(r, "role")?)?,
            linked_at: get(r, "linked_at")?,
            linked_by_name: get(r, "linked_by_name")?,
            name: name.full(),
        })
    })
    .collect()
}
