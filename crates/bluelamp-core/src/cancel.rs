//! Crime cancellation, formerly "no-crime" (issue 4; `../shared/domain/REFERENCE.md` §2.3, HOCR
//! Section C). Only the Force Crime Registrar, or someone the registrar delegates (a Designated
//! Decision Maker), may cancel a crime; only under one of the cancellation criteria, which are
//! reference data a force can load; and only with the additional verifiable information (AVI)
//! recorded. The most serious offences are reserved to the registrar in person (which ones is
//! unconfirmed in the notes, so it is configurable). A cancelled crime keeps its number and its
//! history: cancelling is a status and a decision record, never a deletion.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::access::{Permission, Principal, named_enum};
use crate::audit::{AuditCategory, RequestContext};
use crate::core::{By, Core};
use crate::crime::{Crime, CrimeChange, CrimeStatus};
use crate::error::FieldError;
use crate::offence::OffenceGroup;
use crate::{Error, Result};

named_enum!(
    /// What a criterion needs recorded besides itself.
    Need {
        VerifiableInfo => "verifiable-info", "The additional verifiable information";
        RelatedCrime => "related-crime", "The crime it duplicates";
        TransferredTo => "transferred-to", "The force it is transferred to";
    }
);

named_enum!(
    /// On whose authority a crime was cancelled.
    Authority {
        Registrar => "registrar", "Force Crime Registrar";
        Delegate => "delegate", "Designated decision maker (delegated by the registrar)";
    }
);

/// One cancellation criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub code: String,
    pub title: String,
    pub description: String,
    pub needs: Vec<Need>,
    /// Cancelled, or transferred (C1).
    pub ends_as: CrimeStatus,
    /// `false` where the reference notes could not confirm the criterion.
    pub confirmed: bool,
    /// Disabled criteria are listed but cannot be used.
    pub enabled: bool,
}

/// The criteria and the offences reserved to the registrar, versioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancellationPolicy {
    pub version: String,
    pub criteria: Vec<Criterion>,
    pub reserved_groups: Vec<OffenceGroup>,
    /// Offence sub-groups as in the offence list ("Homicide").
    pub reserved_subgroups: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    version: String,
    #[serde(default)]
    reserved_groups: Vec<String>,
    #[serde(default)]
    reserved_subgroups: Vec<String>,
    #[serde(rename = "criterion", default)]
    criteria: Vec<CriterionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionFile {
    code: String,
    title: String,
    description: String,
    needs: Vec<String>,
    ends_as: String,
    #[serde(default = "yes")]
    confirmed: bool,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

const BUILTIN_TOML: &str = include_str!("../data/cancellation-criteria.toml");

impl CancellationPolicy {
    /// The built-in criteria (C1–C4 enabled; C5 unconfirmed and disabled).
    pub fn builtin() -> CancellationPolicy {
        CancellationPolicy::from_toml(BUILTIN_TOML).expect("the built-in cancellation criteria are valid")
    }

    /// Reads a force's criteria from TOML: `version`, `reserved_groups`, `reserved_subgroups`, then
    /// `[[criterion]]` tables (`code`, `title`, `description`, `needs`, `ends_as`, optional
    /// `confirmed` and `enabled`). Every problem is reported, naming the entry and the field.
    pub fn from_toml(text: &str) -> Result<CancellationPolicy, String> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text.bytes().take(s.start).filter(|b| *b == b'\n').count() + 1);
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            format!("not a valid list of cancellation criteria{at}: {}", e.message().trim())
        })?;
        let mut problems = Vec::new();
        let version = file.version.trim().to_string();
        if version.is_empty() || version.chars().count() > 100 {
            problems.push("version must be 1 to 100 characters".to_string());
        }
        let mut reserved_groups = Vec::new();
        for g in &file.reserved_groups {
            match g.parse::<OffenceGroup>() {
                Ok(group) => reserved_groups.push(group),
                Err(_) => problems.push(format!("reserved_groups: '{g}' is not an offence group")),
            }
        }
        let mut criteria: Vec<Criterion> = Vec::new();
        for (n, c) in file.criteria.iter().enumerate() {
            let code = c.code.trim();
            let at = format!("criterion {} ({code})", n + 1);
            if code.is_empty() || code.chars().count() > 10 {
                problems.push(format!("{at}: code must be 1 to 10 characters"));
            }
            if criteria.iter().any(|x| x.code == code) {
                problems.push(format!("{at}: code {code} is listed twice"));
            }
            if c.title.trim().is_empty() || c.description.trim().is_empty() {
                problems.push(format!("{at}: title and description must not be blank"));
            }
            let mut needs = Vec::new();
            for need in &c.needs {
                match need.parse::<Need>() {
                    Ok(n) => needs.push(n),
                    Err(_) => problems.push(format!(
                        "{at}: needs '{need}' is not one of verifiable-info, related-crime, transferred-to"
                    )),
                }
            }
            if !needs.contains(&Need::VerifiableInfo) {
                problems.push(format!("{at}: every criterion needs verifiable-info (HOCR Section C)"));
            }
            let ends_as = match c.ends_as.trim() {
                "cancelled" => CrimeStatus::Cancelled,
                "transferred" => CrimeStatus::Transferred,
                other => {
                    problems.push(format!("{at}: ends_as '{other}' must be cancelled or transferred"));
                    CrimeStatus::Cancelled
                }
            };
            criteria.push(Criterion {
                code: code.to_string(),
                title: c.title.trim().to_string(),
                description: c.description.trim().to_string(),
                needs,
                ends_as,
                confirmed: c.confirmed,
                enabled: c.enabled,
            });
        }
        if !criteria.iter().any(|c| c.enabled) {
            problems.push("no criterion is enabled".to_string());
        }
        if problems.is_empty() {
            Ok(CancellationPolicy { version, criteria, reserved_groups, reserved_subgroups: file.reserved_subgroups })
        } else {
            Err(problems.join("; "))
        }
    }

    pub fn criterion(&self, code: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.code == code)
    }

    /// Whether only the registrar in person may cancel this offence.
    pub fn is_reserved(&self, group: OffenceGroup, subgroup: &str) -> bool {
        self.reserved_groups.contains(&group) || self.reserved_subgroups.iter().any(|s| s == subgroup)
    }
}

/// A cancellation as asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CancelRequest {
    pub criterion: String,
    pub verifiable_info: String,
    pub related_crime_number: String,
    pub transferred_to: String,
}

/// A cancellation decision, kept with the crime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    pub crime_id: Uuid,
    pub criterion: String,
    pub criterion_title: String,
    pub criteria_version: String,
    pub verifiable_info: String,
    pub related_crime_number: String,
    pub transferred_to: String,
    pub authority: Authority,
    pub decided_by: Uuid,
    pub decided_by_name: String,
    pub decided_at: DateTime<Utc>,
}

/// The registrar's delegation of the authority to cancel to one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The delegate's user name (filled by the store).
    pub username: String,
    pub granted_by_name: String,
    pub granted_at: DateTime<Utc>,
    pub reason: String,
    pub ends_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by_name: Option<String>,
}

impl Delegation {
    pub fn is_active(&self, at: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.granted_at <= at && self.ends_at.is_none_or(|end| at < end)
    }
}

/// On whose authority `by` may cancel a crime: the registrar's own (the permission), or a delegation
/// — never a delegation for an offence reserved to the registrar. The error says why not.
pub fn authority(can_cancel: bool, delegated: bool, reserved: bool) -> Result<Authority, String> {
    match (can_cancel, delegated, reserved) {
        (true, _, _) => Ok(Authority::Registrar),
        (false, true, false) => Ok(Authority::Delegate),
        (false, true, true) => Err("Only the Force Crime Registrar may cancel this offence".into()),
        (false, false, _) => {
            Err("Only the Force Crime Registrar, or someone the registrar delegates, may cancel a crime".into())
        }
    }
}

/// Every rule a cancellation request breaks, by field, for a crime in `status`. `related_exists`
/// says whether the named duplicate crime exists (it is looked up by the caller).
pub fn cancellation_errors(
    policy: &CancellationPolicy,
    request: &CancelRequest,
    status: CrimeStatus,
    own_number: &str,
    related_exists: bool,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Some(criterion) = policy.criterion(request.criterion.trim()) else {
        errors.push(FieldError::new("criterion", "Choose the cancellation criterion (HOCR Section C)"));
        return errors;
    };
    if !criterion.enabled {
        errors.push(FieldError::new(
            "criterion",
            format!("{} is not in use in this force: its wording is unconfirmed", criterion.code),
        ));
    }
    if !status.can_move_to(criterion.ends_as) {
        errors.push(FieldError::new(
            "status",
            format!("A {} crime cannot be {}", status.label().to_lowercase(), criterion.ends_as.label().to_lowercase()),
        ));
    }
    for need in &criterion.needs {
        match need {
            Need::VerifiableInfo => {
                let n = request.verifiable_info.trim().chars().count();
                if n < 20 {
                    errors.push(FieldError::new(
                        "verifiable_info",
                        "Record the additional verifiable information: what was found, by whom, and how it was checked (at least 20 characters)",
                    ));
                } else if n > 4000 {
                    errors
                        .push(FieldError::new("verifiable_info", "Keep the verifiable information to 4000 characters"));
                }
            }
            Need::RelatedCrime => {
                let number = request.related_crime_number.trim();
                if number.is_empty() {
                    errors
                        .push(FieldError::new("related_crime_number", "Enter the number of the crime this duplicates"));
                } else if number.eq_ignore_ascii_case(own_number) {
                    errors.push(FieldError::new("related_crime_number", "A crime cannot duplicate itself"));
                } else if !related_exists {
                    errors.push(FieldError::new("related_crime_number", format!("There is no crime {number}")));
                }
            }
            Need::TransferredTo => {
                let n = request.transferred_to.trim().chars().count();
                if n == 0 || n > 100 {
                    errors.push(FieldError::new("transferred_to", "Enter the force the crime is transferred to"));
                }
            }
        }
    }
    errors
}

// ---- Use cases -----------------------------------------------------------------------------------

impl Core {
    /// The cancellation criteria in force, for the form and the API.
    pub fn cancellation_policy(&self, by: &Principal) -> Result<&CancellationPolicy> {
        by.require(Permission::CrimeView)?;
        Ok(&self.settings.cancellation)
    }

    /// On whose authority `by` may cancel `crime` now, or why not.
    pub async fn cancel_authority(&self, by: &Principal, crime: &Crime) -> Result<Result<Authority, String>> {
        let can_cancel = by.can(Permission::CrimeCancel);
        let delegated = !can_cancel
            && by.can(Permission::CrimeView)
            && self.store.list_delegations(Some(by.user_id)).await?.iter().any(|d| d.is_active(self.now()));
        let subgroup =
            self.settings.offences.offence(&crime.offence_code).map(|o| o.subgroup.clone()).unwrap_or_default();
        let reserved = self.settings.cancellation.is_reserved(crime.offence_group, &subgroup);
        Ok(authority(can_cancel, delegated, reserved))
    }

    /// Cancels (or, under a transfer criterion, transfers) a crime. The crime keeps its number and
    /// history; the decision, its criterion, the verifiable information and the authority are kept
    /// with it, in the same transaction as its audit event.
    pub async fn cancel_crime(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        request: &CancelRequest,
        ctx: &RequestContext,
    ) -> Result<Crime> {
        by.require(Permission::CrimeView)?;
        let record = self.store.find_crime(id).await?.ok_or(Error::NotFound)?;
        let authority = self.cancel_authority(by, &record.crime).await?.map_err(Error::Forbidden)?;
        let related = request.related_crime_number.trim();
        let related_exists = !related.is_empty() && self.store.find_crime_by_number(related).await?.is_some();
        let errors = cancellation_errors(
            &self.settings.cancellation,
            request,
            record.crime.status,
            &record.crime.number,
            related_exists,
        );
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let criterion = self.settings.cancellation.criterion(request.criterion.trim()).ok_or(Error::NotFound)?;
        if record.crime.version != version {
            return Err(Error::Conflict(format!("crime {} was changed by someone else", record.crime.number)));
        }
        let now = self.now();
        let before = record.crime.audit_json();
        let mut crime = record.crime;
        crime.status = criterion.ends_as;
        crime.finalised_at = Some(now);
        crime.version += 1;
        let cancellation = Cancellation {
            crime_id: id,
            criterion: criterion.code.clone(),
            criterion_title: criterion.title.clone(),
            criteria_version: self.settings.cancellation.version.clone(),
            verifiable_info: request.verifiable_info.trim().to_string(),
            related_crime_number: related.to_string(),
            transferred_to: request.transferred_to.trim().to_string(),
            authority,
            decided_by: by.user_id,
            decided_by_name: by.username.clone(),
            decided_at: now,
        };
        let audit = self
            .event(&By::User(by).actor(), "crime.cancel", AuditCategory::Alter, ctx)
            .record("crime", id)
            .justification(format!("{}: {}", criterion.code, cancellation.verifiable_info))
            .before(&before)
            .after(&serde_json::json!({
                "crime": crime.audit_json(),
                "criterion": criterion.code,
                "authority": authority.as_str(),
                "related_crime": cancellation.related_crime_number,
                "transferred_to": cancellation.transferred_to,
            }));
        self.store.update_crime(&crime, version, &CrimeChange::Cancel(cancellation), &audit).await?;
        Ok(crime)
    }

    /// Every delegation, newest first (the registrar's page).
    pub async fn cancel_delegations(&self, by: &Principal) -> Result<Vec<Delegation>> {
        by.require(Permission::CrimeCancel)?;
        self.store.list_delegations(None).await
    }

    /// The registrar delegates the authority to cancel to a user, with the reason and an optional end.
    pub async fn delegate_cancellation(
        &self,
        by: &Principal,
        username: &str,
        reason: &str,
        ends_at: Option<DateTime<Utc>>,
        ctx: &RequestContext,
    ) -> Result<Delegation> {
        by.require(Permission::CrimeCancel)?;
        let now = self.now();
        let mut errors = Vec::new();
        let user = self.store.find_user_by_username(username.trim()).await?;
        match &user {
            None => errors.push(FieldError::new("username", "No user has this user name")),
            Some(u) if u.is_disabled => errors.push(FieldError::new("username", "This account is disabled")),
            Some(u) if u.id == by.user_id => {
                errors.push(FieldError::new("username", "The registrar holds this authority already"))
            }
            Some(_) => {}
        }
        crate::incident::text_rule(&mut errors, "reason", reason, true, 1000, "why the authority is delegated");
        if ends_at.is_some_and(|end| end <= now) {
            errors.push(FieldError::new("ends_at", "The delegation must end in the future"));
        }
        let Some(user) = user.filter(|_| errors.is_empty()) else { return Err(Error::Invalid(errors)) };
        if self.store.list_delegations(Some(user.id)).await?.iter().any(|d| d.is_active(now)) {
            return Err(Error::invalid("username", format!("{} already holds a delegation", user.username)));
        }
        let delegation = Delegation {
            id: Uuid::now_v7(),
            user_id: user.id,
            username: user.username.clone(),
            granted_by_name: by.username.clone(),
            granted_at: now,
            reason: reason.trim().to_string(),
            ends_at,
            revoked_at: None,
            revoked_by_name: None,
        };
        let audit = self
            .event(&By::User(by).actor(), "crime.cancel.delegate", AuditCategory::Alter, ctx)
            .record("user", user.id)
            .justification(reason.trim())
            .after(&serde_json::json!({"delegate": user.username, "ends_at": ends_at}));
        self.store.insert_delegation(&delegation, &audit).await?;
        Ok(delegation)
    }

    /// Ends a delegation now.
    pub async fn revoke_delegation(&self, by: &Principal, id: Uuid, ctx: &RequestContext) -> Result<()> {
        by.require(Permission::CrimeCancel)?;
        let delegation =
            self.store.list_delegations(None).await?.into_iter().find(|d| d.id == id).ok_or(Error::NotFound)?;
        if delegation.revoked_at.is_some() {
            return Err(Error::Conflict("this delegation has already been revoked".into()));
        }
        let audit = self
            .event(&By::User(by).actor(), "crime.cancel.revoke", AuditCategory::Alter, ctx)
            .record("user", delegation.user_id)
            .after(&serde_json::json!({"delegate": delegation.username}));
        self.store.revoke_delegation(id, self.now(), &by.username, &audit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(criterion: &str, info: &str) -> CancelRequest {
        CancelRequest { criterion: criterion.into(), verifiable_info: info.into(), ..Default::default() }
    }

    const AVI: &str = "CCTV reviewed by PC 1234 shows the bag was left at the bus stop, not taken";

    #[test]
    fn the_builtin_criteria_are_c1_to_c5_with_c5_unconfirmed_and_off() {
        let p = CancellationPolicy::builtin();
        let codes: Vec<&str> = p.criteria.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["C1", "C2", "C3", "C4", "C5"]);
        let c5 = p.criterion("C5").expect("listed");
        assert!(!c5.confirmed && !c5.enabled);
        assert_eq!(p.criterion("C1").map(|c| c.ends_as), Some(CrimeStatus::Transferred));
        assert!(p.is_reserved(OffenceGroup::SexualOffences, "Rape"));
        assert!(p.is_reserved(OffenceGroup::ViolenceAgainstThePerson, "Homicide"));
        assert!(!p.is_reserved(OffenceGroup::Theft, "Shoplifting"));
    }

    #[test]
    fn only_the_registrar_or_a_delegate_may_cancel_and_reserved_offences_only_the_registrar() {
        assert_eq!(authority(true, false, true), Ok(Authority::Registrar));
        assert_eq!(authority(false, true, false), Ok(Authority::Delegate));
        assert!(authority(false, true, true).expect_err("refused").contains("Only the Force Crime Registrar"));
        assert!(authority(false, false, false).is_err());
    }

    #[test]
    fn each_criterion_needs_its_information() {
        let p = CancellationPolicy::builtin();
        let fields = |r: &CancelRequest, exists: bool| -> Vec<String> {
            cancellation_errors(&p, r, CrimeStatus::Recorded, "CR-2026-000001", exists)
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(&request("C9", AVI), false), ["criterion"]);
        assert_eq!(fields(&request("C2", "not true"), false), ["verifiable_info"]);
        assert!(fields(&request("C2", AVI), false).is_empty());
        assert_eq!(fields(&request("C1", AVI), false), ["transferred_to"]);
        assert!(
            fields(&CancelRequest { transferred_to: "Essex Police".into(), ..request("C1", AVI) }, false).is_empty()
        );
        assert_eq!(fields(&request("C3", AVI), false), ["related_crime_number"]);
        let dup = CancelRequest { related_crime_number: "CR-2026-000009".into(), ..request("C3", AVI) };
        assert_eq!(fields(&dup, false), ["related_crime_number"]);
        assert!(fields(&dup, true).is_empty());
        let own = CancelRequest { related_crime_number: "cr-2026-000001".into(), ..request("C3", AVI) };
        assert_eq!(fields(&own, true), ["related_crime_number"]);
        assert_eq!(fields(&request("C5", AVI), false), ["criterion"]);
    }

    #[test]
    fn an_ended_crime_cannot_be_cancelled_again() {
        let p = CancellationPolicy::builtin();
        let errors = cancellation_errors(&p, &request("C2", AVI), CrimeStatus::Cancelled, "CR-1", false);
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["status"]);
    }

    #[test]
    fn a_force_list_is_checked_entry_by_entry() {
        let bad = r#"
version = "Force list"
reserved_groups = ["not-a-group"]
[[criterion]]
code = "C1"
title = "T"
description = "D"
needs = ["related-crime", "telepathy"]
ends_as = "vanished"
"#;
        let err = CancellationPolicy::from_toml(bad).expect_err("refused");
        for part in ["not-a-group", "telepathy", "needs verifiable-info", "ends_as 'vanished'"] {
            assert!(err.contains(part), "{err} should mention {part}");
        }
        assert!(CancellationPolicy::from_toml("version = 3").expect_err("refused").contains("line 1"));
    }

    #[test]
    fn delegations_are_active_between_grant_and_end_unless_revoked() {
        let t = Utc::now();
        let mut d = Delegation {
            id: Uuid::nil(),
            user_id: Uuid::nil(),
            username: "ddm".into(),
            granted_by_name: "fcr".into(),
            granted_at: t,
            reason: "cover".into(),
            ends_at: Some(t + chrono::Duration::days(7)),
            revoked_at: None,
            revoked_by_name: None,
        };
        assert!(d.is_active(t + chrono::Duration::days(1)));
        assert!(!d.is_active(t + chrono::Duration::days(7)));
        assert!(!d.is_active(t - chrono::Duration::seconds(1)));
        d.revoked_at = Some(t);
        assert!(!d.is_active(t + chrono::Duration::days(1)));
    }
}
