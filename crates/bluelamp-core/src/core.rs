//! The use cases. Each one checks permission, computes everything purely, then makes one Store call
//! that commits the change with its audit event. Handlers in `bluelamp-web` and commands in `bluelamp`
//! call these and nothing lower.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::access::{Permission, Principal, Role};
use crate::audit::{
    Actor, AuditCategory, AuditEvent, AuditOutcome, AuditQuery, ChainFault, ChainVerifier, MAX_PAGE, NewAuditEvent,
    RequestContext,
};
use crate::clock::Clock;
use crate::error::{Error, FieldError, Result};
use crate::password;
use crate::restriction::{self, MIN_REASON_LENGTH, RecordRef, Restriction, Visibility};
use crate::secret;
use crate::session::{Session, SessionPolicy, SessionState};
use crate::store::{ApiToken, Store};
use crate::user::{NewUser, User};

/// Settings the use cases need, owned by the core (the binary fills them from configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub session: SessionPolicy,
    /// Consecutive failed sign-ins that lock an account (QUALITY.md S5: 5).
    pub lockout_threshold: i32,
    pub lockout_duration: Duration,
    /// Attendance targets per grade (set locally by each force).
    pub grade_targets: crate::incident::GradeTargets,
    /// Incident reference format, e.g. `"{yyyy}{mm}{dd}-{seq:4}"` (see `incident::format_reference`).
    pub incident_reference_format: String,
    /// How far back intake checks look for earlier incidents (issue 3: 12 months, configurable).
    pub intake_lookback_days: i64,
    /// The force's area boundaries (divisions); empty when none are configured.
    pub areas: crate::area::AreaMap,
    /// THRIVE quality sampling rates.
    pub sampling: crate::quality::SamplingRates,
    /// The force's NSIR categories and qualifiers (the built-in list unless one is loaded).
    pub nsir: crate::reference::NsirList,
    /// The Home Office offence classification crimes are recorded under (the built-in HOCR 2022/23
    /// list unless a force loads its own).
    pub offences: crate::offence::OffenceList,
    /// Crime-number format, e.g. `"CR-{yyyy}-{seq:6}"` (see `crime::format_crime_number`).
    pub crime_number_format: String,
    /// The cancellation criteria (HOCR Section C) and the offences reserved to the registrar.
    pub cancellation: crate::cancel::CancellationPolicy,
    /// Offence groups whose crimes may have several victims; every other offence is one crime per
    /// victim (HOCR Section D). Which groups is unconfirmed in the reference notes, so it is the
    /// force's setting; the default is the state-based groups and burglary (a household).
    pub several_victims_groups: Vec<crate::offence::OffenceGroup>,
    /// How long the dashboards' heavier results are kept ([`crate::cache`]); zero (the default,
    /// and the tests') keeps nothing. `bluelamp serve` sets it from `dashboard_cache_seconds`.
    pub dashboard_cache: std::time::Duration,
    /// Triage and allocation (issue 6): queue priority, ageing limits, solvability models, the
    /// allocation requirements and costs.
    pub triage: crate::triage::TriagePolicy,
    /// Investigations and outcomes (issue 7): the review schedule, mandatory lines of enquiry and
    /// the outcome types with their rules.
    pub investigation: crate::investigation_use::InvestigationPolicy,
}

/// The default of [`Settings::several_victims_groups`].
pub fn default_several_victims_groups() -> Vec<crate::offence::OffenceGroup> {
    use crate::offence::OffenceGroup::*;
    vec![Burglary, DrugOffences, PublicOrderOffences, PossessionOfWeapons, MiscellaneousCrimesAgainstSociety]
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session: SessionPolicy::default(),
            lockout_threshold: 5,
            lockout_duration: Duration::minutes(15),
            grade_targets: crate::incident::GradeTargets::default(),
            incident_reference_format: "{yyyy}{mm}{dd}-{seq:4}".into(),
            intake_lookback_days: 365,
            areas: crate::area::AreaMap::default(),
            sampling: crate::quality::SamplingRates::default(),
            nsir: crate::reference::NsirList::builtin(),
            offences: crate::offence::OffenceList::builtin(),
            crime_number_format: "CR-{yyyy}-{seq:6}".into(),
            cancellation: crate::cancel::CancellationPolicy::builtin(),
            several_victims_groups: default_several_victims_groups(),
            dashboard_cache: std::time::Duration::ZERO,
            triage: crate::triage::TriagePolicy::default(),
            investigation: crate::investigation_use::InvestigationPolicy::default(),
        }
    }
}

#[derive(Clone)]
pub struct Core {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    pub(crate) recent: Arc<Recent>,
}

type Period = (DateTime<Utc>, DateTime<Utc>);

/// The dashboards' recent results ([`crate::cache`]).
pub(crate) struct Recent {
    /// THRIVE quality by days looked back.
    pub thrive: crate::cache::Recent<i64, crate::quality::QualityOverview>,
    pub thrive_count: crate::cache::Recent<i64, usize>,
    /// NCRS compliance by period.
    pub compliance: crate::cache::Recent<Period, (crate::crime::Compliance, Vec<crate::crime::Crime>)>,
    /// The triage alerts on the home pages of those who triage (past the limit, past the inspector's).
    pub triage_alerts: crate::cache::Recent<(), (usize, usize)>,
}

/// Who asks: a signed-in person (permission-checked) or the system itself (command line, loaders).
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    User(&'a Principal),
    System(&'a str),
}

impl By<'_> {
    pub(crate) fn require(&self, permission: Permission) -> Result<()> {
        match self {
            By::User(p) => p.require(permission),
            By::System(_) => Ok(()),
        }
    }

    pub(crate) fn actor(&self) -> Actor {
        match self {
            By::User(p) => Actor { id: Some(p.user_id), name: p.username.clone() },
            By::System(what) => Actor::system(what),
        }
    }
}

/// A successful sign-in: the cookie value (shown once, never stored) and the user.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub user: User,
}

/// Why a session token was not accepted; the web layer keeps the requested page on `Expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionRejection {
    Unknown,
    Expired,
}

/// What a person may see of an officer's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficerRecord {
    Open { user: Box<User>, restriction: Option<Restriction>, opened_with_reason: Option<String> },
    Sealed { id: Uuid },
}

/// A row of the directory: restricted rows show only that they exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryEntry {
    Open(Box<User>),
    Sealed(Uuid),
}

pub fn principal_of(user: &User) -> Principal {
    Principal::new(user.id, user.username.clone(), user.display_name.clone(), user.roles.clone())
}

impl Core {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        let ttl = settings.dashboard_cache;
        let recent = Arc::new(Recent {
            thrive: crate::cache::Recent::new(ttl),
            thrive_count: crate::cache::Recent::new(ttl),
            compliance: crate::cache::Recent::new(ttl),
            triage_alerts: crate::cache::Recent::new(ttl),
        });
        Core { store, clock, settings, recent }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn event(
        &self,
        by: &Actor,
        action: &str,
        category: AuditCategory,
        ctx: &RequestContext,
    ) -> NewAuditEvent {
        NewAuditEvent::new(self.now(), by, action, category, ctx)
    }

    // ---- Sign-in and sessions -------------------------------------------------------------------

    /// Checks a user name and password. Every failure is the same `Unauthenticated` to the caller;
    /// the audit trail records the real reason.
    pub async fn sign_in(&self, username: &str, password: &str, ctx: &RequestContext) -> Result<SignedIn> {
        let now = self.now();
        let username = username.trim().to_lowercase();
        let attempted: String = username.chars().take(64).collect();
        let refuse = |reason: &str, user: Option<&User>| {
            let actor = Actor { id: user.map(|u| u.id), name: attempted.clone() };
            NewAuditEvent::new(now, &actor, "auth.sign_in", AuditCategory::Access, ctx)
                .outcome(AuditOutcome::Denied)
                .after(&serde_json::json!({ "reason": reason }))
        };
        let Some(mut user) = self.store.find_user_by_username(&username).await? else {
            password::verify_password_blocking(password, None).await;
            self.store.append_audit(&refuse("unknown user", None)).await?;
            return Err(Error::Unauthenticated);
        };
        if user.is_disabled || user.is_locked(now) || user.password_hash.is_none() {
            password::verify_password_blocking(password, None).await;
            let reason = if user.is_disabled {
                "account disabled"
            } else if user.password_hash.is_none() {
                "account has no password"
            } else {
                "account locked"
            };
            self.store.append_audit(&refuse(reason, Some(&user)).record("user", user.id)).await?;
            return Err(Error::Unauthenticated);
        }
        if !password::verify_password_blocking(password, user.password_hash.as_deref()).await {
            user.failed_sign_ins += 1;
            let mut reason = "wrong password".to_string();
            if user.failed_sign_ins >= self.settings.lockout_threshold {
                user.locked_until = Some(now + self.settings.lockout_duration);
                user.failed_sign_ins = 0;
                reason = format!(
                    "wrong password; account locked until {}",
                    crate::time::london(now + self.settings.lockout_duration)
                );
            }
            user.updated_at = now;
            self.store.update_user(&user, false, &refuse(&reason, Some(&user)).record("user", user.id)).await?;
            return Err(Error::Unauthenticated);
        }
        let token = secret::random_token();
        let session = Session {
            id: Uuid::now_v7(),
            token_hash: secret::token_hash(&token),
            user_id: user.id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + self.settings.session.absolute,
            ip: ctx.ip.clone(),
            user_agent: ctx.user_agent.as_ref().map(|ua| ua.chars().take(256).collect()),
        };
        let actor = Actor { id: Some(user.id), name: user.username.clone() };
        let audit = self.event(&actor, "auth.sign_in", AuditCategory::Access, ctx).record("session", session.id);
        self.store.start_session(&session, &audit).await?;
        user.failed_sign_ins = 0;
        user.locked_until = None;
        Ok(SignedIn { token, user })
    }

    /// Resolves a session cookie to the person, enforcing idle and absolute limits and disablement.
    pub async fn authenticate_session(
        &self,
        token: &str,
    ) -> Result<std::result::Result<(Principal, Session), SessionRejection>> {
        let now = self.now();
        let Some((session, user)) = self.store.find_session(&secret::token_hash(token)).await? else {
            return Ok(Err(SessionRejection::Unknown));
        };
        if self.settings.session.state(&session, now) != SessionState::Live {
            self.store.delete_session(session.id).await?;
            return Ok(Err(SessionRejection::Expired));
        }
        if user.is_disabled {
            return Ok(Err(SessionRejection::Unknown));
        }
        if self.settings.session.needs_touch(&session, now) {
            self.store.touch_session(session.id, now).await?;
        }
        Ok(Ok((principal_of(&user), session)))
    }

    /// Signs out by revoking every session the user holds.
    pub async fn sign_out(&self, principal: &Principal, ctx: &RequestContext) -> Result<u64> {
        let actor = By::User(principal).actor();
        let audit = self.event(&actor, "auth.sign_out", AuditCategory::Access, ctx).record("user", principal.user_id);
        self.store.revoke_sessions(principal.user_id, &audit).await
    }

    /// Resolves an API bearer token to its owner.
    pub async fn authenticate_api_token(&self, token: &str) -> Result<Option<Principal>> {
        let now = self.now();
        let Some((api_token, user)) = self.store.find_api_token(&secret::token_hash(token)).await? else {
            return Ok(None);
        };
        if api_token.revoked_at.is_some() || api_token.expires_at <= now || user.is_disabled {
            return Ok(None);
        }
        Ok(Some(principal_of(&user)))
    }

    /// Records a refused request (HTTP 401/403) in the audit trail.
    pub async fn record_refusal(
        &self,
        principal: Option<&Principal>,
        what: &str,
        reason: &str,
        ctx: &RequestContext,
    ) -> Result<()> {
        let actor = match principal {
            Some(p) => By::User(p).actor(),
            None => Actor { id: None, name: "anonymous".into() },
        };
        let event = self
            .event(&actor, "access.refused", AuditCategory::Access, ctx)
            .outcome(AuditOutcome::Denied)
            .after(&serde_json::json!({ "request": what, "reason": reason }));
        self.store.append_audit(&event).await.map(|_| ())
    }

    // ---- Users ----------------------------------------------------------------------------------

    pub async fn create_user(
        &self,
        by: By<'_>,
        new: &NewUser,
        password: Option<&str>,
        ctx: &RequestContext,
    ) -> Result<User> {
        by.require(Permission::UserManage)?;
        let mut errors = match new.validate() {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        };
        if let Some(password) = password {
            errors.extend(password::check_new_password("password", password, new.username.trim()));
        }
        if errors.is_empty() && self.store.find_user_by_username(new.username.trim()).await?.is_some() {
            errors.push(FieldError::new("username", "That user name is already in use"));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let profile = new.validate().map_err(Error::Invalid)?;
        let hash = match password {
            Some(p) => Some(password::hash_password_blocking(p).await.map_err(Error::Storage)?),
            None => None,
        };
        let user = User::new(Uuid::now_v7(), profile, hash, self.now());
        let audit = self
            .event(&by.actor(), "user.create", AuditCategory::Collect, ctx)
            .record("user", user.id)
            .after(&user.audit_json());
        self.store.insert_user(&user, &audit).await?;
        Ok(user)
    }

    pub async fn get_user_by_username(&self, username: &str) -> Result<User> {
        self.store.find_user_by_username(username.trim()).await?.ok_or(Error::NotFound)
    }

    /// Applies `change` to a user and stores it with a before/after audit event.
    async fn change_user(
        &self,
        by: By<'_>,
        username: &str,
        action: &str,
        revoke_sessions: bool,
        ctx: &RequestContext,
        change: impl FnOnce(&mut User) -> Result<()>,
    ) -> Result<User> {
        by.require(Permission::UserManage)?;
        let mut user = self.get_user_by_username(username).await?;
        let before = user.audit_json();
        change(&mut user)?;
        user.updated_at = self.now();
        let audit = self
            .event(&by.actor(), action, AuditCategory::Alter, ctx)
            .record("user", user.id)
            .before(&before)
            .after(&user.audit_json());
        self.store.update_user(&user, revoke_sessions, &audit).await?;
        Ok(user)
    }

    /// Disables (or re-enables) an account. Disabling ends every session at once.
    pub async fn set_user_disabled(
        &self,
        by: By<'_>,
        username: &str,
        is_disabled: bool,
        ctx: &RequestContext,
    ) -> Result<User> {
        if let By::User(p) = by
            && p.username == username
            && is_disabled
        {
            return Err(Error::invalid("username", "You cannot disable your own account"));
        }
        let action = if is_disabled { "user.disable" } else { "user.enable" };
        self.change_user(by, username, action, is_disabled, ctx, |user| {
            user.is_disabled = is_disabled;
            Ok(())
        })
        .await
    }

    /// Replaces a user's roles. Every session ends, so new permissions apply from the next sign-in.
    pub async fn set_user_roles(
        &self,
        by: By<'_>,
        username: &str,
        roles: &[String],
        ctx: &RequestContext,
    ) -> Result<User> {
        let mut parsed = Vec::new();
        for name in roles {
            let role: Role = name.parse().map_err(|_| Error::invalid("roles", format!("'{name}' is not a role")))?;
            if !parsed.contains(&role) {
                parsed.push(role);
            }
        }
        if parsed.is_empty() {
            return Err(Error::invalid("roles", "Choose at least one role"));
        }
        parsed.sort();
        self.change_user(by, username, "user.set_roles", true, ctx, |user| {
            user.roles = parsed;
            Ok(())
        })
        .await
    }

    /// Sets a new password, clears any lock and ends every session.
    pub async fn reset_password(
        &self,
        by: By<'_>,
        username: &str,
        new_password: &str,
        ctx: &RequestContext,
    ) -> Result<User> {
        let errors = password::check_new_password("password", new_password, username);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let hash = password::hash_password_blocking(new_password).await.map_err(Error::Storage)?;
        self.change_user(by, username, "user.reset_password", true, ctx, |user| {
            user.password_hash = Some(hash);
            user.failed_sign_ins = 0;
            user.locked_until = None;
            Ok(())
        })
        .await
    }

    pub async fn list_users(&self, by: By<'_>, ctx: &RequestContext) -> Result<Vec<User>> {
        by.require(Permission::UserManage)?;
        let audit = self.event(&by.actor(), "user.list", AuditCategory::Consult, ctx);
        self.store.append_audit(&audit).await?;
        self.store.list_users().await
    }

    // ---- API tokens -----------------------------------------------------------------------------

    /// Issues a bearer token for `username`. The secret is returned once and stored only hashed.
    pub async fn create_api_token(
        &self,
        by: By<'_>,
        username: &str,
        label: &str,
        expires_days: i64,
        ctx: &RequestContext,
    ) -> Result<(ApiToken, String)> {
        by.require(Permission::TokenManage)?;
        if !(1..=365).contains(&expires_days) {
            return Err(Error::invalid("expires_days", "A token must expire in 1 to 365 days"));
        }
        let label = label.trim();
        if label.chars().count() > 100 {
            return Err(Error::invalid("label", "Must be 100 characters or fewer"));
        }
        let user = self.get_user_by_username(username).await?;
        let secret = secret::new_api_token();
        let now = self.now();
        let token = ApiToken {
            id: Uuid::now_v7(),
            user_id: user.id,
            token_hash: secret::token_hash(&secret),
            label: label.to_string(),
            created_at: now,
            expires_at: now + Duration::days(expires_days),
            revoked_at: None,
        };
        let audit = self
            .event(&by.actor(), "token.create", AuditCategory::Collect, ctx)
            .record("api_token", token.id)
            .after(&serde_json::json!({ "user": user.username, "label": token.label, "expires_at": token.expires_at.to_rfc3339() }));
        self.store.insert_api_token(&token, &audit).await?;
        Ok((token, secret))
    }

    pub async fn revoke_api_token(&self, by: By<'_>, id: Uuid, ctx: &RequestContext) -> Result<()> {
        by.require(Permission::TokenManage)?;
        let audit = self.event(&by.actor(), "token.revoke", AuditCategory::Alter, ctx).record("api_token", id);
        self.store.revoke_api_token(id, self.now(), &audit).await
    }

    // ---- The officer directory and restricted records -------------------------------------------

    pub async fn officer_directory(&self, principal: &Principal, ctx: &RequestContext) -> Result<Vec<DirectoryEntry>> {
        principal.require(Permission::OfficerView)?;
        let audit = self.event(&By::User(principal).actor(), "officer.list", AuditCategory::Consult, ctx);
        self.store.append_audit(&audit).await?;
        let mut entries = Vec::new();
        for user in self.store.list_users().await? {
            let restriction = self.store.find_restriction(&RecordRef::new("officer", user.id)).await?;
            entries.push(match restriction::visibility(principal, restriction.as_ref()) {
                Visibility::Open => DirectoryEntry::Open(Box::new(user)),
                Visibility::Sealed => DirectoryEntry::Sealed(user.id),
            });
        }
        Ok(entries)
    }

    /// Shows an officer's record. A restricted record stays sealed unless the viewer is on its access
    /// list or gives a reason, which the audit trail keeps. The audit event is written before any
    /// record data is returned: if it cannot be written, nothing is shown.
    pub async fn view_officer(
        &self,
        principal: &Principal,
        id: Uuid,
        reason: Option<&str>,
        ctx: &RequestContext,
    ) -> Result<OfficerRecord> {
        principal.require(Permission::OfficerView)?;
        let user = self.store.find_user(id).await?.ok_or(Error::NotFound)?;
        let record = RecordRef::new("officer", id);
        let restriction = self.store.find_restriction(&record).await?;
        let actor = By::User(principal).actor();
        match (restriction::visibility(principal, restriction.as_ref()), reason) {
            (Visibility::Open, _) => {
                let audit = self.event(&actor, "officer.view", AuditCategory::Consult, ctx).record("officer", id);
                self.store.append_audit(&audit).await?;
                Ok(OfficerRecord::Open { user: Box::new(user), restriction, opened_with_reason: None })
            }
            (Visibility::Sealed, None) => {
                let audit =
                    self.event(&actor, "officer.view_sealed", AuditCategory::Consult, ctx).record("officer", id);
                self.store.append_audit(&audit).await?;
                Ok(OfficerRecord::Sealed { id })
            }
            (Visibility::Sealed, Some(reason)) => {
                let reason = reason.trim();
                if reason.chars().count() < MIN_REASON_LENGTH || reason.chars().count() > 1000 {
                    return Err(Error::invalid(
                        "reason",
                        format!(
                            "Give your reason for opening this restricted record in {MIN_REASON_LENGTH} to 1000 characters"
                        ),
                    ));
                }
                let audit = self
                    .event(&actor, "officer.open_restricted", AuditCategory::Consult, ctx)
                    .record("officer", id)
                    .justification(reason);
                self.store.append_audit(&audit).await?;
                Ok(OfficerRecord::Open {
                    user: Box::new(user),
                    restriction,
                    opened_with_reason: Some(reason.to_string()),
                })
            }
        }
    }

    /// Restricts a record to the named users (the person restricting it is always on the list).
    pub async fn restrict_record(
        &self,
        by: By<'_>,
        record: &RecordRef,
        reason: &str,
        access_usernames: &[String],
        ctx: &RequestContext,
    ) -> Result<Restriction> {
        by.require(Permission::RecordRestrict)?;
        let reason = reason.trim();
        let mut errors = Vec::new();
        if reason.chars().count() < MIN_REASON_LENGTH || reason.chars().count() > 1000 {
            errors.push(FieldError::new(
                "reason",
                format!("Say why the record is restricted in {MIN_REASON_LENGTH} to 1000 characters"),
            ));
        }
        let mut access_list = Vec::new();
        if let By::User(p) = by {
            access_list.push(p.user_id);
        }
        for name in access_usernames.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            match self.store.find_user_by_username(name).await? {
                Some(u) if !access_list.contains(&u.id) => access_list.push(u.id),
                Some(_) => {}
                None => errors.push(FieldError::new("access_list", format!("There is no user called '{name}'"))),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        if record.kind == "officer" && self.store.find_user(record.id).await?.is_none() {
            return Err(Error::NotFound);
        }
        let actor = by.actor();
        let restriction = Restriction {
            record: record.clone(),
            reason: reason.to_string(),
            access_list,
            restricted_by: actor.id.unwrap_or(Uuid::nil()),
            restricted_at: self.now(),
        };
        let audit = self
            .event(&actor, "record.restrict", AuditCategory::Alter, ctx)
            .record(&record.kind, record.id)
            .justification(reason)
            .after(&serde_json::json!({ "access_list": restriction.access_list }));
        self.store.set_restriction(record, Some(&restriction), &audit).await?;
        Ok(restriction)
    }

    pub async fn lift_restriction(&self, by: By<'_>, record: &RecordRef, ctx: &RequestContext) -> Result<()> {
        by.require(Permission::RecordRestrict)?;
        let audit =
            self.event(&by.actor(), "record.unrestrict", AuditCategory::Alter, ctx).record(&record.kind, record.id);
        self.store.set_restriction(record, None, &audit).await
    }

    // ---- The audit trail ------------------------------------------------------------------------

    /// Searches the trail. The search is itself audited, before any result is returned.
    pub async fn search_audit(&self, by: By<'_>, query: &AuditQuery, ctx: &RequestContext) -> Result<Vec<AuditEvent>> {
        by.require(Permission::AuditRead)?;
        let mut query = query.clone();
        query.limit = query.limit.clamp(1, MAX_PAGE);
        let audit = self.event(&by.actor(), "audit.search", AuditCategory::Consult, ctx).after(&serde_json::json!({
            "actor": query.actor_name,
            "record_type": query.record_type,
            "record_id": query.record_id,
            "action": query.action,
            "from": query.from.map(|t| t.to_rfc3339()),
            "to": query.to.map(|t| t.to_rfc3339()),
            "before_seq": query.before_seq,
        }));
        self.store.append_audit(&audit).await?;
        self.store.search_audit(&query).await
    }

    /// Walks the whole trail in pages; `Ok(count)` when every chain checks out up to its head.
    pub async fn verify_audit(&self) -> Result<std::result::Result<u64, ChainFault>> {
        let mut verifier = ChainVerifier::new(&self.store.audit_heads().await?);
        loop {
            let page = self.store.audit_range(verifier.next_seq(), 1000).await?;
            if page.is_empty() {
                break;
            }
            for event in &page {
                if let Err(fault) = verifier.check(event) {
                    return Ok(Err(fault));
                }
            }
        }
        let heads_now = self.store.audit_heads().await?;
        Ok(verifier.finish(&heads_now).map(|()| verifier.checked))
    }
}
