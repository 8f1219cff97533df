//! Resources: the units the control room deploys (REFERENCE.md §3.2 measures response from the
//! call and from dispatch). A unit is available, assigned to an incident, at scene, or unavailable;
//! deploying, arriving and clearing are incident changes, so they land in the incident's log and
//! audit trail and respect its optimistic lock.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Core;
use crate::access::{Permission, Principal, named_enum};
use crate::audit::{AuditCategory, RequestContext};
use crate::core::By;
use crate::error::{Error, FieldError, Result};

named_enum!(
    ResourceStatus {
        Available => "available", "Available";
        Assigned => "assigned", "Assigned";
        AtScene => "at-scene", "At scene";
        Unavailable => "unavailable", "Unavailable";
    }
);

/// A deployable unit: a patrol car, a foot patrol, a dog unit, …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub id: Uuid,
    pub call_sign: String,
    pub kind: String,
    pub division: String,
    pub status: ResourceStatus,
    /// The incident the unit is committed to, while assigned or at scene.
    pub incident_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// One unit's part in one incident: when it was sent, arrived and cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub resource_id: Uuid,
    pub call_sign: String,
    pub deployed_at: DateTime<Utc>,
    pub deployed_by_name: String,
    pub arrived_at: Option<DateTime<Utc>>,
    pub cleared_at: Option<DateTime<Utc>>,
}

impl Deployment {
    pub fn is_active(&self) -> bool {
        self.cleared_at.is_none()
    }
}

/// Call signs are short: letters, digits and hyphens ("EA21", "K9-3").
pub fn validate_new_resource(call_sign: &str, kind: &str, division: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let cs = call_sign.trim();
    if cs.is_empty() || cs.len() > 12 || !cs.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        errors.push(FieldError::new("call_sign", "Enter a call sign of up to 12 letters, digits or hyphens"));
    }
    if kind.trim().is_empty() || kind.trim().chars().count() > 60 {
        errors.push(FieldError::new("kind", "Say what kind of unit it is, in 60 characters or fewer"));
    }
    if division.trim().chars().count() > 100 {
        errors.push(FieldError::new("division", "Keep the division to 100 characters"));
    }
    errors
}

/// Arrival must follow both the call and the dispatch, and cannot be in the future.
pub fn validate_arrival(
    received_at: DateTime<Utc>,
    deployed_at: DateTime<Utc>,
    arrived_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if arrived_at < received_at {
        errors.push(FieldError::new("arrived_at", "Arrival cannot be before the call was received"));
    } else if arrived_at < deployed_at {
        errors.push(FieldError::new("arrived_at", "Arrival cannot be before the unit was deployed"));
    }
    if arrived_at > now + chrono::Duration::minutes(1) {
        errors.push(FieldError::new("arrived_at", "Arrival cannot be in the future"));
    }
    errors
}

impl Core {
    /// Adds a unit to the force's resources.
    pub async fn add_resource(
        &self,
        by: By<'_>,
        call_sign: &str,
        kind: &str,
        division: &str,
        ctx: &RequestContext,
    ) -> Result<Resource> {
        by.require(Permission::ResourceManage)?;
        let errors = validate_new_resource(call_sign, kind, division);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let resource = Resource {
            id: Uuid::now_v7(),
            call_sign: call_sign.trim().to_uppercase(),
            kind: kind.trim().to_string(),
            division: division.trim().to_string(),
            status: ResourceStatus::Available,
            incident_id: None,
            updated_at: self.now(),
        };
        let audit = self
            .event(&by.actor(), "resource.create", AuditCategory::Collect, ctx)
            .record("resource", resource.id)
            .after(&serde_json::json!({ "call_sign": resource.call_sign, "kind": resource.kind, "division": resource.division }));
        match self.store.insert_resource(&resource, &audit).await {
            Err(Error::Conflict(_)) => Err(Error::invalid("call_sign", "That call sign is already in use")),
            other => other.map(|()| resource),
        }
    }

    /// Sets a unit available or unavailable (not while it is committed to an incident).
    pub async fn set_resource_status(
        &self,
        by: &Principal,
        id: Uuid,
        status: &str,
        ctx: &RequestContext,
    ) -> Result<Resource> {
        by.require(Permission::IncidentRecord)?;
        let status = match status.parse::<ResourceStatus>() {
            Ok(s @ (ResourceStatus::Available | ResourceStatus::Unavailable)) => s,
            _ => {
                return Err(Error::invalid(
                    "status",
                    "Choose available or unavailable; deploy a unit from its incident",
                ));
            }
        };
        let mut resource = self.store.find_resource(id).await?.ok_or(Error::NotFound)?;
        if resource.incident_id.is_some() {
            return Err(Error::invalid(
                "status",
                "The unit is committed to an incident: clear it from the incident first",
            ));
        }
        let before = resource.status;
        resource.status = status;
        resource.updated_at = self.now();
        let audit = self
            .event(&By::User(by).actor(), "resource.status", AuditCategory::Alter, ctx)
            .record("resource", id)
            .before(&serde_json::json!({ "status": before.as_str() }))
            .after(&serde_json::json!({ "status": status.as_str() }));
        self.store.update_resource_status(&resource, before, &audit).await?;
        Ok(resource)
    }

    /// The force's units, optionally for one division.
    pub async fn resources(&self, by: &Principal, division: Option<&str>) -> Result<Vec<Resource>> {
        by.require(Permission::IncidentView)?;
        self.store.list_resources(division.map(str::trim).filter(|d| !d.is_empty())).await
    }
}
