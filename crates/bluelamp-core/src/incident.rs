//! Incidents: calls for service as the control room records them (REFERENCE.md §3 NSIR and grading,
//! §4 THRIVE). The rules here are pure; the use cases at the end make one Store call each.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::Core;
use crate::access::{Permission, Principal, named_enum};
use crate::audit::{AuditCategory, RequestContext};
use crate::core::By;
use crate::error::FieldError;
use crate::error::{Error, Result};
use crate::reference::NsirList;
use crate::store::{IncidentChange, IncidentQuery, NewIncidentWrite};

named_enum!(
    /// How the call for service reached the force.
    Channel {
        Emergency999 => "999", "999 emergency call";
        NonEmergency101 => "101", "101 non-emergency call";
        Online => "online", "Online report";
        WalkIn => "walk-in", "Front counter";
        PartnerAgency => "partner", "Partner agency";
        OfficerGenerated => "officer", "Officer generated";
    }
);

named_enum!(
    /// Response grades (REFERENCE.md §3.2). Target times are set per force in [`GradeTargets`].
    Grade {
        Emergency => "emergency", "Emergency";
        Priority => "priority", "Priority";
        Scheduled => "scheduled", "Scheduled";
        ResolutionWithoutDeployment => "resolution", "Resolution without deployment";
    }
);

named_enum!(
    IncidentStatus {
        Open => "open", "Open";
        Closed => "closed", "Closed";
    }
);

named_enum!(
    /// The six THRIVE elements (REFERENCE.md §4).
    ThriveElement {
        Threat => "threat", "Threat";
        Harm => "harm", "Harm";
        Risk => "risk", "Risk";
        Investigation => "investigation", "Investigation";
        Vulnerability => "vulnerability", "Vulnerability";
        Engagement => "engagement", "Engagement";
    }
);

named_enum!(
    /// The default rating scale; THRIVE has no national numeric scoring (REFERENCE.md §4), so the scale
    /// is a simple, configurable judgement.
    ThriveRating {
        Low => "low", "Low";
        Medium => "medium", "Medium";
        High => "high", "High";
    }
);

/// Attendance targets in minutes from the call, per grade, for urban and rural locations. The
/// defaults are Suffolk's (REFERENCE.md §3.2); targets are set locally, so a force configures its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradeTargets {
    pub emergency_urban: i64,
    pub emergency_rural: i64,
    pub priority_urban: i64,
    pub priority_rural: i64,
    pub scheduled: i64,
}

impl Default for GradeTargets {
    fn default() -> Self {
        GradeTargets {
            emergency_urban: 15,
            emergency_rural: 20,
            priority_urban: 60,
            priority_rural: 60,
            scheduled: 48 * 60,
        }
    }
}

impl GradeTargets {
    /// When attendance is due, or `None` for resolution without deployment.
    pub fn due_at(&self, grade: Grade, received_at: DateTime<Utc>, is_rural: bool) -> Option<DateTime<Utc>> {
        let minutes = match (grade, is_rural) {
            (Grade::Emergency, false) => self.emergency_urban,
            (Grade::Emergency, true) => self.emergency_rural,
            (Grade::Priority, false) => self.priority_urban,
            (Grade::Priority, true) => self.priority_rural,
            (Grade::Scheduled, _) => self.scheduled,
            (Grade::ResolutionWithoutDeployment, _) => return None,
        };
        Some(received_at + Duration::minutes(minutes))
    }
}

/// One THRIVE element: a rating and the handler's reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThriveEntry {
    pub element: ThriveElement,
    pub rating: ThriveRating,
    pub rationale: String,
}

/// A complete THRIVE assessment. Re-assessment adds a new one; history is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThriveAssessment {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub entries: Vec<ThriveEntry>,
    pub assessed_by: Uuid,
    pub assessed_by_name: String,
    pub assessed_at: DateTime<Utc>,
}

/// THRIVE as entered: element → (rating, rationale), any of it possibly missing.
#[derive(Debug, Clone, Default)]
pub struct ThriveInput {
    pub entries: Vec<(String, String, String)>,
}

pub const MIN_RATIONALE: usize = 5;

/// Every element must have a rating from the scale and a rationale; every gap is named.
pub fn validate_thrive(input: &ThriveInput) -> Result<Vec<ThriveEntry>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for element in ThriveElement::ALL {
        let given = input.entries.iter().find(|(e, _, _)| e == element.as_str());
        let field = |part: &str| format!("thrive.{}.{part}", element.as_str());
        let (rating, rationale) = match given {
            Some((_, r, why)) => (r.trim(), why.trim()),
            None => ("", ""),
        };
        let rating = match rating.parse::<ThriveRating>() {
            Ok(r) => Some(r),
            Err(_) => {
                errors.push(FieldError::new(field("rating"), format!("Choose a rating for {}", element.label())));
                None
            }
        };
        if rationale.chars().count() < MIN_RATIONALE {
            errors.push(FieldError::new(
                field("rationale"),
                format!("Give your reasons for the {} rating", element.label()),
            ));
        } else if rationale.chars().count() > 2000 {
            errors.push(FieldError::new(
                field("rationale"),
                format!("Keep the {} rationale to 2000 characters", element.label()),
            ));
        }
        if let Some(rating) = rating {
            entries.push(ThriveEntry { element: *element, rating, rationale: rationale.to_string() });
        }
    }
    if errors.is_empty() { Ok(entries) } else { Err(errors) }
}

/// A grade decision, kept as history: the first grading and every regrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeDecision {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub grade: Grade,
    pub due_at: Option<DateTime<Utc>>,
    /// Why, required for a regrade.
    pub reason: Option<String>,
    pub thrive_id: Uuid,
    pub decided_by: Uuid,
    pub decided_by_name: String,
    pub decided_at: DateTime<Utc>,
}

named_enum!(
    LogKind {
        Note => "note", "Note";
        Correction => "correction", "Correction";
        System => "system", "System";
    }
);

/// One line of the incident log. The log is append-only: a correction is a new entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub at: DateTime<Utc>,
    pub author_id: Option<Uuid>,
    pub author_name: String,
    pub kind: LogKind,
    pub text: String,
}

/// A stored incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: Uuid,
    pub reference: String,
    /// Bumped by every change; a change must name the version it saw (optimistic concurrency).
    pub version: i64,
    pub channel: Channel,
    pub status: IncidentStatus,
    pub received_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Uuid,
    pub caller_name: String,
    pub caller_phone: String,
    pub location_text: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub is_rural: bool,
    pub division: String,
    /// The beat and ward the coordinates fall in, from the force's boundaries at recording; empty
    /// when there are no coordinates or no such area there.
    pub beat: String,
    pub ward: String,
    pub opening_category: String,
    pub qualifiers: Vec<String>,
    pub grade: Option<Grade>,
    pub graded_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub closing_category: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub result: Option<String>,
    pub crime_reference: Option<String>,
    pub ncrs_reason: Option<String>,
    /// When the NCRS decision is due ([`ncrs_due_at`] under the force's NSIR list), kept up to date by
    /// every use case so the store can index it.
    pub ncrs_due_at: Option<DateTime<Utc>>,
}

/// An incident with its history, as the incident page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRecord {
    pub incident: Incident,
    pub log: Vec<LogEntry>,
    pub thrive: Vec<ThriveAssessment>,
    pub grades: Vec<GradeDecision>,
    pub deployments: Vec<crate::resource::Deployment>,
    /// People linked to the incident, in the order they were linked.
    pub people: Vec<crate::person::IncidentPerson>,
}

impl IncidentRecord {
    pub fn current_thrive(&self) -> Option<&ThriveAssessment> {
        self.thrive.iter().max_by_key(|t| t.assessed_at)
    }
}

/// A page of the control-room queue with counts over all of it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSlice {
    pub incidents: Vec<Incident>,
    /// Open incidents in the queue (at most the 2,000 the queue shows).
    pub total: i64,
    /// Of them, breaching their attendance target.
    pub breaching: i64,
    /// When the counts were taken.
    pub now: DateTime<Utc>,
}

/// A new incident as the call handler enters it.
#[derive(Debug, Clone, Default)]
pub struct NewIncident {
    pub channel: String,
    pub received_at: Option<DateTime<Utc>>,
    pub caller_name: String,
    pub caller_phone: String,
    pub location_text: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub is_rural: bool,
    pub division: String,
    pub opening_category: String,
    pub qualifiers: Vec<String>,
    pub summary: String,
}

/// The validated parts of a [`NewIncident`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidIncident {
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub qualifiers: Vec<String>,
}

pub(crate) fn text_rule(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    required: bool,
    max: usize,
    what: &str,
) {
    let n = value.trim().chars().count();
    if required && n == 0 {
        errors.push(FieldError::new(field, format!("Enter {what}")));
    } else if n > max {
        errors.push(FieldError::new(field, format!("Keep {what} to {max} characters")));
    }
}

impl NewIncident {
    /// All the rules for a new incident, every broken one named. `now` decides "in the future"; the
    /// categories and qualifiers come from the force's NSIR list.
    pub fn validate(&self, now: DateTime<Utc>, nsir: &NsirList) -> Result<ValidIncident, Vec<FieldError>> {
        let mut errors = Vec::new();
        let channel = self.channel.trim().parse::<Channel>().ok();
        if channel.is_none() {
            errors.push(FieldError::new("channel", "Choose how the call came in"));
        }
        let received_at = self.received_at.unwrap_or(now);
        if received_at > now + Duration::minutes(5) {
            errors.push(FieldError::new("received_at", "The call cannot have been received in the future"));
        }
        if received_at < now - Duration::days(365) {
            errors.push(FieldError::new("received_at", "The call was received more than a year ago; check the date"));
        }
        text_rule(&mut errors, "caller_name", &self.caller_name, false, 200, "the caller's name");
        let phone_ok = self.caller_phone.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c));
        if !phone_ok || self.caller_phone.trim().len() > 30 {
            errors.push(FieldError::new("caller_phone", "Enter a phone number using digits, spaces, +, ( ) or -"));
        }
        text_rule(&mut errors, "location_text", &self.location_text, true, 300, "where it is happening");
        text_rule(&mut errors, "division", &self.division, false, 100, "the division");
        text_rule(&mut errors, "summary", &self.summary, true, 4000, "what the caller says");
        match (self.latitude, self.longitude) {
            (None, None) => {}
            (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
            (Some(_), Some(_)) => {
                errors.push(FieldError::new("latitude", "Coordinates must be a latitude and longitude in degrees"))
            }
            _ => errors.push(FieldError::new("latitude", "Give both latitude and longitude, or neither")),
        }
        if nsir.category(self.opening_category.trim()).is_none() {
            errors.push(FieldError::new("opening_category", "Choose an opening category from the NSIR list"));
        }
        let mut qualifiers = Vec::new();
        for q in &self.qualifiers {
            let q = q.trim();
            if nsir.qualifier_label(q).is_none() {
                errors.push(FieldError::new("qualifiers", format!("'{q}' is not a qualifier")));
            } else if !qualifiers.iter().any(|x: &String| x == q) {
                qualifiers.push(q.to_string());
            }
        }
        match channel {
            Some(channel) if errors.is_empty() => Ok(ValidIncident { channel, received_at, qualifiers }),
            _ => Err(errors),
        }
    }
}

/// When the NCRS 24-hour decision is due for a crime-related incident: 24 hours from recording
/// (REFERENCE.md §2). `None` when the incident is not crime-related or the decision is made.
pub fn ncrs_due_at(incident: &Incident, nsir: &NsirList) -> Option<DateTime<Utc>> {
    let crime_related = std::iter::once(incident.opening_category.as_str())
        .chain(incident.closing_category.as_deref())
        .any(|code| nsir.is_crime_related(code));
    let decided = incident.crime_reference.is_some() || incident.ncrs_reason.is_some();
    (crime_related && !decided).then(|| incident.recorded_at + Duration::hours(24))
}

/// How closing must be done: a closing category, a result, and for crime-related incidents either a
/// crime reference or the reason no crime was recorded.
pub fn validate_closure(
    incident: &Incident,
    closing_category: &str,
    result: &str,
    crime_reference: Option<&str>,
    ncrs_reason: Option<&str>,
    nsir: &NsirList,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if incident.status == IncidentStatus::Closed {
        errors.push(FieldError::new("status", "This incident is already closed"));
    }
    if incident.grade.is_none() {
        errors.push(FieldError::new("grade", "Grade the incident before closing it"));
    }
    let category = nsir.category(closing_category.trim());
    if category.is_none() {
        errors.push(FieldError::new("closing_category", "Choose a closing category from the NSIR list"));
    }
    text_rule(&mut errors, "result", result, true, 2000, "the result");
    let crime_related =
        category.is_some_and(|c| c.is_crime_related) || nsir.is_crime_related(&incident.opening_category);
    let has_crime = crime_reference.is_some_and(|r| !r.trim().is_empty());
    let has_reason = ncrs_reason.is_some_and(|r| r.trim().chars().count() >= 10);
    if crime_related && !has_crime && !has_reason {
        errors.push(FieldError::new(
            "ncrs_reason",
            "This incident is crime-related: give the crime reference, or the reason no crime was recorded (10 characters or more)",
        ));
    }
    errors
}

/// The key two descriptions of one address share: lower case, letters and digits only, single spaces
/// ("14, Mill Rd." and "14 mill rd" match). Empty for an empty address.
pub fn address_key(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The key two ways of writing one UK phone number share: its last ten digits ("+44 7700 900123" and
/// "07700900123" match). Empty when there are fewer than six digits.
pub fn phone_key(text: &str) -> String {
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 6 { String::new() } else { digits[digits.len().saturating_sub(10)..].to_string() }
}

/// Why an earlier incident was flagged at intake.
/// Ranked in this order: a wanted or missing person, then safeguarding, vulnerability and warning
/// markers, then a repeat victim, the same person, the same phone, the same address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// Someone involved carries an active marker of this kind.
    Marker(crate::person::MarkerCategory),
    /// Someone involved was the victim in an earlier incident in the look-back window.
    RepeatVictim,
    /// Someone involved is linked to earlier incidents.
    Person,
    /// The same caller phoning again is the strongest sign among the untied checks.
    Phone,
    Address,
}

impl MatchKind {
    /// "marker:wanted", "repeat-victim", "person", "phone", "address".
    pub fn code(self) -> String {
        match self {
            MatchKind::Marker(c) => format!("marker:{c}"),
            MatchKind::RepeatVictim => "repeat-victim".into(),
            MatchKind::Person => "person".into(),
            MatchKind::Phone => "phone".into(),
            MatchKind::Address => "address".into(),
        }
    }
}

/// One intake check result: a kind of match, how many earlier incidents share it, over what span,
/// and the references, newest first. Ranked by kind, then count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeMatch {
    pub kind: MatchKind,
    pub count: usize,
    pub span_days: i64,
    pub references: Vec<String>,
    /// Qualifiers seen on those incidents (domestic abuse, mental health, …).
    pub qualifiers: Vec<String>,
    /// The person the match is about (person, repeat-victim and marker matches).
    pub person: Option<String>,
    /// A marker's detail.
    pub detail: Option<String>,
}

impl IntakeMatch {
    /// One match over the earlier incidents that share it (newest first, each once); `None` if there
    /// are none.
    fn from_hits(
        kind: MatchKind,
        mut hits: Vec<&Incident>,
        now: DateTime<Utc>,
        person: Option<String>,
    ) -> Option<Self> {
        hits.sort_by_key(|i| (std::cmp::Reverse(i.received_at), i.id));
        hits.dedup_by_key(|i| i.id);
        let oldest = hits.iter().map(|i| i.received_at).min()?;
        let mut qualifiers: Vec<String> = hits.iter().flat_map(|i| i.qualifiers.iter().cloned()).collect();
        qualifiers.sort();
        qualifiers.dedup();
        Some(IntakeMatch {
            kind,
            count: hits.len(),
            span_days: (now - oldest).num_days() + 1,
            references: hits.iter().map(|i| i.reference.clone()).collect(),
            qualifiers,
            person,
            detail: None,
        })
    }

    /// "same address: 3 incidents in 60 days".
    pub fn explanation(&self) -> String {
        use crate::person::MarkerCategory as M;
        let who = self.person.as_deref().unwrap_or("someone involved");
        let detail = self.detail.as_deref().unwrap_or("");
        let plural = if self.count == 1 { "incident" } else { "incidents" };
        let span = format!("{} earlier {plural} in {} days", self.count, self.span_days.max(1));
        match self.kind {
            MatchKind::Marker(M::Wanted) => format!("{who} is wanted: {detail}"),
            MatchKind::Marker(M::Missing) => format!("{who} is reported missing: {detail}"),
            MatchKind::Marker(M::Safeguarding) => format!("{who} has a safeguarding marker: {detail}"),
            MatchKind::Marker(M::Vulnerability) => format!("{who} has a vulnerability marker: {detail}"),
            MatchKind::Marker(M::Warning) => format!("{who} has a warning signal: {detail}"),
            MatchKind::RepeatVictim => format!("{who} is a repeat victim: victim in {span}"),
            MatchKind::Person => format!("{who}: {span}"),
            MatchKind::Phone => format!("same phone number: {span}"),
            MatchKind::Address => format!("same address: {span}"),
        }
    }
}

/// Groups earlier incidents (already filtered to the look-back window) into ranked matches.
pub fn intake_matches(incident: &Incident, earlier: &[Incident], now: DateTime<Utc>) -> Vec<IntakeMatch> {
    let mut out = Vec::new();
    for kind in [MatchKind::Phone, MatchKind::Address] {
        let key = |i: &Incident| {
            if kind == MatchKind::Phone { phone_key(&i.caller_phone) } else { address_key(&i.location_text) }
        };
        let mine = key(incident);
        if mine.is_empty() {
            continue;
        }
        let hits: Vec<&Incident> = earlier.iter().filter(|i| i.id != incident.id && key(i) == mine).collect();
        out.extend(IntakeMatch::from_hits(kind, hits, now, None));
    }
    out.sort_by(|a, b| a.kind.cmp(&b.kind).then(b.count.cmp(&a.count)));
    out
}

/// The checks on the people linked to an incident: their active markers, whether they were the
/// victim in earlier incidents (a repeat victim) and any earlier incidents they are linked to.
/// `links` are (person, role, incident) for earlier incidents already filtered to the look-back
/// window; the current incident is ignored. REFERENCE.md §4: "repeat caller/victim check,
/// vulnerability flags"; a repeat victim here is a victim in at least one earlier incident in the
/// window (the window is the force's `intake_lookback_days`).
pub fn person_matches(
    incident: &Incident,
    people: &[crate::person::Person],
    links: &[(Uuid, crate::person::IncidentRole, Incident)],
    now: DateTime<Utc>,
) -> Vec<IntakeMatch> {
    let mut out = Vec::new();
    for person in people {
        let name = person.display_name();
        for marker in person.active_markers() {
            out.push(IntakeMatch {
                kind: MatchKind::Marker(marker.category),
                count: 0,
                span_days: (now - marker.set_at).num_days() + 1,
                references: Vec::new(),
                qualifiers: Vec::new(),
                person: Some(name.clone()),
                detail: Some(marker.detail.clone()),
            });
        }
        let mine: Vec<&(Uuid, crate::person::IncidentRole, Incident)> =
            links.iter().filter(|(p, _, i)| *p == person.id && i.id != incident.id).collect();
        for kind in [MatchKind::RepeatVictim, MatchKind::Person] {
            let hits: Vec<&Incident> = mine
                .iter()
                .filter(|(_, role, _)| kind == MatchKind::Person || *role == crate::person::IncidentRole::Victim)
                .map(|(_, _, i)| i)
                .collect();
            out.extend(IntakeMatch::from_hits(kind, hits, now, Some(name.clone())));
        }
    }
    out
}

/// Whether the incident's coordinates lie outside every configured area (never when no areas are
/// configured or no coordinates were given). Such incidents are kept and shown with a warning.
pub fn is_outside_force_area(incident: &Incident, areas: &crate::area::AreaMap) -> bool {
    match (incident.latitude, incident.longitude) {
        (Some(lat), Some(lon)) => areas.is_configured() && !areas.covers(lat, lon),
        _ => false,
    }
}

/// Whether an open incident has passed its attendance target.
pub fn is_breaching(incident: &Incident, now: DateTime<Utc>) -> bool {
    incident.status == IncidentStatus::Open && incident.due_at.is_some_and(|due| now > due)
}

/// `{yyyy}`, `{mm}`, `{dd}` (UK local date of the call) and `{seq}` / `{seq:N}` (the day's sequence,
/// zero-padded to N digits) in a force's reference format, e.g. `"{yyyy}{mm}{dd}-{seq:4}"`.
pub fn format_reference(pattern: &str, local_date: chrono::NaiveDate, seq: i64) -> String {
    use chrono::Datelike;
    let mut out = pattern
        .replace("{yyyy}", &format!("{:04}", local_date.year()))
        .replace("{yy}", &format!("{:02}", local_date.year() % 100))
        .replace("{mm}", &format!("{:02}", local_date.month()))
        .replace("{dd}", &format!("{:02}", local_date.day()));
    while let Some(start) = out.find("{seq") {
        let Some(end) = out[start..].find('}').map(|e| start + e) else { break };
        let width: usize = out[start + 4..end].trim_start_matches(':').parse().unwrap_or(0);
        out.replace_range(start..=end, &format!("{seq:0width$}"));
    }
    out
}

// ---- Use cases ------------------------------------------------------------------------------------

pub(crate) fn log_entry(incident_id: Uuid, at: DateTime<Utc>, by: &Principal, kind: LogKind, text: String) -> LogEntry {
    LogEntry {
        id: Uuid::now_v7(),
        incident_id,
        at,
        author_id: Some(by.user_id),
        author_name: by.username.clone(),
        kind,
        text,
    }
}

/// A THRIVE assessment by `by` at `now` and the log line that records it.
fn assessment(
    incident_id: Uuid,
    entries: Vec<ThriveEntry>,
    by: &Principal,
    now: DateTime<Utc>,
) -> (ThriveAssessment, LogEntry) {
    let summary =
        entries.iter().map(|e| format!("{} {}", e.element.label(), e.rating.as_str())).collect::<Vec<_>>().join(", ");
    let assessment = ThriveAssessment {
        id: Uuid::now_v7(),
        incident_id,
        entries,
        assessed_by: by.user_id,
        assessed_by_name: by.username.clone(),
        assessed_at: now,
    };
    let log = log_entry(incident_id, now, by, LogKind::System, format!("THRIVE assessed: {summary}"));
    (assessment, log)
}

/// What the audit trail keeps of an incident after a change.
fn audit_json(i: &Incident) -> serde_json::Value {
    serde_json::json!({
        "reference": i.reference,
        "version": i.version,
        "status": i.status.as_str(),
        "channel": i.channel.as_str(),
        "opening_category": i.opening_category,
        "qualifiers": i.qualifiers,
        "grade": i.grade.map(|g| g.as_str()),
        "closing_category": i.closing_category,
        "crime_reference": i.crime_reference,
        "ncrs_reason": i.ncrs_reason,
    })
}

impl Core {
    /// Records a new call for service.
    pub async fn record_incident(&self, by: &Principal, new: &NewIncident, ctx: &RequestContext) -> Result<Incident> {
        self.record_assessed_incident(by, new, None, &[], ctx).await
    }

    /// Records a new call for service and, when `thrive` is given, its first THRIVE assessment, and
    /// the `people` involved with their roles, in one store transaction with one audit event. Every
    /// broken rule is named; nothing is saved (and no reference number is taken) unless all hold.
    pub async fn record_assessed_incident(
        &self,
        by: &Principal,
        new: &NewIncident,
        thrive: Option<&ThriveInput>,
        people: &[(Uuid, crate::person::IncidentRole)],
        ctx: &RequestContext,
    ) -> Result<Incident> {
        by.require(Permission::IncidentRecord)?;
        if !people.is_empty() {
            by.require(Permission::PersonView)?;
        }
        let now = self.now();
        let ids: Vec<Uuid> = people.iter().map(|(id, _)| *id).collect();
        let names = if ids.is_empty() { Vec::new() } else { self.store.person_names(&ids).await? };
        let mut people_errors = Vec::new();
        for (n, (id, role)) in people.iter().enumerate() {
            if !names.iter().any(|(known, _)| known == id) {
                people_errors
                    .push(FieldError::new(format!("people.{n}.person_id"), "No such person: search for them first"));
            } else if people[..n].iter().any(|(other, r)| other == id && r == role) {
                people_errors
                    .push(FieldError::new(format!("people.{n}.role"), "This person is already listed in this role"));
            }
        }
        let (valid, entries) = match (new.validate(now, &self.settings.nsir), thrive.map(validate_thrive).transpose()) {
            (Ok(valid), Ok(entries)) if people_errors.is_empty() => (valid, entries),
            (valid, entries) => {
                let mut errors = valid.err().unwrap_or_default();
                errors.extend(entries.err().unwrap_or_default());
                errors.extend(people_errors);
                return Err(Error::Invalid(errors));
            }
        };
        let place = match (new.latitude, new.longitude) {
            (Some(lat), Some(lon)) => self.settings.areas.place(lat, lon),
            _ => crate::area::Place::default(),
        };
        let mut incident = Incident {
            id: Uuid::now_v7(),
            reference: String::new(),
            version: 1,
            channel: valid.channel,
            status: IncidentStatus::Open,
            received_at: valid.received_at.min(now),
            recorded_at: now,
            recorded_by: by.user_id,
            caller_name: new.caller_name.trim().to_string(),
            caller_phone: new.caller_phone.trim().to_string(),
            location_text: new.location_text.trim().to_string(),
            latitude: new.latitude,
            longitude: new.longitude,
            is_rural: new.is_rural,
            // The division the call's coordinates fall in, when the handler did not name one.
            division: match new.division.trim() {
                "" => place.division.unwrap_or("").to_string(),
                named => named.to_string(),
            },
            // Beat and ward always come from the coordinates (issue 3, point-in-polygon).
            beat: place.beat.unwrap_or("").to_string(),
            ward: place.ward.unwrap_or("").to_string(),
            opening_category: new.opening_category.trim().to_string(),
            qualifiers: valid.qualifiers,
            grade: None,
            graded_at: None,
            due_at: None,
            closing_category: None,
            closed_at: None,
            result: None,
            crime_reference: None,
            ncrs_reason: None,
            ncrs_due_at: None,
        };
        let local_day = incident.received_at.with_timezone(&chrono_tz::Europe::London).date_naive();
        incident.ncrs_due_at = ncrs_due_at(&incident, &self.settings.nsir);
        let first_log = log_entry(incident.id, now, by, LogKind::Note, new.summary.trim().to_string());
        let thrive = entries.map(|entries| assessment(incident.id, entries, by, now));
        let ratings: Option<serde_json::Map<String, serde_json::Value>> = thrive.as_ref().map(|(t, _)| {
            t.entries.iter().map(|e| (e.element.as_str().to_string(), e.rating.as_str().into())).collect()
        });
        let base_audit = self
            .event(&By::User(by).actor(), "incident.record", AuditCategory::Collect, ctx)
            .record("incident", incident.id);
        let links: Vec<crate::person::IncidentPerson> = people
            .iter()
            .map(|(person_id, role)| crate::person::IncidentPerson {
                incident_id: incident.id,
                person_id: *person_id,
                role: *role,
                linked_at: now,
                linked_by_name: by.username.clone(),
                name: names.iter().find(|(id, _)| id == person_id).map(|(_, n)| n.clone()).unwrap_or_default(),
            })
            .collect();
        let people_log = (!links.is_empty()).then(|| {
            let listed: Vec<String> =
                links.iter().map(|l| format!("{} as {}", l.name, l.role.label().to_lowercase())).collect();
            log_entry(incident.id, now, by, LogKind::System, format!("Linked {}", listed.join("; ")))
        });
        let linked: Vec<serde_json::Value> =
            links.iter().map(|l| serde_json::json!({"person": l.person_id, "role": l.role.as_str()})).collect();
        let pattern = &self.settings.incident_reference_format;
        // Everything but the number is decided; the store takes the number in its transaction.
        let complete = |number: i64| {
            let mut incident = incident.clone();
            incident.reference = format_reference(pattern, local_day, number);
            let mut after = audit_json(&incident);
            if let (Some(ratings), Some(fields)) = (&ratings, after.as_object_mut()) {
                fields.insert("thrive".into(), serde_json::Value::Object(ratings.clone()));
            }
            if let (false, Some(fields)) = (linked.is_empty(), after.as_object_mut()) {
                fields.insert("people".into(), serde_json::Value::Array(linked.clone()));
            }
            (incident, base_audit.clone().after(&after))
        };
        let write = NewIncidentWrite {
            counter: format!("incident:{local_day}"),
            first_log,
            thrive,
            people: links,
            people_log,
            complete: &complete,
        };
        self.store.insert_incident(&write).await
    }

    /// One incident with its log, THRIVE history and grades. Audited before anything is returned.
    pub async fn view_incident(&self, by: &Principal, id: Uuid, ctx: &RequestContext) -> Result<IncidentRecord> {
        by.require(Permission::IncidentView)?;
        let record = self.store.find_incident(id).await?.ok_or(Error::NotFound)?;
        let audit =
            self.event(&By::User(by).actor(), "incident.view", AuditCategory::Consult, ctx).record("incident", id);
        self.store.append_audit(&audit).await?;
        Ok(record)
    }

    /// Earlier incidents at the same address or from the same phone in the look-back window, ranked
    /// and explained, for the handler to see before grading.
    pub async fn intake_checks(&self, by: &Principal, record: &IncidentRecord) -> Result<Vec<IntakeMatch>> {
        by.require(Permission::IncidentView)?;
        let incident = &record.incident;
        let now = self.now();
        let since = now - Duration::days(self.settings.intake_lookback_days);
        let earlier = self
            .store
            .find_related_incidents(
                &address_key(&incident.location_text),
                &phone_key(&incident.caller_phone),
                since,
                200,
            )
            .await?;
        let mut matches = intake_matches(incident, &earlier, now);
        let mut ids: Vec<Uuid> = record.people.iter().map(|p| p.person_id).collect();
        ids.sort();
        ids.dedup();
        if !ids.is_empty() {
            let mut people = Vec::with_capacity(ids.len());
            for id in &ids {
                if let Some(person) = self.store.find_person(*id).await? {
                    people.push(person);
                }
            }
            let links = self.store.find_people_incidents(&ids, since, 500).await?;
            matches.extend(person_matches(incident, &people, &links, now));
            matches.sort_by(|a, b| a.kind.cmp(&b.kind).then(b.count.cmp(&a.count)));
        }
        Ok(matches)
    }

    /// Links a person to an incident in a role (once per role).
    pub async fn link_person(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        person_id: Uuid,
        role: crate::person::IncidentRole,
        ctx: &RequestContext,
    ) -> Result<Incident> {
        by.require(Permission::PersonView)?;
        let person = self
            .store
            .find_person(person_id)
            .await?
            .ok_or_else(|| Error::invalid("person", "Choose a person from the search"))?;
        self.change_incident(
            by,
            id,
            version,
            "incident.person.link",
            |i, record, now| {
                if record.people.iter().any(|p| p.person_id == person_id && p.role == role) {
                    return Err(Error::invalid(
                        "role",
                        format!("{} is already linked as {}", person.display_name(), role.label().to_lowercase()),
                    ));
                }
                let link = crate::person::IncidentPerson {
                    incident_id: i.id,
                    person_id,
                    role,
                    linked_at: now,
                    linked_by_name: by.username.clone(),
                    name: person.display_name(),
                };
                let log = log_entry(
                    i.id,
                    now,
                    by,
                    LogKind::System,
                    format!("{} linked as {}", person.display_name(), role.label().to_lowercase()),
                );
                Ok(IncidentChange::LinkPerson(link, log))
            },
            ctx,
        )
        .await
    }

    /// Crime-related incidents whose NCRS decision (a crime, or the reason for none) is overdue or due
    /// within `within_hours`, most overdue first.
    pub async fn ncrs_list(&self, by: &Principal, within_hours: i64, ctx: &RequestContext) -> Result<Vec<Incident>> {
        by.require(Permission::NcrsView)?;
        if !(0..=24 * 7).contains(&within_hours) {
            return Err(Error::invalid("within_hours", "Choose 0 to 168 hours"));
        }
        let audit = self
            .event(&By::User(by).actor(), "incident.ncrs_list", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({ "within_hours": within_hours }));
        self.store.append_audit(&audit).await?;
        self.store.list_ncrs_due(self.now() + Duration::hours(within_hours), 2000).await
    }

    /// The control-room queue: open incidents, most urgent first.
    pub async fn incident_queue(
        &self,
        by: &Principal,
        division: Option<&str>,
        ctx: &RequestContext,
    ) -> Result<Vec<Incident>> {
        by.require(Permission::IncidentView)?;
        let division = division.map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
        let audit = self
            .event(&By::User(by).actor(), "incident.queue", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({ "division": division }));
        self.store.append_audit(&audit).await?;
        self.store
            .list_incidents(&IncidentQuery { status: Some(IncidentStatus::Open), division, limit: 2000, offset: 0 })
            .await
    }

    /// One page of the control-room queue (`limit` rows after `offset`, most urgent first) with counts
    /// over the whole queue, for the queue page: only the rows shown are loaded. Audited like
    /// [`Core::incident_queue`], before anything is read.
    pub async fn incident_queue_page(
        &self,
        by: &Principal,
        division: Option<&str>,
        offset: u32,
        limit: u32,
        ctx: &RequestContext,
    ) -> Result<QueueSlice> {
        by.require(Permission::IncidentView)?;
        let division = division.map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
        let audit = self
            .event(&By::User(by).actor(), "incident.queue", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({ "division": division, "offset": offset }));
        self.store.append_audit(&audit).await?;
        let now = self.now();
        let mut query = IncidentQuery { status: Some(IncidentStatus::Open), division, limit: 2000, offset: 0 };
        let counts = self.store.count_incidents(&query, now, None).await?;
        query.limit = limit.clamp(1, 2000);
        query.offset = offset;
        let incidents = self.store.list_incidents(&query).await?;
        Ok(QueueSlice { incidents, total: counts.total.min(2000), breaching: counts.breaching, now })
    }

    async fn change_incident(
        &self,
        by: &Principal,
        id: Uuid,
        expected_version: i64,
        action: &str,
        change: impl FnOnce(&mut Incident, &IncidentRecord, DateTime<Utc>) -> Result<IncidentChange>,
        ctx: &RequestContext,
    ) -> Result<Incident> {
        by.require(Permission::IncidentRecord)?;
        let record = self.store.find_incident(id).await?.ok_or(Error::NotFound)?;
        if record.incident.version != expected_version {
            return Err(Error::Conflict(format!(
                "incident {} was changed by someone else (version {} is now {}); reload it and try again",
                record.incident.reference, expected_version, record.incident.version
            )));
        }
        let before = audit_json(&record.incident);
        let mut incident = record.incident.clone();
        let now = self.now();
        let change = change(&mut incident, &record, now)?;
        incident.version = expected_version + 1;
        incident.ncrs_due_at = ncrs_due_at(&incident, &self.settings.nsir);
        let audit = self
            .event(&By::User(by).actor(), action, AuditCategory::Alter, ctx)
            .record("incident", id)
            .before(&before)
            .after(&audit_json(&incident));
        self.store.update_incident(&incident, expected_version, &change, &audit).await?;
        Ok(incident)
    }

    /// Adds a line to the log. Corrections are new lines too: nothing in the log is ever edited.
    pub async fn add_incident_log(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        text: &str,
        is_correction: bool,
        ctx: &RequestContext,
    ) -> Result<Incident> {
        let text = text.trim().to_string();
        if text.is_empty() || text.chars().count() > 4000 {
            return Err(Error::invalid("text", "Enter the log entry, up to 4000 characters"));
        }
        let kind = if is_correction { LogKind::Correction } else { LogKind::Note };
        self.change_incident(
            by,
            id,
            version,
            "incident.log",
            |i, _, now| Ok(IncidentChange::Log(log_entry(i.id, now, by, kind, text))),
            ctx,
        )
        .await
    }

    /// Records a complete THRIVE assessment (a re-assessment keeps the earlier ones).
    pub async fn assess_thrive(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        input: &ThriveInput,
        ctx: &RequestContext,
    ) -> Result<Incident> {
        let entries = validate_thrive(input).map_err(Error::Invalid)?;
        self.change_incident(
            by,
            id,
            version,
            "incident.thrive",
            |i, _, now| {
                if i.status == IncidentStatus::Closed {
                    return Err(Error::invalid("status", "This incident is closed"));
                }
                let (assessment, log) = assessment(i.id, entries, by, now);
                Ok(IncidentChange::Thrive(assessment, log))
            },
            ctx,
        )
        .await
    }

    /// Grades (or regrades, with a reason) against the current THRIVE assessment.
    pub async fn grade_incident(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        grade: &str,
        reason: Option<&str>,
        ctx: &RequestContext,
    ) -> Result<Incident> {
        let Ok(grade) = grade.trim().parse::<Grade>() else {
            return Err(Error::invalid("grade", "Choose a grade"));
        };
        let record = self.store.find_incident(id).await?.ok_or(Error::NotFound)?;
        let Some(thrive) = record.current_thrive().map(|t| t.id) else {
            return Err(Error::invalid("thrive", "Complete the THRIVE assessment before grading"));
        };
        let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        let is_regrade = record.incident.grade.is_some();
        if is_regrade && reason.as_ref().is_none_or(|r| r.chars().count() < 5) {
            return Err(Error::invalid("reason", "Say why the grade is changing"));
        }
        let targets = self.settings.grade_targets;
        self.change_incident(
            by,
            id,
            version,
            if is_regrade { "incident.regrade" } else { "incident.grade" },
            |i, _, now| {
                if i.status == IncidentStatus::Closed {
                    return Err(Error::invalid("status", "This incident is closed"));
                }
                let due_at = targets.due_at(grade, i.received_at, i.is_rural);
                let decision = GradeDecision {
                    id: Uuid::now_v7(),
                    incident_id: i.id,
                    grade,
                    due_at,
                    reason: reason.clone(),
                    thrive_id: thrive,
                    decided_by: by.user_id,
                    decided_by_name: by.username.clone(),
                    decided_at: now,
                };
                let from = i.grade.map(|g| format!(" from {}", g.label())).unwrap_or_default();
                let why = reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
                let due = due_at.map(|d| format!(" (attend by {})", crate::time::london(d))).unwrap_or_default();
                let text =
                    format!("{}{from} to {}{due}{why}", if is_regrade { "Regraded" } else { "Graded" }, grade.label());
                i.grade = Some(grade);
                i.due_at = due_at;
                if i.graded_at.is_none() {
                    i.graded_at = Some(now);
                }
                Ok(IncidentChange::Grade(decision, log_entry(i.id, now, by, LogKind::System, text)))
            },
            ctx,
        )
        .await
    }

    /// Closes with an NSIR closing category and a result; crime-related incidents need a crime
    /// reference or the NCRS reason no crime was recorded.
    #[allow(clippy::too_many_arguments)]
    pub async fn close_incident(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        closing_category: &str,
        result: &str,
        crime_reference: Option<&str>,
        ncrs_reason: Option<&str>,
        ctx: &RequestContext,
    ) -> Result<Incident> {
        self.change_incident(
            by,
            id,
            version,
            "incident.close",
            |i, record, now| {
                let nsir = &self.settings.nsir;
                let mut errors = validate_closure(i, closing_category, result, crime_reference, ncrs_reason, nsir);
                if record.deployments.iter().any(|d| d.is_active()) {
                    errors.push(FieldError::new("deployments", "Clear every deployed unit before closing"));
                }
                if !errors.is_empty() {
                    return Err(Error::Invalid(errors));
                }
                let clean = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
                i.status = IncidentStatus::Closed;
                i.closing_category = Some(closing_category.trim().to_string());
                i.result = Some(result.trim().to_string());
                i.crime_reference = clean(crime_reference);
                i.ncrs_reason = clean(ncrs_reason);
                i.closed_at = Some(now);
                let label = nsir.category(closing_category.trim()).map(|c| c.label.as_str()).unwrap_or("");
                let text = format!("Closed as {label}: {}", result.trim());
                Ok(IncidentChange::Close(log_entry(i.id, now, by, LogKind::System, text)))
            },
            ctx,
        )
        .await
    }

    /// Sends an available unit to an open incident.
    pub async fn deploy_unit(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        resource_id: Uuid,
        ctx: &RequestContext,
    ) -> Result<Incident> {
        let resource =
            self.store.find_resource(resource_id).await?.ok_or_else(|| Error::invalid("resource", "Choose a unit"))?;
        if resource.status != crate::resource::ResourceStatus::Available {
            return Err(Error::invalid(
                "resource",
                format!("{} is {}", resource.call_sign, resource.status.label().to_lowercase()),
            ));
        }
        self.change_incident(
            by,
            id,
            version,
            "incident.deploy",
            |i, _, now| {
                if i.status == IncidentStatus::Closed {
                    return Err(Error::invalid("status", "This incident is closed"));
                }
                let deployment = crate::resource::Deployment {
                    id: Uuid::now_v7(),
                    incident_id: i.id,
                    resource_id,
                    call_sign: resource.call_sign.clone(),
                    deployed_at: now,
                    deployed_by_name: by.username.clone(),
                    arrived_at: None,
                    cleared_at: None,
                };
                let log = log_entry(i.id, now, by, LogKind::System, format!("{} deployed", resource.call_sign));
                Ok(IncidentChange::Deploy(deployment, log))
            },
            ctx,
        )
        .await
    }

    /// Records a unit's arrival, now or at the time given (never before the call or the dispatch).
    pub async fn record_arrival(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        deployment_id: Uuid,
        arrived_at: Option<DateTime<Utc>>,
        ctx: &RequestContext,
    ) -> Result<Incident> {
        self.change_incident(
            by,
            id,
            version,
            "incident.arrive",
            |i, record, now| {
                let d = record
                    .deployments
                    .iter()
                    .find(|d| d.id == deployment_id && d.is_active() && d.arrived_at.is_none())
                    .ok_or_else(|| Error::invalid("deployment", "Choose a deployed unit that has not yet arrived"))?;
                let at = arrived_at.unwrap_or(now);
                let errors = crate::resource::validate_arrival(i.received_at, d.deployed_at, at, now);
                if !errors.is_empty() {
                    return Err(Error::Invalid(errors));
                }
                let minutes = (at - i.received_at).num_minutes();
                let log = log_entry(
                    i.id,
                    now,
                    by,
                    LogKind::System,
                    format!("{} at scene, {minutes} min after the call", d.call_sign),
                );
                Ok(IncidentChange::Arrive { deployment_id, resource_id: d.resource_id, at, log })
            },
            ctx,
        )
        .await
    }

    /// Stands a unit down from the incident; it becomes available.
    pub async fn clear_unit(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        deployment_id: Uuid,
        ctx: &RequestContext,
    ) -> Result<Incident> {
        self.change_incident(
            by,
            id,
            version,
            "incident.clear_unit",
            |i, record, now| {
                let d = record
                    .deployments
                    .iter()
                    .find(|d| d.id == deployment_id && d.is_active())
                    .ok_or_else(|| Error::invalid("deployment", "Choose a unit that is still deployed"))?;
                let log = log_entry(i.id, now, by, LogKind::System, format!("{} cleared", d.call_sign));
                Ok(IncidentChange::Clear { deployment_id, resource_id: d.resource_id, at: now, log })
            },
            ctx,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).single().expect("valid")
    }

    fn valid() -> NewIncident {
        NewIncident {
            channel: "999".into(),
            received_at: Some(now() - Duration::minutes(2)),
            caller_name: "Mary Lane".into(),
            caller_phone: "07700 900123".into(),
            location_text: "14 Mill Road, Oakfield".into(),
            latitude: Some(51.27),
            longitude: Some(0.52),
            is_rural: false,
            division: "East".into(),
            opening_category: "PSW-DOM".into(),
            qualifiers: vec!["domestic-abuse".into(), "domestic-abuse".into(), "repeat".into()],
            summary: "Caller says her partner is shouting and throwing things.".into(),
        }
    }

    #[test]
    fn a_valid_incident_passes() {
        let ok = valid().validate(now(), &NsirList::builtin()).expect("valid");
        assert_eq!(ok.channel, Channel::Emergency999);
        assert_eq!(ok.qualifiers, vec!["domestic-abuse".to_string(), "repeat".to_string()]);
    }

    #[test]
    fn every_broken_rule_is_named() {
        let bad = NewIncident {
            channel: "pigeon".into(),
            received_at: Some(now() + Duration::hours(1)),
            caller_phone: "call me".into(),
            location_text: " ".into(),
            latitude: Some(95.0),
            opening_category: "XYZ".into(),
            qualifiers: vec!["sparkly".into()],
            summary: "".into(),
            ..valid()
        };
        let fields: Vec<String> =
            bad.validate(now(), &NsirList::builtin()).expect_err("invalid").into_iter().map(|e| e.field).collect();
        for f in [
            "channel",
            "received_at",
            "caller_phone",
            "location_text",
            "summary",
            "latitude",
            "opening_category",
            "qualifiers",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} not reported in {fields:?}");
        }
    }

    #[test]
    fn thrive_needs_all_six_elements_with_reasons() {
        let errors = validate_thrive(&ThriveInput {
            entries: vec![("threat".into(), "high".into(), "Threats to kill made on the call".into())],
        })
        .expect_err("incomplete");
        assert_eq!(errors.len(), 10, "five missing ratings and five missing rationales: {errors:?}");
        assert!(errors.iter().any(|e| e.field == "thrive.vulnerability.rating"));
        let full = ThriveInput {
            entries: ThriveElement::ALL
                .iter()
                .map(|e| (e.as_str().into(), "medium".into(), "Reasons given here".into()))
                .collect(),
        };
        assert_eq!(validate_thrive(&full).expect("complete").len(), 6);
        let bad_rating = ThriveInput {
            entries: ThriveElement::ALL
                .iter()
                .map(|e| (e.as_str().into(), "severe".into(), "Reasons given here".into()))
                .collect(),
        };
        assert_eq!(validate_thrive(&bad_rating).expect_err("bad scale").len(), 6);
    }

    #[test]
    fn keys_ignore_how_things_are_written() {
        assert_eq!(address_key("14, Mill Rd."), address_key(" 14 MILL rd "));
        assert_ne!(address_key("14 Mill Road"), address_key("41 Mill Road"));
        assert_eq!(phone_key("+44 7700 900123"), phone_key("07700-900123"));
        assert_eq!(phone_key("999"), "");
    }

    #[test]
    fn intake_matches_are_ranked_and_explained() {
        let base = |n: i64, phone: &str, place: &str| Incident {
            id: Uuid::now_v7(),
            reference: format!("R{n}"),
            version: 1,
            channel: Channel::Emergency999,
            status: IncidentStatus::Closed,
            received_at: now() - Duration::days(n),
            recorded_at: now() - Duration::days(n),
            recorded_by: Uuid::nil(),
            caller_name: String::new(),
            caller_phone: phone.into(),
            location_text: place.into(),
            latitude: None,
            longitude: None,
            is_rural: false,
            division: String::new(),
            beat: String::new(),
            ward: String::new(),
            opening_category: "PSW-DOM".into(),
            qualifiers: vec!["domestic-abuse".into()],
            grade: None,
            graded_at: None,
            due_at: None,
            closing_category: None,
            closed_at: None,
            result: None,
            crime_reference: None,
            ncrs_reason: None,
            ncrs_due_at: None,
        };
        let current = base(0, "07700 900123", "14 Mill Road");
        let earlier = vec![
            base(59, "07700 111111", "14 mill road"),
            base(20, "07700 900123", "14 Mill Rd"),
            base(3, "07700 222222", "14, Mill Road"),
            base(5, "07700 333333", "99 Other Street"),
        ];
        let matches = intake_matches(&current, &earlier, now());
        assert_eq!(matches.len(), 2);
        assert_eq!(matches[0].kind, MatchKind::Phone);
        assert_eq!(matches[0].explanation(), "same phone number: 1 earlier incident in 21 days");
        assert_eq!(matches[1].explanation(), "same address: 2 earlier incidents in 60 days");
        assert_eq!(matches[1].references, vec!["R3".to_string(), "R59".to_string()]);
        assert_eq!(matches[1].qualifiers, vec!["domestic-abuse".to_string()]);
    }

    #[test]
    fn targets_follow_grade_and_location() {
        let t = GradeTargets::default();
        assert_eq!(t.due_at(Grade::Emergency, now(), false), Some(now() + Duration::minutes(15)));
        assert_eq!(t.due_at(Grade::Emergency, now(), true), Some(now() + Duration::minutes(20)));
        assert_eq!(t.due_at(Grade::Priority, now(), false), Some(now() + Duration::minutes(60)));
        assert_eq!(t.due_at(Grade::ResolutionWithoutDeployment, now(), false), None);
    }

    #[test]
    fn references_follow_the_force_format() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        assert_eq!(format_reference("{yyyy}{mm}{dd}-{seq:4}", day, 7), "20261126-0007");
        assert_eq!(format_reference("WC-{dd}/{mm}/{yy}-{seq}", day, 123), "WC-26/11/26-123");
    }

    proptest! {
        #[test]
        fn references_are_unique_per_day_and_sequence(seq_a in 1i64..100_000, seq_b in 1i64..100_000) {
            let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
            let a = format_reference("{yyyy}{mm}{dd}-{seq:4}", day, seq_a);
            let b = format_reference("{yyyy}{mm}{dd}-{seq:4}", day, seq_b);
            prop_assert_eq!(a == b, seq_a == seq_b);
        }

        #[test]
        fn due_time_is_never_before_the_call(minutes in 0i64..10_000, rural: bool) {
            let t = GradeTargets::default();
            let at = now() + Duration::minutes(minutes);
            for g in Grade::ALL {
                if let Some(due) = t.due_at(*g, at, rural) {
                    prop_assert!(due > at);
                }
            }
        }
    }
}
