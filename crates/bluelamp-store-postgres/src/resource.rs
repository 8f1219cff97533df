//! Resources (units) and their deployments on PostgreSQL.

use bluelamp_core::audit::NewAuditEvent;
use bluelamp_core::resource::{Deployment, Resource, ResourceStatus};
use bluelamp_core::{Error, Result};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::{PostgresStore, append, get, map_err, parse_enum};

fn resource_from_row(row: &PgRow) -> Result<Resource> {
    Ok(Resource {
        id: get(row, "id")?,
        call_sign: get(row, "call_sign")?,
        kind: get(row, "kind")?,
        division: get(row, "division")?,
        status: parse_enum(&get::<String>(row, "status")?)?,
        incident_id: get(row, "incident_id")?,
        updated_at: get(row, "updated_at")?,
    })
}

pub(crate) fn deployment_from_row(row: &PgRow) -> Result<Deployment> {
    Ok(Deployment {
        id: get(row, "id")?,
        incident_id: get(row, "incident_id")?,
        resource_id: get(row, "resource_id")?,
        call_sign: get(row, "call_sign")?,
        deployed_at: get(row, "deployed_at")?,
        deployed_by_name: get(row, "deployed_by_name")?,
        arrived_at: get(row, "arrived_at")?,
        cleared_at: get(row, "cleared_at")?,
    })
}

pub(crate) async fn insert_resource(store: &PostgresStore, r: &Resource, audit: &NewAuditEvent) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query("INSERT INTO resource (id, call_sign, kind, division, status, incident_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(r.id)
        .bind(&r.call_sign)
        .bind(&r.kind)
        .bind(&r.division)
        .bind(r.status.as_str())
        .bind(r.incident_id)
        .bind(r.updated_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn find_resource(store: &PostgresStore, id: Uuid) -> Result<Option<Resource>> {
    sqlx::query("SELECT * FROM resource WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .map_err(map_err)?
        .as_ref()
        .map(resource_from_row)
        .transpose()
}

pub(crate) async fn list_resources(store: &PostgresStore, division: Option<&str>) -> Result<Vec<Resource>> {
    sqlx::query("SELECT * FROM resource WHERE ($1::text IS NULL OR division = $1) ORDER BY division, call_sign")
        .bind(division)
        .fetch_all(store.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(resource_from_row)
        .collect()
}

pub(crate) async fn update_resource_status(
    store: &PostgresStore,
    r: &Resource,
    expected: ResourceStatus,
    audit: &NewAuditEvent,
) -> Result<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE resource SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4 AND incident_id IS NULL",
    )
    .bind(r.status.as_str())
    .bind(r.updated_at)
    .bind(r.id)
    .bind(expected.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!("{} changed meanwhile; reload", r.call_sign)));
    }
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(map_err)
}

/// Inside an incident change: commits an available unit to the incident.
pub(crate) async fn deploy(conn: &mut PgConnection, d: &Deployment) -> Result<()> {
    let done = sqlx::query(
        "UPDATE resource SET status = 'assigned', incident_id = $1, updated_at = $2 WHERE id = $3 AND status = 'available'",
    )
    .bind(d.incident_id)
    .bind(d.deployed_at)
    .bind(d.resource_id)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!("{} is no longer available", d.call_sign)));
    }
    sqlx::query(
        "INSERT INTO deployment (id, incident_id, resource_id, call_sign, deployed_at, deployed_by_name, arrived_at, cleared_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(d.id)
    .bind(d.incident_id)
    .bind(d.resource_id)
    .bind(&d.call_sign)
    .bind(d.deployed_at)
    .bind(&d.deployed_by_name)
    .bind(d.arrived_at)
    .bind(d.cleared_at)
    .execute(&mut *conn)
    .await
    .map_err(map_err)
    .map(|_| ())
}

/// Inside an incident change: arrival (`is_clear` false) or clearing (`is_clear` true).
pub(crate) async fn arrive_or_clear(
    conn: &mut PgConnection,
    deployment_id: Uuid,
    resource_id: Uuid,
    at: DateTime<Utc>,
    is_clear: bool,
) -> Result<()> {
    let (deployment_sql, resource_sql, status) = if is_clear {
        (
            "UPDATE deployment SET cleared_at = $1 WHERE id = $2 AND cleared_at IS NULL",
            "UPDATE resource SET status = $1, incident_id = NULL, updated_at = $2 WHERE id = $3",
            ResourceStatus::Available,
        )
    } else {
        (
            "UPDATE deployment SET arrived_at = $1 WHERE id = $2 AND arrived_at IS NULL AND cleared_at IS NULL",
            "UPDATE resource SET status = $1, updated_at = $2 WHERE id = $3",
            ResourceStatus::AtScene,
        )
    };
    let done = sqlx::query(deployment_sql).bind(at).bind(deployment_id).execute(&mut *conn).await.map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict("the deployment changed meanwhile; reload".into()));
    }
    sqlx::query(resource_sql)
        .bind(status.as_str())
        .bind(at)
        .bind(resource_id)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(())
}
