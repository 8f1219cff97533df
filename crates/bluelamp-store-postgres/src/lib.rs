//! The PostgreSQL implementation of [`Store`]: a force's production database.
//!
//! Native types (uuid, timestamptz, boolean). The audit trail is striped over several chains, each
//! with a head row; an append locks a free head with `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent
//! transactions extend different chains at once and each chain one transaction at a time.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use bluelamp_core::audit::{self, AuditEvent, AuditQuery, ChainHead, NewAuditEvent};
use bluelamp_core::incident::{Incident, IncidentRecord};
use bluelamp_core::policeuk::{PoliceUkCounts, PoliceUkImported, PoliceUkRecord};
use bluelamp_core::resource::{Resource, ResourceStatus};
use bluelamp_core::restriction::{RecordRef, Restriction};
use bluelamp_core::session::Session;
use bluelamp_core::store::{
    ApiToken, IncidentChange, IncidentCounts, IncidentQuery, NewIncidentWrite, PoliceUkWrite, SchemaStatus, Store,
};
use bluelamp_core::user::User;
use bluelamp_core::{Error, Result};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

mod bulk;
mod crime;
mod crime_search;
mod incident;
mod investigation;
mod merge;
mod person;
mod pole;
mod policeuk;
mod resource;
mod triage;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to an existing database. Never creates one: a mistyped name fails loudly.
    pub async fn open(url: &str, max_connections: u32) -> Result<PostgresStore> {
        let options =
            PgConnectOptions::from_str(url).map_err(|e| Error::Storage(format!("bad PostgreSQL URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(map_err)?;
        Ok(PostgresStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Server settings that would make an acknowledged write losable (QUALITY.md S11).
    pub async fn unsafe_durability_settings(&self) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for (name, bad) in [("fsync", "off"), ("synchronous_commit", "off"), ("full_page_writes", "off")] {
            let value: String = sqlx::query_scalar("SELECT current_setting($1)")
                .bind(name)
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
            if value == bad {
                found.push(format!("{name}={value}"));
            }
        }
        Ok(found)
    }

    pub(crate) async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool.begin().await.map_err(map_err)
    }
}

/// Maps driver errors onto the core's: unique violations are conflicts, lost connections are
/// "unavailable", everything else is a storage error whose detail is logged, not shown.
pub fn map_err(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => Error::Conflict(db.message().to_string()),
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => {
            Error::Unavailable(e.to_string())
        }
        _ => Error::Storage(e.to_string()),
    }
}

pub(crate) fn parse_enum<T: FromStr<Err = String>>(text: &str) -> Result<T> {
    text.parse().map_err(Error::Storage)
}

pub(crate) fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    row: &'r PgRow,
    col: &str,
) -> Result<T> {
    row.try_get(col).map_err(map_err)
}

async fn user_from_row(conn: &mut PgConnection, row: &PgRow) -> Result<User> {
    let id: Uuid = get(row, "id")?;
    let roles = sqlx::query("SELECT user_id, role FROM user_role WHERE user_id = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
    let specialisms = sqlx::query("SELECT user_id, specialism FROM user_specialism WHERE user_id = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
    let mut sets = user_sets(&roles, &specialisms)?;
    user_from_parts(row, &mut sets)
}

/// Roles and specialisms by user, from `(user_id, role)` and `(user_id, specialism)` rows.
type UserSets =
    std::collections::HashMap<Uuid, (Vec<bluelamp_core::access::Role>, Vec<bluelamp_core::user::Specialism>)>;

fn user_sets(roles: &[PgRow], specialisms: &[PgRow]) -> Result<UserSets> {
    let mut sets = UserSets::new();
    for r in roles {
        sets.entry(get(r, "user_id")?).or_default().0.push(parse_enum(&get::<String>(r, "role")?)?);
    }
    for r in specialisms {
        sets.entry(get(r, "user_id")?).or_default().1.push(parse_enum(&get::<String>(r, "specialism")?)?);
    }
    for (roles, specialisms) in sets.values_mut() {
        roles.sort();
        specialisms.sort();
    }
    Ok(sets)
}

fn user_from_parts(row: &PgRow, sets: &mut UserSets) -> Result<User> {
    let id: Uuid = get(row, "id")?;
    let (roles, specialisms) = sets.remove(&id).unwrap_or_default();
    user_with(row, roles, specialisms)
}

/// A user from an `app_user` row and the user's roles and specialisms.
fn user_with(
    row: &PgRow,
    roles: Vec<bluelamp_core::access::Role>,
    specialisms: Vec<bluelamp_core::user::Specialism>,
) -> Result<User> {
    Ok(User {
        id: get(row, "id")?,
        username: get(row, "username")?,
        display_name: get(row, "display_name")?,
        collar_number: get(row, "collar_number")?,
        rank: parse_enum(&get::<String>(row, "rank")?)?,
        team: get(row, "team")?,
        station: get(row, "station")?,
        division: get(row, "division")?,
        pip_level: parse_enum(&get::<String>(row, "pip_level")?)?,
        specialisms,
        roles,
        password_hash: get(row, "password_hash")?,
        is_disabled: get(row, "is_disabled")?,
        failed_sign_ins: get(row, "failed_sign_ins")?,
        locked_until: get(row, "locked_until")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

/// A user from a row of `app_user` columns with `user_roles` and `user_specialisms` arrays.
fn user_with_sets(row: &PgRow) -> Result<User> {
    let mut roles = get::<Vec<String>>(row, "user_roles")?.iter().map(|r| parse_enum(r)).collect::<Result<Vec<_>>>()?;
    let mut specialisms =
        get::<Vec<String>>(row, "user_specialisms")?.iter().map(|r| parse_enum(r)).collect::<Result<Vec<_>>>()?;
    roles.sort();
    specialisms.sort();
    user_with(row, roles, specialisms)
}

async fn write_user_sets(conn: &mut PgConnection, user: &User) -> Result<()> {
    sqlx::query("DELETE FROM user_role WHERE user_id = $1").bind(user.id).execute(&mut *conn).await.map_err(map_err)?;
    sqlx::query("DELETE FROM user_specialism WHERE user_id = $1")
        .bind(user.id)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    for role in &user.roles {
        sqlx::query("INSERT INTO user_role (user_id, role) VALUES ($1, $2)")
            .bind(user.id)
            .bind(role.as_str())
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    for specialism in &user.specialisms {
        sqlx::query("INSERT INTO user_specialism (user_id, specialism) VALUES ($1, $2)")
            .bind(user.id)
            .bind(specialism.as_str())
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

/// A free head (the least recently extended that no other transaction holds) and the next global
/// sequence number, taken after the head row is locked so `seq` rises within each chain.
const TAKE_FREE_HEAD: &str = "WITH h AS MATERIALIZED (SELECT id, seq, chain_seq, hash FROM audit_head \
     ORDER BY seq, id LIMIT 1 FOR UPDATE SKIP LOCKED) SELECT id, seq, chain_seq, hash, nextval('audit_event_seq') AS next_seq FROM h";
/// Any head, waiting for it: when every head is held.
const WAIT_FOR_HEAD: &str = "WITH h AS MATERIALIZED (SELECT id, seq, chain_seq, hash FROM audit_head \
     ORDER BY random() LIMIT 1 FOR UPDATE) SELECT id, seq, chain_seq, hash, nextval('audit_event_seq') AS next_seq FROM h";

/// Appends an event inside the caller's transaction, to the least recently extended chain head that
/// no other transaction holds (`FOR UPDATE SKIP LOCKED`); only when every head is taken does it wait,
/// on a random one. The head stays locked until the caller commits, so each chain is extended one
/// transaction at a time while different chains are extended at once. One append per transaction:
/// a second would lock a second head, and two such transactions waiting on each other's could
/// deadlock.
pub(crate) async fn append(conn: &mut PgConnection, event: &NewAuditEvent) -> Result<AuditEvent> {
    append_all(conn, std::slice::from_ref(event))
        .await?
        .pop()
        .ok_or_else(|| Error::Storage("no audit event was appended".into()))
}

/// Appends several events in the caller's transaction, in order, onto the one chain head it locks
/// (as [`append`] does for one): a command that changes several records (a bulk allocation) writes
/// one event per record and still holds a single head.
pub(crate) async fn append_all(conn: &mut PgConnection, events: &[NewAuditEvent]) -> Result<Vec<AuditEvent>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let head = match sqlx::query(TAKE_FREE_HEAD).fetch_optional(&mut *conn).await.map_err(map_err)? {
        Some(head) => head,
        None => sqlx::query(WAIT_FOR_HEAD).fetch_one(&mut *conn).await.map_err(map_err)?,
    };
    let mut chain_head = ChainHead {
        chain: get(&head, "id")?,
        seq: get(&head, "seq")?,
        chain_seq: get(&head, "chain_seq")?,
        hash: get(&head, "hash")?,
    };
    let mut next_seq: i64 = get(&head, "next_seq")?;
    let mut out = Vec::with_capacity(events.len());
    for (k, event) in events.iter().enumerate() {
        if k > 0 {
            next_seq =
                sqlx::query_scalar("SELECT nextval('audit_event_seq')").fetch_one(&mut *conn).await.map_err(map_err)?;
        }
        let linked = append_linked(conn, &chain_head, next_seq, event).await?;
        chain_head =
            ChainHead { chain: linked.chain, seq: linked.seq, chain_seq: linked.chain_seq, hash: linked.hash.clone() };
        out.push(linked);
    }
    Ok(out)
}

/// Links one event onto `chain_head` at `seq` and writes it with the chain's new head.
async fn append_linked(
    conn: &mut PgConnection,
    chain_head: &ChainHead,
    seq: i64,
    event: &NewAuditEvent,
) -> Result<AuditEvent> {
    let linked = audit::link(chain_head, seq, event.clone());
    let e = &linked.event;
    // The event and the new head in one statement.
    sqlx::query(
        "WITH e AS (INSERT INTO audit_event (seq, chain, chain_seq, id, at, actor_id, actor_name, action, category, outcome, \
         record_type, record_id, justification, before_json, after_json, request_id, ip, is_generated, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)) \
         UPDATE audit_head SET seq = $1, chain_seq = $3, hash = $20 WHERE id = $2",
    )
    .bind(linked.seq)
    .bind(linked.chain)
    .bind(linked.chain_seq)
    .bind(e.id)
    .bind(e.at)
    .bind(e.actor_id)
    .bind(&e.actor_name)
    .bind(&e.action)
    .bind(e.category.as_str())
    .bind(e.outcome.as_str())
    .bind(&e.record_type)
    .bind(&e.record_id)
    .bind(&e.justification)
    .bind(&e.before)
    .bind(&e.after)
    .bind(&e.request_id)
    .bind(&e.ip)
    .bind(e.is_generated)
    .bind(&linked.prev_hash)
    .bind(&linked.hash)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(linked)
}

fn audit_from_row(row: &PgRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        seq: get(row, "seq")?,
        chain: get(row, "chain")?,
        chain_seq: get(row, "chain_seq")?,
        event: NewAuditEvent {
            id: get(row, "id")?,
            at: get(row, "at")?,
            actor_id: get(row, "actor_id")?,
            actor_name: get(row, "actor_name")?,
            action: get(row, "action")?,
            category: parse_enum(&get::<String>(row, "category")?)?,
            outcome: parse_enum(&get::<String>(row, "outcome")?)?,
            record_type: get(row, "record_type")?,
            record_id: get(row, "record_id")?,
            justification: get(row, "justification")?,
            before: get(row, "before_json")?,
            after: get(row, "after_json")?,
            request_id: get(row, "request_id")?,
            ip: get(row, "ip")?,
            is_generated: get(row, "is_generated")?,
        },
        prev_hash: get(row, "prev_hash")?,
        hash: get(row, "hash")?,
    })
}

/// A session from columns named with `prefix` (`s_id`, `s_token_hash`, …).
fn session_from_row(row: &PgRow, prefix: &str) -> Result<Session> {
    let col = |name: &str| format!("{prefix}{name}");
    Ok(Session {
        id: get(row, &col("id"))?,
        token_hash: get(row, &col("token_hash"))?,
        user_id: get(row, &col("user_id"))?,
        created_at: get(row, &col("created_at"))?,
        last_seen_at: get(row, &col("last_seen_at"))?,
        expires_at: get(row, &col("expires_at"))?,
        ip: get(row, &col("ip"))?,
        user_agent: get(row, &col("user_agent"))?,
    })
}

/// A token from columns named with `prefix` (`t_id`, `t_user_id`, …).
fn token_from_row(row: &PgRow, prefix: &str) -> Result<ApiToken> {
    let col = |name: &str| format!("{prefix}{name}");
    Ok(ApiToken {
        id: get(row, &col("id"))?,
        user_id: get(row, &col("user_id"))?,
        token_hash: get(row, &col("token_hash"))?,
        label: get(row, &col("label"))?,
        created_at: get(row, &col("created_at"))?,
        expires_at: get(row, &col("expires_at"))?,
        revoked_at: get(row, &col("revoked_at"))?,
    })
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| Error::Storage(format!("migration failed: {e}")))?;
        incident::backfill_incident_keys(self).await
    }

    async fn schema_status(&self) -> Result<SchemaStatus> {
        let known = MIGRATOR.iter().map(|m| m.version).collect();
        let exists: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE tablename = '_sqlx_migrations'")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        let applied = if exists == 0 {
            Vec::new()
        } else {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?
        };
        Ok(SchemaStatus { known, applied })
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(map_err).map(|_| ())
    }

    async fn insert_user(&self, user: &User, audit: &NewAuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO app_user (id, username, display_name, collar_number, rank, team, station, division, \
             pip_level, password_hash, is_disabled, failed_sign_ins, locked_until, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(user.id)
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.collar_number)
        .bind(user.rank.as_str())
        .bind(&user.team)
        .bind(&user.station)
        .bind(&user.division)
        .bind(user.pip_level.as_str())
        .bind(&user.password_hash)
        .bind(user.is_disabled)
        .bind(user.failed_sign_ins)
        .bind(user.locked_until)
        .bind(user.created_at)
        .bind(user.updated_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        write_user_sets(&mut tx, user).await?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn update_user(&self, user: &User, revoke_sessions: bool, audit: &NewAuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE app_user SET username = $1, display_name = $2, collar_number = $3, rank = $4, team = $5, station = $6, \
             division = $7, pip_level = $8, password_hash = $9, is_disabled = $10, failed_sign_ins = $11, locked_until = $12, \
             updated_at = $13 WHERE id = $14",
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.collar_number)
        .bind(user.rank.as_str())
        .bind(&user.team)
        .bind(&user.station)
        .bind(&user.division)
        .bind(user.pip_level.as_str())
        .bind(&user.password_hash)
        .bind(user.is_disabled)
        .bind(user.failed_sign_ins)
        .bind(user.locked_until)
        .bind(user.updated_at)
        .bind(user.id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        write_user_sets(&mut tx, user).await?;
        if revoke_sessions {
            sqlx::query("DELETE FROM session WHERE user_id = $1")
                .bind(user.id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn find_user(&self, id: Uuid) -> Result<Option<User>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let row = sqlx::query("SELECT * FROM app_user WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?;
        match row {
            Some(row) => Ok(Some(user_from_row(&mut conn, &row).await?)),
            None => Ok(None),
        }
    }

    async fn find_user_by_username(&self, username: &str) -> Result<Option<User>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let row = sqlx::query("SELECT * FROM app_user WHERE username = $1")
            .bind(username)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?;
        match row {
            Some(row) => Ok(Some(user_from_row(&mut conn, &row).await?)),
            None => Ok(None),
        }
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM app_user ORDER BY division, station, team, display_name")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let roles = sqlx::query("SELECT user_id, role FROM user_role").fetch_all(&self.pool).await.map_err(map_err)?;
        let specialisms = sqlx::query("SELECT user_id, specialism FROM user_specialism")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let mut sets = user_sets(&roles, &specialisms)?;
        rows.iter().map(|row| user_from_parts(row, &mut sets)).collect()
    }

    async fn list_divisions(&self) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT DISTINCT division FROM app_user WHERE division <> '' ORDER BY division")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn count_users(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT count(*) FROM app_user").fetch_one(&self.pool).await.map_err(map_err)
    }

    async fn start_session(&self, session: &Session, audit: &NewAuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO session (id, token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(session.id)
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.expires_at)
        .bind(&session.ip)
        .bind(&session.user_agent)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query("UPDATE app_user SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1")
            .bind(session.user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn find_session(&self, token_hash: &str) -> Result<Option<(Session, User)>> {
        // The session, its user and the user's roles and specialisms in one round trip.
        sqlx::query(
            "SELECT s.id AS s_id, s.token_hash AS s_token_hash, s.user_id AS s_user_id, s.created_at AS s_created_at, \
             s.last_seen_at AS s_last_seen_at, s.expires_at AS s_expires_at, s.ip AS s_ip, s.user_agent AS s_user_agent, u.*, \
             ARRAY(SELECT role FROM user_role WHERE user_id = u.id) AS user_roles, \
             ARRAY(SELECT specialism FROM user_specialism WHERE user_id = u.id) AS user_specialisms \
             FROM session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(|row| Ok((session_from_row(&row, "s_")?, user_with_sets(&row)?)))
        .transpose()
    }

    async fn touch_session(&self, id: Uuid, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE session SET last_seen_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(map_err)
            .map(|_| ())
    }

    async fn delete_session(&self, id: Uuid) -> Result<()> {
        sqlx::query("DELETE FROM session WHERE id = $1").bind(id).execute(&self.pool).await.map_err(map_err).map(|_| ())
    }

    async fn revoke_sessions(&self, user_id: Uuid, audit: &NewAuditEvent) -> Result<u64> {
        let mut tx = self.write().await?;
        let done = sqlx::query("DELETE FROM session WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn count_sessions(&self, user_id: Uuid) -> Result<i64> {
        sqlx::query_scalar("SELECT count(*) FROM session WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn insert_api_token(&self, token: &ApiToken, audit: &NewAuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO api_token (id, user_id, token_hash, label, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token.id)
        .bind(token.user_id)
        .bind(&token.token_hash)
        .bind(&token.label)
        .bind(token.created_at)
        .bind(token.expires_at)
        .bind(token.revoked_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn find_api_token(&self, token_hash: &str) -> Result<Option<(ApiToken, User)>> {
        // The token, its owner and the owner's roles and specialisms in one round trip.
        sqlx::query(
            "SELECT t.id AS t_id, t.user_id AS t_user_id, t.token_hash AS t_token_hash, t.label AS t_label, \
             t.created_at AS t_created_at, t.expires_at AS t_expires_at, t.revoked_at AS t_revoked_at, u.*, \
             ARRAY(SELECT role FROM user_role WHERE user_id = u.id) AS user_roles, \
             ARRAY(SELECT specialism FROM user_specialism WHERE user_id = u.id) AS user_specialisms \
             FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(|row| Ok((token_from_row(&row, "t_")?, user_with_sets(&row)?)))
        .transpose()
    }

    async fn list_api_tokens(&self, user_id: Uuid) -> Result<Vec<ApiToken>> {
        sqlx::query("SELECT * FROM api_token WHERE user_id = $1 ORDER BY created_at")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(|row| token_from_row(row, ""))
            .collect()
    }

    async fn revoke_api_token(&self, id: Uuid, at: DateTime<Utc>, audit: &NewAuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn set_restriction(
        &self,
        record: &RecordRef,
        restriction: Option<&Restriction>,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM restriction WHERE record_type = $1 AND record_id = $2")
            .bind(&record.kind)
            .bind(record.id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if let Some(r) = restriction {
            sqlx::query(
                "INSERT INTO restriction (record_type, record_id, reason, restricted_by, restricted_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&record.kind)
            .bind(record.id)
            .bind(&r.reason)
            .bind(r.restricted_by)
            .bind(r.restricted_at)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            for user_id in &r.access_list {
                sqlx::query("INSERT INTO restriction_access (record_type, record_id, user_id) VALUES ($1, $2, $3)")
                    .bind(&record.kind)
                    .bind(record.id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
            }
        }
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn find_restriction(&self, record: &RecordRef) -> Result<Option<Restriction>> {
        let Some(row) = sqlx::query("SELECT * FROM restriction WHERE record_type = $1 AND record_id = $2")
            .bind(&record.kind)
            .bind(record.id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
        else {
            return Ok(None);
        };
        let access_list: Vec<Uuid> =
            sqlx::query_scalar("SELECT user_id FROM restriction_access WHERE record_type = $1 AND record_id = $2")
                .bind(&record.kind)
                .bind(record.id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(Some(Restriction {
            record: record.clone(),
            reason: get(&row, "reason")?,
            access_list,
            restricted_by: get(&row, "restricted_by")?,
            restricted_at: get(&row, "restricted_at")?,
        }))
    }

    async fn insert_incident(&self, write: &NewIncidentWrite<'_>) -> Result<Incident> {
        incident::insert_incident(self, write).await
    }

    async fn update_incident(
        &self,
        incident: &Incident,
        expected_version: i64,
        change: &IncidentChange,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        incident::update_incident(self, incident, expected_version, change, audit).await
    }

    async fn find_incident(&self, id: Uuid) -> Result<Option<IncidentRecord>> {
        incident::find_incident(self, id).await
    }

    async fn list_incidents(&self, query: &IncidentQuery) -> Result<Vec<Incident>> {
        incident::list_incidents(self, query).await
    }

    async fn count_incidents(
        &self,
        query: &IncidentQuery,
        now: DateTime<Utc>,
        mine: Option<Uuid>,
    ) -> Result<IncidentCounts> {
        incident::count_incidents(self, query, now, mine).await
    }

    async fn find_related_incidents(
        &self,
        address_key: &str,
        phone_key: &str,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Incident>> {
        incident::find_related_incidents(self, address_key, phone_key, since, limit).await
    }

    async fn list_ncrs_due(&self, due_before: DateTime<Utc>, limit: u32) -> Result<Vec<Incident>> {
        incident::list_ncrs_due(self, due_before, limit).await
    }

    async fn insert_person(&self, person: &bluelamp_core::person::Person, audit: &NewAuditEvent) -> Result<()> {
        person::insert_person(self, person, audit).await
    }

    async fn update_person(
        &self,
        person: &bluelamp_core::person::Person,
        expected_version: i64,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        person::update_person(self, person, expected_version, audit).await
    }

    async fn find_person(&self, id: Uuid) -> Result<Option<bluelamp_core::person::Person>> {
        person::find_person(self, id).await
    }

    async fn person_names(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        person::person_names(self, ids).await
    }

    async fn find_person_candidates(
        &self,
        keys: &bluelamp_core::person::SearchKeys,
        limit: u32,
    ) -> Result<Vec<bluelamp_core::person::Person>> {
        person::find_person_candidates(self, keys, limit).await
    }

    async fn find_people_incidents(
        &self,
        person_ids: &[Uuid],
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(Uuid, bluelamp_core::person::IncidentRole, Incident)>> {
        person::find_people_incidents(self, person_ids, since, limit).await
    }

    async fn insert_person_merge(&self, m: &bluelamp_core::merge::PersonMerge, audit: &NewAuditEvent) -> Result<()> {
        merge::insert_person_merge(self, m, audit).await
    }

    async fn find_person_merge(&self, id: Uuid) -> Result<Option<bluelamp_core::merge::PersonMerge>> {
        merge::find_person_merge(self, id).await
    }

    async fn list_person_merges(
        &self,
        status: bluelamp_core::merge::MergeStatus,
        limit: u32,
    ) -> Result<Vec<bluelamp_core::merge::PersonMerge>> {
        merge::list_person_merges(self, status, limit).await
    }

    async fn person_merges_of(&self, person_id: Uuid) -> Result<Vec<bluelamp_core::merge::PersonMerge>> {
        merge::person_merges_of(self, person_id).await
    }

    async fn merge_moves(&self, merge_id: Uuid) -> Result<Vec<bluelamp_core::merge::MergeMove>> {
        merge::merge_moves(self, merge_id).await
    }

    async fn reject_person_merge(&self, m: &bluelamp_core::merge::PersonMerge, audit: &NewAuditEvent) -> Result<()> {
        merge::reject_person_merge(self, m, audit).await
    }

    async fn apply_person_merge(
        &self,
        write: &bluelamp_core::merge::MergeApplyWrite<'_>,
    ) -> Result<Vec<bluelamp_core::merge::MergeMove>> {
        merge::apply_person_merge(self, write).await
    }

    async fn unmerge_person(
        &self,
        write: &bluelamp_core::merge::UnmergeWrite<'_>,
    ) -> Result<Vec<bluelamp_core::merge::MergeMove>> {
        merge::unmerge_person(self, write).await
    }

    async fn insert_crime(
        &self,
        write: &bluelamp_core::crime::NewCrimeWrite<'_>,
    ) -> Result<bluelamp_core::crime::Crime> {
        crime::insert_crime(self, write).await
    }

    async fn update_crime(
        &self,
        c: &bluelamp_core::crime::Crime,
        expected_version: i64,
        change: &bluelamp_core::crime::CrimeChange,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        crime::update_crime(self, c, expected_version, change, audit).await
    }

    async fn find_crime(&self, id: Uuid) -> Result<Option<bluelamp_core::crime::CrimeRecord>> {
        crime::find_crime(self, id).await
    }

    async fn list_crimes_recorded(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<bluelamp_core::crime::Crime>> {
        crime::list_crimes_recorded(self, from, to).await
    }

    async fn list_recent_crimes(&self, limit: u32) -> Result<Vec<bluelamp_core::crime::Crime>> {
        crime::list_recent_crimes(self, limit).await
    }

    async fn find_crime_by_number(&self, number: &str) -> Result<Option<bluelamp_core::crime::Crime>> {
        pole::find_crime_by_number(self, number).await
    }

    async fn find_object_crimes(
        &self,
        keys: &[String],
    ) -> Result<
        Vec<(bluelamp_core::pole::PoleObject, Vec<(bluelamp_core::pole::ObjectRole, bluelamp_core::crime::Crime)>)>,
    > {
        pole::find_object_crimes(self, keys).await
    }

    async fn list_delegations(&self, user_id: Option<Uuid>) -> Result<Vec<bluelamp_core::cancel::Delegation>> {
        pole::list_delegations(self, user_id).await
    }

    async fn insert_delegation(
        &self,
        delegation: &bluelamp_core::cancel::Delegation,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        pole::insert_delegation(self, delegation, audit).await
    }

    async fn revoke_delegation(&self, id: Uuid, at: DateTime<Utc>, by_name: &str, audit: &NewAuditEvent) -> Result<()> {
        pole::revoke_delegation(self, id, at, by_name, audit).await
    }

    async fn list_unallocated_crimes(&self, limit: u32) -> Result<Vec<bluelamp_core::triage::QueueRow>> {
        triage::list_unallocated_crimes(self, limit).await
    }

    async fn crime_triage_history(
        &self,
        crime_id: Uuid,
    ) -> Result<(Vec<bluelamp_core::triage::Screening>, Vec<bluelamp_core::triage::Allocation>)> {
        triage::crime_triage_history(self, crime_id).await
    }

    async fn investigation(&self, crime_id: Uuid) -> Result<bluelamp_core::investigation_use::Investigation> {
        investigation::investigation(self, crime_id).await
    }

    async fn find_action(&self, id: Uuid) -> Result<Option<bluelamp_core::investigation::Action>> {
        investigation::find_action(self, id).await
    }

    async fn insert_action(&self, action: &bluelamp_core::investigation::Action, audit: &NewAuditEvent) -> Result<()> {
        investigation::insert_action(self, action, audit).await
    }

    async fn update_action(
        &self,
        action: &bluelamp_core::investigation::Action,
        expected: bluelamp_core::investigation::ActionStatus,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        investigation::update_action(self, action, expected, audit).await
    }

    async fn officer_crimes(&self, officer: Uuid) -> Result<Vec<bluelamp_core::crime::Crime>> {
        investigation::officer_crimes(self, officer).await
    }

    async fn officer_actions(&self, officer: Uuid) -> Result<Vec<bluelamp_core::investigation_use::OwnedAction>> {
        investigation::officer_actions(self, officer).await
    }

    async fn overdue_reviews(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<bluelamp_core::crime::Crime>> {
        investigation::overdue_reviews(self, now, limit).await
    }

    async fn pending_outcomes(
        &self,
    ) -> Result<Vec<(bluelamp_core::investigation_use::OutcomeDecision, bluelamp_core::crime::Crime)>> {
        investigation::pending_outcomes(self).await
    }

    async fn supervision_counts(
        &self,
        now: DateTime<Utc>,
        escalate_before: DateTime<Utc>,
    ) -> Result<bluelamp_core::investigation_use::SupervisionCounts> {
        investigation::supervision_counts(self, now, escalate_before).await
    }

    async fn outcome_mix(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        by: bluelamp_core::outcome_stats::Dimension,
    ) -> Result<Vec<bluelamp_core::outcome_stats::MixCount>> {
        investigation::outcome_mix(self, from, to, by).await
    }

    async fn count_crimes_recorded(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<u64> {
        investigation::count_crimes_recorded(self, from, to).await
    }

    async fn outcome_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        by: bluelamp_core::outcome_stats::Dimension,
        key: Option<&str>,
        outcome: Option<&str>,
        limit: u32,
    ) -> Result<Vec<bluelamp_core::crime::Crime>> {
        investigation::outcome_records(self, from, to, by, key, outcome, limit).await
    }

    async fn casefile_candidates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<bluelamp_core::casefile::Candidate>> {
        investigation::casefile_candidates(self, from, to).await
    }

    async fn insert_casefile_sample(
        &self,
        sample: &bluelamp_core::casefile_use::Sample,
        files: &[bluelamp_core::casefile::Candidate],
        audit: &NewAuditEvent,
    ) -> Result<()> {
        investigation::insert_casefile_sample(self, sample, files, audit).await
    }

    async fn list_casefile_samples(&self, limit: u32) -> Result<Vec<bluelamp_core::casefile_use::Sample>> {
        investigation::list_casefile_samples(self, limit).await
    }

    async fn find_casefile_sample(
        &self,
        id: Uuid,
    ) -> Result<Option<(bluelamp_core::casefile_use::Sample, Vec<bluelamp_core::casefile_use::SampleItem>)>> {
        investigation::find_casefile_sample(self, id).await
    }

    async fn insert_casefile_review(
        &self,
        review: &bluelamp_core::casefile_use::FileReview,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        investigation::insert_casefile_review(self, review, audit).await
    }

    async fn list_casefile_reviews(
        &self,
        sample: Option<Uuid>,
        reviewed: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<bluelamp_core::casefile_use::FileReview>> {
        investigation::list_casefile_reviews(self, sample, reviewed).await
    }

    async fn officer_caseloads(&self) -> Result<Vec<bluelamp_core::triage::Caseload>> {
        triage::officer_caseloads(self).await
    }

    async fn officers_knowing(&self, people: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>> {
        triage::officers_knowing(self, people).await
    }

    async fn allocate_crimes(
        &self,
        writes: &[bluelamp_core::triage::AllocationWrite],
        audits: &[NewAuditEvent],
    ) -> Result<()> {
        triage::allocate_crimes(self, writes, audits).await
    }

    async fn list_leave(&self, at: DateTime<Utc>) -> Result<Vec<bluelamp_core::triage::Leave>> {
        triage::list_leave(self, at).await
    }

    async fn insert_leave(&self, leave: &bluelamp_core::triage::Leave, audit: &NewAuditEvent) -> Result<()> {
        triage::insert_leave(self, leave, audit).await
    }

    async fn delete_leave(&self, id: Uuid, audit: &NewAuditEvent) -> Result<()> {
        triage::delete_leave(self, id, audit).await
    }

    async fn list_officer_caps(&self) -> Result<Vec<(Uuid, u32)>> {
        triage::list_officer_caps(self).await
    }

    async fn set_officer_cap(
        &self,
        user_id: Uuid,
        cap: u32,
        by_name: &str,
        at: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        triage::set_officer_cap(self, user_id, cap, by_name, at, audit).await
    }

    async fn triage_flow(&self, since: DateTime<Utc>) -> Result<bluelamp_core::triage::TriageFlow> {
        triage::triage_flow(self, since).await
    }

    async fn search_crimes(
        &self,
        search: &bluelamp_core::crime_search::CrimeSearch,
    ) -> Result<(Vec<bluelamp_core::crime::Crime>, u64)> {
        crime_search::search_crimes(self, search).await
    }

    async fn list_graded_incidents(&self, since: DateTime<Utc>, limit: u32) -> Result<Vec<Incident>> {
        incident::list_graded_incidents(self, since, limit).await
    }

    async fn list_graded_keys(&self, since: DateTime<Utc>, limit: u32) -> Result<Vec<bluelamp_core::store::GradedKey>> {
        incident::list_graded_keys(self, since, limit).await
    }

    async fn insert_thrive_review(
        &self,
        review: &bluelamp_core::quality::ThriveReview,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        incident::insert_thrive_review(self, review, audit).await
    }

    async fn list_thrive_reviews(&self, since: DateTime<Utc>) -> Result<Vec<bluelamp_core::quality::ThriveReview>> {
        incident::list_thrive_reviews(self, since).await
    }

    async fn insert_resource(&self, resource: &Resource, audit: &NewAuditEvent) -> Result<()> {
        resource::insert_resource(self, resource, audit).await
    }

    async fn find_resource(&self, id: Uuid) -> Result<Option<Resource>> {
        resource::find_resource(self, id).await
    }

    async fn list_resources(&self, division: Option<&str>) -> Result<Vec<Resource>> {
        resource::list_resources(self, division).await
    }

    async fn update_resource_status(
        &self,
        resource: &Resource,
        expected: ResourceStatus,
        audit: &NewAuditEvent,
    ) -> Result<()> {
        resource::update_resource_status(self, resource, expected, audit).await
    }

    async fn import_policeuk(&self, write: &PoliceUkWrite<'_>) -> Result<PoliceUkImported> {
        policeuk::import_policeuk(self, write).await
    }

    async fn bulk_load(&self, batch: &bluelamp_core::bulk::BulkBatch) -> Result<()> {
        bulk::bulk_load(self, batch).await
    }

    async fn generated_force(&self) -> Result<Option<bluelamp_core::bulk::GeneratedForce>> {
        bulk::generated_force(self).await
    }

    async fn holds_records(&self) -> Result<bool> {
        bulk::holds_records(self).await
    }

    async fn bulk_begin(&self, tables: &[&str]) -> Result<()> {
        bulk::bulk_begin(self, tables).await
    }

    async fn bulk_finish(&self) -> Result<()> {
        bulk::bulk_finish(self).await
    }

    async fn data_directory(&self) -> Result<Option<String>> {
        // Readable by superusers and pg_read_all_settings; anyone else gets no answer, not an error.
        Ok(sqlx::query_scalar::<_, String>("SHOW data_directory").fetch_one(&self.pool).await.ok())
    }

    async fn policeuk_counts(&self) -> Result<PoliceUkCounts> {
        policeuk::policeuk_counts(self).await
    }

    async fn list_policeuk_records(&self, month: &str, limit: u32) -> Result<Vec<PoliceUkRecord>> {
        policeuk::list_policeuk_records(self, month, limit).await
    }

    async fn append_audit(&self, event: &NewAuditEvent) -> Result<AuditEvent> {
        let mut tx = self.write().await?;
        let linked = append(&mut tx, event).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(linked)
    }

    async fn search_audit(&self, q: &AuditQuery) -> Result<Vec<AuditEvent>> {
        sqlx::query(
            "SELECT * FROM audit_event WHERE ($1::text IS NULL OR actor_name = $1) AND ($2::text IS NULL OR record_type = $2) \
             AND ($3::text IS NULL OR record_id = $3) AND ($4::text IS NULL OR action = $4) AND ($5::timestamptz IS NULL OR at >= $5) \
             AND ($6::timestamptz IS NULL OR at < $6) AND ($7::bigint IS NULL OR seq < $7) ORDER BY seq DESC LIMIT $8",
        )
        .bind(&q.actor_name)
        .bind(&q.record_type)
        .bind(&q.record_id)
        .bind(&q.action)
        .bind(q.from)
        .bind(q.to)
        .bind(q.before_seq)
        .bind(i64::from(q.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .iter()
        .map(audit_from_row)
        .collect()
    }

    async fn audit_range(&self, from_seq: i64, limit: u32) -> Result<Vec<AuditEvent>> {
        sqlx::query("SELECT * FROM audit_event WHERE seq >= $1 ORDER BY seq LIMIT $2")
            .bind(from_seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(audit_from_row)
            .collect()
    }

    async fn audit_heads(&self) -> Result<Vec<ChainHead>> {
        sqlx::query("SELECT id, seq, chain_seq, hash FROM audit_head ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(|row| {
                Ok(ChainHead {
                    chain: get(row, "id")?,
                    seq: get(row, "seq")?,
                    chain_seq: get(row, "chain_seq")?,
                    hash: get(row, "hash")?,
                })
            })
            .collect()
    }
}
