//! The storage port. Two implementations: `bluelamp-store-sqlite` and `bluelamp-store-postgres`, held to
//! the same contract suite in `bluelamp-testkit`.
//!
//! Methods are shaped like operations, not tables: each write takes the audit event(s) that record it
//! and commits change and audit together or not at all. Transactions never cross this boundary.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Result;
use crate::audit::{AuditEvent, AuditQuery, ChainHead, NewAuditEvent};
use crate::incident::{GradeDecision, Incident, IncidentRecord, IncidentStatus, LogEntry, ThriveAssessment};
use crate::person::{IncidentRole, Person, SearchKeys};
use crate::resource::{Deployment, Resource, ResourceStatus};
use crate::restriction::{RecordRef, Restriction};
use crate::session::Session;
use crate::user::User;

/// A bearer token for API clients. Only the hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub token_hash: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What the database says about its schema against what this build knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Versions this build's migrations contain.
    pub known: Vec<i64>,
    /// Versions recorded as applied in the database.
    pub applied: Vec<i64>,
}

impl SchemaStatus {
    /// Versions applied that this build does not know: a newer bluelamp migrated this database.
    pub fn unknown_applied(&self) -> Vec<i64> {
        self.applied.iter().copied().filter(|v| !self.known.contains(v)).collect()
    }

    pub fn pending(&self) -> Vec<i64> {
        self.known.iter().copied().filter(|v| !self.applied.contains(v)).collect()
    }
}

/// What an incident change adds besides the new row values. Every change writes at least one log entry.
#[derive(Debug, Clone, PartialEq)]
pub enum IncidentChange {
    Log(LogEntry),
    Thrive(ThriveAssessment, LogEntry),
    Grade(GradeDecision, LogEntry),
    Close(LogEntry),
    /// Commits an available unit: fails with `Conflict` if the unit is no longer available.
    Deploy(Deployment, LogEntry),
    /// Marks a deployment arrived; the unit is at scene.
    Arrive {
        deployment_id: Uuid,
        resource_id: Uuid,
        at: DateTime<Utc>,
        log: LogEntry,
    },
    /// Links a person to the incident in a role.
    LinkPerson(crate::person::IncidentPerson, LogEntry),
    /// Ends a deployment; the unit is available again.
    Clear {
        deployment_id: Uuid,
        resource_id: Uuid,
        at: DateTime<Utc>,
        log: LogEntry,
    },
}

/// A new incident for [`Store::insert_incident`]. Everything is decided but the reference number,
/// which the store takes from `counter` (one per local day for incidents) inside its transaction and
/// hands to `complete`, a pure function giving the finished incident and its audit event.
pub struct NewIncidentWrite<'a> {
    pub counter: String,
    pub first_log: LogEntry,
    /// The first THRIVE assessment and the log line recording it.
    pub thrive: Option<(ThriveAssessment, LogEntry)>,
    /// People linked from the start, and the one log line naming them (present when `people` is not
    /// empty).
    pub people: Vec<crate::person::IncidentPerson>,
    pub people_log: Option<LogEntry>,
    pub complete: &'a (dyn Fn(i64) -> (Incident, NewAuditEvent) + Send + Sync),
}

/// One data.police.uk file's rows for [`Store::import_policeuk`]. The audit event is made by `audit`
/// from what the store newly wrote, inside the transaction, so it carries the real counts.
pub struct PoliceUkWrite<'a> {
    pub source_file: &'a str,
    /// Crimes (with a Crime ID) and anti-social behaviour incidents (without), in file order, each
    /// with its key.
    pub records: &'a [crate::policeuk::PoliceUkRecord],
    pub imported_at: DateTime<Utc>,
    pub audit: &'a (dyn Fn(&crate::policeuk::PoliceUkImported) -> NewAuditEvent + Send + Sync),
}

/// A list of incidents. Filters combine with AND; results are ordered by when attendance is due
/// (ungraded first, then soonest due), then by when the call came in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentQuery {
    pub status: Option<IncidentStatus>,
    pub division: Option<String>,
    pub limit: u32,
    /// Rows to skip first, in that order (paging).
    pub offset: u32,
}

/// What THRIVE sampling needs of a graded incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradedKey {
    pub id: Uuid,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
    pub graded_at: Option<DateTime<Utc>>,
}

/// Counts over every incident an [`IncidentQuery`]'s filters match (its limit and offset aside).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IncidentCounts {
    pub total: i64,
    /// Open with attendance overdue: [`crate::incident::is_breaching`].
    pub breaching: i64,
    /// Not yet graded.
    pub ungraded: i64,
    /// Recorded by the user asked about (0 when none was).
    pub mine: i64,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is ("sqlite" or "postgres"), for logs and the ready check.
    fn backend(&self) -> &'static str;
    async fn migrate(&self) -> Result<()>;
    async fn schema_status(&self) -> Result<SchemaStatus>;
    /// Cheap round trip for `/readyz`.
    async fn ping(&self) -> Result<()>;

    // Users.
    async fn insert_user(&self, user: &User, audit: &NewAuditEvent) -> Result<()>;
    /// Replaces the user's fields, roles and specialisms; with `revoke_sessions`, deletes every session
    /// of the user in the same transaction.
    async fn update_user(&self, user: &User, revoke_sessions: bool, audit: &NewAuditEvent) -> Result<()>;
    async fn find_user(&self, id: Uuid) -> Result<Option<User>>;
    async fn find_user_by_username(&self, username: &str) -> Result<Option<User>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    /// The divisions users belong to, sorted, without duplicates or blanks.
    async fn list_divisions(&self) -> Result<Vec<String>>;
    async fn count_users(&self) -> Result<i64>;

    // Sessions.
    /// Stores a new session and clears the user's failed sign-in count and lock, in one transaction.
    async fn start_session(&self, session: &Session, audit: &NewAuditEvent) -> Result<()>;
    /// The session with this token hash and its user (with roles and specialisms), in one query: what
    /// every signed-in request needs.
    async fn find_session(&self, token_hash: &str) -> Result<Option<(Session, User)>>;
    async fn touch_session(&self, id: Uuid, at: DateTime<Utc>) -> Result<()>;
    /// Deletes one session without an audit event (expiry clean-up).
    async fn delete_session(&self, id: Uuid) -> Result<()>;
    /// Deletes every session of a user; returns how many.
    async fn revoke_sessions(&self, user_id: Uuid, audit: &NewAuditEvent) -> Result<u64>;
    async fn count_sessions(&self, user_id: Uuid) -> Result<i64>;

    // API tokens.
    async fn insert_api_token(&self, token: &ApiToken, audit: &NewAuditEvent) -> Result<()>;
    /// The token with this hash and its owner (with roles and specialisms), in one query, whether or
    /// not it is revoked or expired: the caller decides.
    async fn find_api_token(&self, token_hash: &str) -> Result<Option<(ApiToken, User)>>;
    async fn list_api_tokens(&self, user_id: Uuid) -> Result<Vec<ApiToken>>;
    async fn revoke_api_token(&self, id: Uuid, at: DateTime<Utc>, audit: &NewAuditEvent) -> Result<()>;

    // Restrictions.
    /// Sets (`Some`) or lifts (`None`) the restriction on a record.
    async fn set_restriction(
        &self,
        record: &RecordRef,
        restriction: Option<&Restriction>,
        audit: &NewAuditEvent,
    ) -> Result<()>;
    async fn find_restriction(&self, record: &RecordRef) -> Result<Option<Restriction>>;

    // Incidents.
    /// Stores a new incident with its first log entry and, when given, its first THRIVE assessment, and
    /// its audit event, in one transaction, after taking the next number of `write.counter`. A number
    /// is never used twice. SQLite takes it inside the transaction (its writes are serialised anyway),
    /// so a failed save takes none; PostgreSQL commits it on its own first, so that concurrent
    /// recordings do not queue on the counter row until each commits, and a failed save leaves a gap.
    /// Returns the incident as stored.
    async fn insert_incident(&self, write: &NewIncidentWrite<'_>) -> Result<Incident>;
    /// Writes the incident's new values and the change's rows, if and only if the stored version is
    /// still `expected_version` (otherwise `Conflict`); the stored version becomes `incident.version`.
    async fn update_incident(
        &self,
        incident: &Incident,
        expected_version: i64,
        change: &IncidentChange,
        audit: &NewAuditEvent,
    ) -> Result<()>;
    async fn find_incident(&self, id: Uuid) -> Result<Option<IncidentRecord>>;
    /// Incidents received since `since` whose address key or phone key (see `incident::address_key`,
    /// `incident::phone_key`) equals the given one; empty keys match nothing. Newest first.
    async fn find_related_incidents(
        &self,
        address_key: &str,
        phone_key: &str,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Incident>>;
    /// Incidents whose NCRS decision is due before `due_before` and not yet made, soonest due first.
    async fn list_ncrs_due(&self, due_before: DateTime<Utc>, limit: u32) -> Result<Vec<Incident>>;
    async fn list_incidents(&self, query: &IncidentQuery) -> Result<Vec<Incident>>;
    /// How many incidents match `query`'s filters, and how many of them are breaching at `now`
    /// (open, due before `now`), without loading them.
    /// Counts over the incidents `query` selects (its limit and offset aside); `mine` counts those
    /// that user recorded.
    async fn count_incidents(
        &self,
        query: &IncidentQuery,
        now: DateTime<Utc>,
        mine: Option<Uuid>,
    ) -> Result<IncidentCounts>;

    // People (POLE).
    async fn insert_person(&self, person: &Person, audit: &NewAuditEvent) -> Result<()>;
    /// Replaces the person's fields, names, addresses, phones and markers if the stored version is
    /// still `expected_version` (otherwise `Conflict`).
    async fn update_person(&self, person: &Person, expected_version: i64, audit: &NewAuditEvent) -> Result<()>;
    async fn find_person(&self, id: Uuid) -> Result<Option<Person>>;
    /// (id, name used) of those of `ids` that are people; unknown ids are left out. One query.
    async fn person_names(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>>;
    /// People with any name, date of birth, address or phone matching the keys (see
    /// [`SearchKeys`]); at most `limit`, in no particular order (the core ranks them).
    async fn find_person_candidates(&self, keys: &SearchKeys, limit: u32) -> Result<Vec<Person>>;
    /// (person id, role, incident) for every incident received since `since` that links any of the
    /// people, newest first.
    async fn find_people_incidents(
        &self,
        person_ids: &[Uuid],
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(Uuid, IncidentRole, Incident)>>;
    /// Stores a merge request awaiting review; a second open request for the same two people
    /// (either way round) is a `Conflict`.
    async fn insert_person_merge(&self, merge: &crate::merge::PersonMerge, audit: &NewAuditEvent) -> Result<()>;
    async fn find_person_merge(&self, id: Uuid) -> Result<Option<crate::merge::PersonMerge>>;
    /// Merges in `status`: awaiting review oldest request first, the others newest decision first.
    async fn list_person_merges(
        &self,
        status: crate::merge::MergeStatus,
        limit: u32,
    ) -> Result<Vec<crate::merge::PersonMerge>>;
    /// Every merge the person is part of (as survivor or duplicate), newest request first.
    async fn person_merges_of(&self, person_id: Uuid) -> Result<Vec<crate::merge::PersonMerge>>;
    /// The rows a merge moved or kept, as recorded when it was applied (names first).
    async fn merge_moves(&self, merge_id: Uuid) -> Result<Vec<crate::merge::MergeMove>>;
    /// Marks a merge rejected if it still awaits review (otherwise `Conflict`).
    async fn reject_person_merge(&self, merge: &crate::merge::PersonMerge, audit: &NewAuditEvent) -> Result<()>;
    /// Applies a merge in one transaction (see [`crate::merge::MergeApplyWrite`]); returns the rows
    /// moved and kept.
    async fn apply_person_merge(
        &self,
        write: &crate::merge::MergeApplyWrite<'_>,
    ) -> Result<Vec<crate::merge::MergeMove>>;
    /// Undoes an applied merge in one transaction (see [`crate::merge::UnmergeWrite`]); returns the
    /// rows moved back.
    async fn unmerge_person(&self, write: &crate::merge::UnmergeWrite<'_>) -> Result<Vec<crate::merge::MergeMove>>;

    // Crimes.
    /// Takes the year's next crime number, then stores the crime `write.complete` makes with its
    /// people, first classification and audit event, and (when it comes from an incident) gives the
    /// incident the crime number, all in one transaction.
    async fn insert_crime(&self, write: &crate::crime::NewCrimeWrite<'_>) -> Result<crate::crime::Crime>;
    /// Writes the crime's new values and the change if the stored version is still
    /// `expected_version` (otherwise `Conflict`).
    async fn update_crime(
        &self,
        crime: &crate::crime::Crime,
        expected_version: i64,
        change: &crate::crime::CrimeChange,
        audit: &NewAuditEvent,
    ) -> Result<()>;
    async fn find_crime(&self, id: Uuid) -> Result<Option<crate::crime::CrimeRecord>>;
    /// Crimes recorded in [from, to), oldest first.
    async fn list_crimes_recorded(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<crate::crime::Crime>>;
    /// The most recently recorded crimes, newest first.
    async fn list_recent_crimes(&self, limit: u32) -> Result<Vec<crate::crime::Crime>>;
    /// The crime with this number (as stored, or in upper case).
    async fn find_crime_by_number(&self, number: &str) -> Result<Option<crate::crime::Crime>>;
    /// Objects stored under any of these identifier keys (see `pole::identifier_key`), each with
    /// the crimes it is linked to and its role there, newest crime first.
    async fn find_object_crimes(
        &self,
        keys: &[String],
    ) -> Result<Vec<(crate::pole::PoleObject, Vec<(crate::pole::ObjectRole, crate::crime::Crime)>)>>;

    // Cancellation delegations (the registrar's Designated Decision Makers).
    /// Every delegation, or one user's, newest first, with the delegate's user name.
    async fn list_delegations(&self, user_id: Option<Uuid>) -> Result<Vec<crate::cancel::Delegation>>;
    async fn insert_delegation(&self, delegation: &crate::cancel::Delegation, audit: &NewAuditEvent) -> Result<()>;
    /// Revokes a delegation not yet revoked (otherwise `Conflict`).
    async fn revoke_delegation(&self, id: Uuid, at: DateTime<Utc>, by_name: &str, audit: &NewAuditEvent) -> Result<()>;
    /// One page of the crimes `search` matches (see [`crate::crime_search::CrimeSearch`]), newest
    /// recorded first, and how many match in all, counted up to `crime_search::TOTAL_CAP + 1` (which
    /// means "more than the cap"). A radius is an index range on its bounding box, then the exact
    /// distance by `Radius::contains`.
    async fn search_crimes(&self, search: &crate::crime_search::CrimeSearch)
    -> Result<(Vec<crate::crime::Crime>, u64)>;

    // Triage and allocation (issue 6).
    /// Every open crime not yet allocated (status recorded or awaiting triage), oldest recorded first,
    /// up to `limit`, with its victims and its suspects or offenders.
    async fn list_unallocated_crimes(&self, limit: u32) -> Result<Vec<crate::triage::QueueRow>>;
    /// A crime's screening decisions and allocations, oldest first.
    async fn crime_triage_history(
        &self,
        crime_id: Uuid,
    ) -> Result<(Vec<crate::triage::Screening>, Vec<crate::triage::Allocation>)>;
    /// Open crimes (allocated or under investigation) per officer and offence group.
    async fn officer_caseloads(&self) -> Result<Vec<crate::triage::Caseload>>;
    /// (person, officer) for every open allocated crime any of these people is linked to as victim,
    /// suspect or offender: the officers who already know them.
    async fn officers_knowing(&self, people: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>>;
    /// Allocates every crime in one transaction with one audit event each: all of them if every
    /// crime is still at its expected version, otherwise none, and `Conflict` naming each crime
    /// someone else changed.
    async fn allocate_crimes(&self, writes: &[crate::triage::AllocationWrite], audits: &[NewAuditEvent]) -> Result<()>;
    /// Leave that has not ended by `at`, soonest first.
    async fn list_leave(&self, at: DateTime<Utc>) -> Result<Vec<crate::triage::Leave>>;
    async fn insert_leave(&self, leave: &crate::triage::Leave, audit: &NewAuditEvent) -> Result<()>;
    /// Removes a period of leave (`NotFound` when there is none with this id).
    async fn delete_leave(&self, id: Uuid, audit: &NewAuditEvent) -> Result<()>;
    /// Officers' own caseload caps.
    async fn list_officer_caps(&self) -> Result<Vec<(Uuid, u32)>>;
    async fn set_officer_cap(
        &self,
        user_id: Uuid,
        cap: u32,
        by_name: &str,
        at: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<()>;
    /// When crimes were recorded, first allocated and screened out since `since`.
    async fn triage_flow(&self, since: DateTime<Utc>) -> Result<crate::triage::TriageFlow>;

    // Investigations and outcomes (issue 7).
    /// A crime's actions, reviews and outcome decisions, oldest first.
    async fn investigation(&self, crime_id: Uuid) -> Result<crate::investigation_use::Investigation>;
    async fn find_action(&self, id: Uuid) -> Result<Option<crate::investigation::Action>>;
    async fn insert_action(&self, action: &crate::investigation::Action, audit: &NewAuditEvent) -> Result<()>;
    /// Writes the action if its stored status is still `expected` (otherwise `Conflict`).
    async fn update_action(
        &self,
        action: &crate::investigation::Action,
        expected: crate::investigation::ActionStatus,
        audit: &NewAuditEvent,
    ) -> Result<()>;
    /// Open crimes (allocated or under investigation) allocated to the officer, next review due first.
    async fn officer_crimes(&self, officer: Uuid) -> Result<Vec<crate::crime::Crime>>;
    /// Open actions the officer owns on any crime, soonest due first.
    async fn officer_actions(&self, officer: Uuid) -> Result<Vec<crate::investigation_use::OwnedAction>>;
    /// Open allocated crimes whose review was due before `now`, longest overdue first, at most `limit`.
    async fn overdue_reviews(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<crate::crime::Crime>>;
    /// Outcome decisions awaiting authorisation with their crimes, oldest proposed first.
    async fn pending_outcomes(&self) -> Result<Vec<(crate::investigation_use::OutcomeDecision, crate::crime::Crime)>>;
    /// Open allocated crimes with a review due before `now` (overdue) and before `escalate_before`
    /// (escalated), and decisions awaiting authorisation.
    async fn supervision_counts(
        &self,
        now: DateTime<Utc>,
        escalate_before: DateTime<Utc>,
    ) -> Result<crate::investigation_use::SupervisionCounts>;

    // Outcome analytics and case-file review (issue 7).
    /// Crimes finalised in [from, to) with an outcome, counted by outcome and by the dimension's
    /// key: the offence group, the allocated officer's team (empty when unallocated) or the
    /// allocated officer's id (empty when unallocated; the label is the officer's name).
    async fn outcome_mix(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        by: crate::outcome_stats::Dimension,
    ) -> Result<Vec<crate::outcome_stats::MixCount>>;
    /// Crimes recorded in [from, to).
    async fn count_crimes_recorded(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<u64>;
    /// Crimes finalised in [from, to) whose dimension key is `key` (as [`Store::outcome_mix`] gives
    /// it; any key when `None`) and, when given, whose outcome is `outcome`; newest finalised first,
    /// at most `limit`.
    async fn outcome_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        by: crate::outcome_stats::Dimension,
        key: Option<&str>,
        outcome: Option<&str>,
        limit: u32,
    ) -> Result<Vec<crate::crime::Crime>>;
    /// Every crime finalised in [from, to) with an outcome: what sampling draws from.
    async fn casefile_candidates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::casefile::Candidate>>;
    /// Stores a sample and its files, in order, with the audit event.
    async fn insert_casefile_sample(
        &self,
        sample: &crate::casefile_use::Sample,
        files: &[crate::casefile::Candidate],
        audit: &NewAuditEvent,
    ) -> Result<()>;
    /// Samples, newest first.
    async fn list_casefile_samples(&self, limit: u32) -> Result<Vec<crate::casefile_use::Sample>>;
    /// A sample and its files in drawing order, each with its crime's number and offence and
    /// whether it has been reviewed.
    async fn find_casefile_sample(
        &self,
        id: Uuid,
    ) -> Result<Option<(crate::casefile_use::Sample, Vec<crate::casefile_use::SampleItem>)>>;
    /// Stores a review; a second review of the same file of the same sample is a `Conflict`.
    async fn insert_casefile_review(
        &self,
        review: &crate::casefile_use::FileReview,
        audit: &NewAuditEvent,
    ) -> Result<()>;
    /// Reviews of one sample, or reviewed in [from, to), oldest first.
    async fn list_casefile_reviews(
        &self,
        sample: Option<Uuid>,
        reviewed: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<crate::casefile_use::FileReview>>;

    // THRIVE quality.
    /// Incidents graded since `since` (by `graded_at`), newest first.
    async fn list_graded_incidents(&self, since: DateTime<Utc>, limit: u32) -> Result<Vec<Incident>>;
    /// The same incidents as [`Store::list_graded_incidents`], only what sampling needs: cheap to
    /// read in tens of thousands for a count.
    async fn list_graded_keys(&self, since: DateTime<Utc>, limit: u32) -> Result<Vec<GradedKey>>;
    /// Stores a review; a second review of the same incident is a `Conflict`.
    async fn insert_thrive_review(&self, review: &crate::quality::ThriveReview, audit: &NewAuditEvent) -> Result<()>;
    async fn list_thrive_reviews(&self, since: DateTime<Utc>) -> Result<Vec<crate::quality::ThriveReview>>;

    // Resources.
    async fn insert_resource(&self, resource: &Resource, audit: &NewAuditEvent) -> Result<()>;
    async fn find_resource(&self, id: Uuid) -> Result<Option<Resource>>;
    /// Units ordered by division and call sign.
    async fn list_resources(&self, division: Option<&str>) -> Result<Vec<Resource>>;
    /// Changes an uncommitted unit's status if it is still `expected` (otherwise `Conflict`).
    async fn update_resource_status(
        &self,
        resource: &Resource,
        expected: ResourceStatus,
        audit: &NewAuditEvent,
    ) -> Result<()>;

    // data.police.uk historical records (issue 4, the import).
    /// Stores the rows of `write` whose key is not stored yet (crimes in the historical crime table,
    /// anti-social behaviour in the historical incident table), leaves the others untouched, and
    /// appends the event `write.audit` makes from what was written, all in one transaction. Returns
    /// the rows newly stored, by crime type.
    async fn import_policeuk(&self, write: &PoliceUkWrite<'_>) -> Result<crate::policeuk::PoliceUkImported>;
    /// Stored historical crimes and incidents, counted by crime type and by last outcome.
    async fn policeuk_counts(&self) -> Result<crate::policeuk::PoliceUkCounts>;
    /// The historical crimes and incidents of one month (`YYYY-MM`), in the order of their source
    /// files and lines, at most `limit`.
    async fn list_policeuk_records(&self, month: &str, limit: u32) -> Result<Vec<crate::policeuk::PoliceUkRecord>>;

    // Generated forces (issue 5, `bluelamp generate`).
    /// Writes a batch's rows, links its audit events into a chain, raises its counters and records
    /// its progress, all in one transaction.
    async fn bulk_load(&self, batch: &crate::bulk::BulkBatch) -> Result<()>;
    /// What a generated database says about itself; `None` if nothing was generated here.
    async fn generated_force(&self) -> Result<Option<crate::bulk::GeneratedForce>>;
    /// Whether any person, incident or crime is stored (a database to keep generated data out of).
    async fn holds_records(&self) -> Result<bool>;
    /// Before a bulk load into `tables`: sets their secondary indexes aside (keeping each definition
    /// in the database until [`Store::bulk_finish`]); constraint indexes stay. Does nothing if they
    /// are already set aside (a resumed run).
    async fn bulk_begin(&self, tables: &[&str]) -> Result<()>;
    /// After a bulk load: rebuilds the indexes set aside and refreshes the planner's statistics.
    async fn bulk_finish(&self) -> Result<()>;
    /// Where the database keeps its files, when the server says and is on this machine (for a
    /// free-space check before a bulk load).
    async fn data_directory(&self) -> Result<Option<String>> {
        Ok(None)
    }

    // Audit.
    /// Appends one event on its own (views, searches, sign-in failures, refusals).
    async fn append_audit(&self, event: &NewAuditEvent) -> Result<AuditEvent>;
    async fn search_audit(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>>;
    /// Events with `seq >= from_seq` in order, at most `limit`: for verification.
    async fn audit_range(&self, from_seq: i64, limit: u32) -> Result<Vec<AuditEvent>>;
    /// The head of every chain, by chain number.
    async fn audit_heads(&self) -> Result<Vec<ChainHead>>;
    /// The newest event over all chains: its sequence number and hash.
    async fn audit_head(&self) -> Result<(i64, String)> {
        Ok(crate::audit::newest(&self.audit_heads().await?))
    }
}
