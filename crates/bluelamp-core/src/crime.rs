//! Crimes, the pure part (issue 4): the status a crime moves through, its flags (hate crime with its
//! strands, domestic abuse, vulnerable, repeat and child victim, online, modern slavery, alcohol…),
//! the force's crime-number format, and the NCRS 24-hour test with the registrar's compliance figure
//! (`../shared/domain/REFERENCE.md` §2.1: a crime is recorded within 24 hours of the first report of
//! it, or of the crime-related incident). Storage and pages come on top of these.

use chrono::{DateTime, Datelike, Duration, Utc};
use uuid::Uuid;

use crate::access::{Permission, Principal, named_enum};
use crate::audit::{AuditCategory, RequestContext};
use crate::core::{By, Core};
use crate::error::FieldError;
use crate::{Error, Result};

named_enum!(
    /// Where a crime is in its life (issue 4). Cancelled and transferred end it as finalisation does,
    /// but the crime keeps its number and its history.
    CrimeStatus {
        Recorded => "recorded", "Recorded";
        AwaitingTriage => "awaiting-triage", "Awaiting triage";
        Allocated => "allocated", "Allocated";
        UnderInvestigation => "under-investigation", "Under investigation";
        Finalised => "finalised", "Finalised";
        Cancelled => "cancelled", "Cancelled";
        Transferred => "transferred", "Transferred";
    }
);

impl CrimeStatus {
    /// The statuses a crime may move to from this one. Finalised crimes can be reopened for further
    /// investigation (new evidence); cancelled and transferred ones cannot move again.
    pub fn next(self) -> &'static [CrimeStatus] {
        use CrimeStatus::*;
        match self {
            Recorded => &[AwaitingTriage, Allocated, Finalised, Cancelled, Transferred],
            AwaitingTriage => &[Allocated, Finalised, Cancelled, Transferred],
            Allocated => &[UnderInvestigation, AwaitingTriage, Finalised, Cancelled, Transferred],
            UnderInvestigation => &[Allocated, Finalised, Cancelled, Transferred],
            Finalised => &[UnderInvestigation, Cancelled],
            Cancelled | Transferred => &[],
        }
    }

    pub fn can_move_to(self, to: CrimeStatus) -> bool {
        self.next().contains(&to)
    }

    /// Open crimes are those still being worked.
    pub fn is_open(self) -> bool {
        !matches!(self, CrimeStatus::Finalised | CrimeStatus::Cancelled | CrimeStatus::Transferred)
    }
}

named_enum!(
    /// The five monitored hate-crime strands (HOCR "Home Office Crime Flags").
    HateStrand {
        Race => "race", "Race or ethnicity";
        Religion => "religion", "Religion or belief";
        SexualOrientation => "sexual-orientation", "Sexual orientation";
        Disability => "disability", "Disability";
        Transgender => "transgender", "Transgender identity";
    }
);

named_enum!(
    /// Flags on a crime (HOCR "Home Office Crime Flags" and the force's own markers).
    CrimeFlag {
        DomesticAbuse => "domestic-abuse", "Domestic abuse";
        VulnerableVictim => "vulnerable-victim", "Vulnerable victim";
        RepeatVictim => "repeat-victim", "Repeat victim";
        ChildVictim => "child-victim", "Child victim";
        Online => "online", "Online (cyber-enabled)";
        ModernSlavery => "modern-slavery", "Modern slavery";
        Alcohol => "alcohol", "Alcohol-related";
        Knife => "knife", "Knife or sharp instrument";
        Firearm => "firearm", "Firearm";
        ChildSexualExploitation => "cse", "Child sexual exploitation";
        HonourBased => "honour-based", "Honour-based abuse";
        PerishableEvidence => "perishable-evidence", "Perishable evidence (CCTV, injuries, forensics)";
    }
);

/// `{yyyy}`, `{yy}` (year the crime was recorded, UK time) and `{seq}` / `{seq:N}` (that year's
/// sequence number, zero-padded to N) in a force's crime-number format, e.g.
/// `"CR-{yyyy}-{seq:6}"` → `CR-2026-000123`. Numbers are unique per year and never reused.
pub fn format_crime_number(pattern: &str, year: i32, seq: i64) -> String {
    let mut out =
        pattern.replace("{yyyy}", &format!("{year:04}")).replace("{yy}", &format!("{:02}", year.rem_euclid(100)));
    while let Some(start) = out.find("{seq") {
        let Some(end) = out[start..].find('}').map(|e| start + e) else { break };
        let width: usize = out[start + 4..end].trim_start_matches(':').parse().unwrap_or(0);
        out.replace_range(start..=end, &format!("{seq:0width$}"));
    }
    out
}

/// Whether a crime-number format can make unique numbers: it must contain the sequence and the
/// year (numbers restart each year).
pub fn check_crime_number_format(pattern: &str) -> Result<(), String> {
    if !pattern.contains("{seq") {
        return Err("the crime-number format needs {seq} (the year's sequence number)".into());
    }
    if !pattern.contains("{yyyy}") && !pattern.contains("{yy}") {
        return Err("the crime-number format needs {yyyy} or {yy}: numbers restart each year".into());
    }
    Ok(())
}

/// The NCRS limit: a crime is recorded within 24 hours of the first report (REFERENCE.md §2.1).
pub const NCRS_LIMIT_HOURS: i64 = 24;

/// Whether a crime was recorded within 24 hours of when it was first reported (the crime-related
/// incident's call, or the first report when there was no incident).
pub fn ncrs_compliant(first_reported_at: DateTime<Utc>, recorded_at: DateTime<Utc>) -> bool {
    recorded_at - first_reported_at <= Duration::hours(NCRS_LIMIT_HOURS)
}

/// The registrar's compliance figure over a set of crimes: how many were recorded within 24 hours,
/// of how many, and the percentage (None for an empty set).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compliance {
    pub compliant: usize,
    pub total: usize,
}

impl Compliance {
    /// (first reported, recorded) for each crime.
    pub fn of(crimes: impl IntoIterator<Item = (DateTime<Utc>, DateTime<Utc>)>) -> Compliance {
        let mut c = Compliance { compliant: 0, total: 0 };
        for (reported, recorded) in crimes {
            c.total += 1;
            if ncrs_compliant(reported, recorded) {
                c.compliant += 1;
            }
        }
        c
    }

    /// Percentage to one decimal place, as inspections quote it ("96.6%").
    pub fn percent(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.compliant as f64 * 1000.0 / self.total as f64).round() / 10.0)
    }
}

// ---- The crime record -----------------------------------------------------------------------------

named_enum!(
    /// A person's part in a crime (issue 4; REFERENCE.md §9 POLE roles).
    CrimeRole {
        Victim => "victim", "Victim";
        Suspect => "suspect", "Suspect";
        Offender => "offender", "Offender";
        Witness => "witness", "Witness";
        ReportingPerson => "reporting-person", "Reporting person";
    }
);

/// A recorded crime.
#[derive(Debug, Clone, PartialEq)]
pub struct Crime {
    pub id: Uuid,
    /// The force's crime number, unique per year and never reused.
    pub number: String,
    pub version: i64,
    pub status: CrimeStatus,
    pub offence_code: String,
    pub offence_label: String,
    pub offence_group: crate::offence::OffenceGroup,
    /// The offence list the code was taken from ("HOCR 2022/23 …").
    pub offence_list_version: String,
    pub occurred_from: DateTime<Utc>,
    pub occurred_to: Option<DateTime<Utc>>,
    /// When the crime was first reported: the crime-related incident's call, or the report itself.
    pub reported_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by_name: String,
    /// The user who recorded it (absent on crimes stored before it was kept).
    pub recorded_by: Option<Uuid>,
    pub location_text: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub division: String,
    pub modus_operandi: String,
    pub flags: Vec<CrimeFlag>,
    pub hate_strands: Vec<HateStrand>,
    pub injury_recorded: bool,
    /// The incident the crime was recorded from, if any.
    pub incident_id: Option<Uuid>,
    pub finalised_at: Option<DateTime<Utc>>,
    /// The officer investigating it (issue 6), with their name as shown when it was allocated.
    pub allocated_to: Option<Uuid>,
    pub allocated_to_name: String,
    pub allocated_at: Option<DateTime<Utc>>,
    /// The route triage chose: empty until screened, then `investigate` or `desk`
    /// ([`crate::solvability::Decision`]); a screened-out crime is finalised instead.
    pub route: String,
    /// The Home Office outcome code it was finalised with, when one was recorded (screening out
    /// records outcome 18; issue 7 brings the rest).
    pub outcome: Option<String>,
    /// When its supervisor's next review falls due (issue 7,
    /// [`crate::investigation::ReviewPolicy`]); set on allocation and by each review.
    pub review_due_at: Option<DateTime<Utc>>,
}

impl Crime {
    /// The NCRS 24-hour test for this crime.
    pub fn is_ncrs_compliant(&self) -> bool {
        ncrs_compliant(self.reported_at, self.recorded_at)
    }

    pub(crate) fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "number": self.number,
            "version": self.version,
            "status": self.status.as_str(),
            "offence": self.offence_code,
            "offence_list": self.offence_list_version,
            "flags": self.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
            "hate_strands": self.hate_strands.iter().map(|h| h.as_str()).collect::<Vec<_>>(),
            "incident": self.incident_id,
            "allocated_to": self.allocated_to,
            "route": self.route,
            "outcome": self.outcome,
        })
    }
}

/// A person linked to a crime in a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrimePerson {
    pub crime_id: Uuid,
    pub person_id: Uuid,
    pub role: CrimeRole,
    pub linked_at: DateTime<Utc>,
    pub linked_by_name: String,
    /// The person's name as listed with the crime (filled by the store).
    pub name: String,
}

/// One classification decision: the first, and every reclassification with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub id: Uuid,
    pub crime_id: Uuid,
    pub offence_code: String,
    pub offence_label: String,
    pub offence_list_version: String,
    /// Empty for the first classification.
    pub reason: String,
    pub decided_by_name: String,
    pub decided_at: DateTime<Utc>,
}

/// A crime with everything linked to it.
#[derive(Debug, Clone, PartialEq)]
pub struct CrimeRecord {
    pub crime: Crime,
    pub people: Vec<CrimePerson>,
    pub organisations: Vec<crate::pole::CrimeOrganisation>,
    pub objects: Vec<crate::pole::CrimeObject>,
    pub locations: Vec<crate::pole::CrimeLocation>,
    /// Oldest first; the last is current.
    pub classifications: Vec<Classification>,
    /// The cancellation decision, when the crime was cancelled or transferred.
    pub cancellation: Option<crate::cancel::Cancellation>,
}

/// A crime as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewCrime {
    pub incident_id: Option<Uuid>,
    pub offence_code: String,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub location_text: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub modus_operandi: String,
    pub flags: Vec<String>,
    pub hate_strands: Vec<String>,
    pub injury_recorded: bool,
    /// (person, role). There is at least one victim: a person or an organisation.
    pub people: Vec<(Uuid, CrimeRole)>,
    /// Organisations (a shop, a school) with their roles, found again by name and address.
    pub organisations: Vec<(crate::pole::NewOrganisation, CrimeRole)>,
    /// Objects (stolen property, a vehicle, a weapon) with their roles, found again by identifier.
    pub objects: Vec<(crate::pole::NewObject, crate::pole::ObjectRole)>,
}

/// What the store writes for a new crime: it takes the year's next number, then calls `complete`
/// for the finished crime and its audit event, all in one transaction. When the crime comes from an
/// incident, the incident gets the crime number (the NCRS decision) and `incident_log`.
pub struct NewCrimeWrite<'a> {
    pub counter: String,
    pub people: Vec<CrimePerson>,
    /// Stored as new records unless one with the same keys exists, which is linked instead.
    pub organisations: Vec<crate::pole::CrimeOrganisation>,
    pub objects: Vec<crate::pole::CrimeObject>,
    pub locations: Vec<crate::pole::CrimeLocation>,
    pub classification: Classification,
    pub incident_log: Option<crate::incident::LogEntry>,
    pub complete: &'a (dyn Fn(i64) -> (Crime, crate::audit::NewAuditEvent) + Send + Sync),
}

/// A change to a crime besides its new row values.
#[derive(Debug, Clone, PartialEq)]
pub enum CrimeChange {
    Reclassify(Classification),
    /// Cancelled or transferred under a HOCR Section C criterion.
    Cancel(crate::cancel::Cancellation),
    LinkPerson(CrimePerson),
    /// The organisation is stored unless one with the same name and address exists.
    LinkOrganisation(crate::pole::CrimeOrganisation),
    /// The object is stored unless one with the same identifier exists.
    LinkObject(crate::pole::CrimeObject),
    /// The location is stored unless one with the same address exists.
    LinkLocation(crate::pole::CrimeLocation),
    /// A triage screening decision (issue 6): the crime's route, or its finalisation when screened out.
    Screen(crate::triage::Screening),
    /// Allocated (or reallocated) to an officer.
    Allocate(crate::triage::Allocation),
    /// A supervisor's review, with the actions its directions created (issue 7).
    Review {
        review: crate::investigation::Review,
        actions: Vec<crate::investigation::Action>,
    },
    /// An outcome decision stored or changed (proposed, authorised, returned, finalised, reopened):
    /// the row with this id is written whole.
    Outcome(crate::investigation_use::OutcomeDecision),
}

/// Parses flag and strand codes, naming the field of any unknown one.
fn parse_all<T: std::str::FromStr>(field: &str, codes: &[String], errors: &mut Vec<FieldError>) -> Vec<T> {
    let mut out = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match code.parse::<T>() {
            Ok(v) => out.push(v),
            Err(_) => errors.push(FieldError::new(field, format!("Unknown {field} \"{code}\""))),
        }
    }
    out
}

/// The outcome of checking a new crime's entry rules.
struct CrimeCheck {
    errors: Vec<FieldError>,
    offence: Option<crate::offence::Offence>,
    flags: Vec<CrimeFlag>,
    hate_strands: Vec<HateStrand>,
    names: Vec<(Uuid, String)>,
    incident: Option<crate::incident::Incident>,
    occurred_from: DateTime<Utc>,
    organisations: Vec<(crate::pole::Organisation, CrimeRole)>,
    objects: Vec<(crate::pole::PoleObject, crate::pole::ObjectRole)>,
}

// ---- Use cases -----------------------------------------------------------------------------------

impl Core {
    /// Every entry rule a new crime breaks, named by field, without saving anything (a form with
    /// errors of its own shows these too).
    pub async fn crime_entry_errors(&self, by: &Principal, new: &NewCrime) -> Result<Vec<FieldError>> {
        Ok(self.check_new_crime(by, new).await?.errors)
    }

    async fn check_new_crime(&self, by: &Principal, new: &NewCrime) -> Result<CrimeCheck> {
        by.require(Permission::CrimeRecord)?;
        by.require(Permission::PersonView)?;
        let now = self.now();
        let mut errors = Vec::new();
        let offence = self.settings.offences.offence(&new.offence_code).cloned();
        if offence.is_none() {
            errors.push(FieldError::new(
                "offence_code",
                format!("Choose an offence from the Home Office list ({})", self.settings.offences.version),
            ));
        }
        let occurred_from = new.occurred_from.unwrap_or(now);
        if occurred_from > now {
            errors.push(FieldError::new("occurred_from", "The crime cannot have begun in the future"));
        }
        if new.occurred_to.is_some_and(|to| to < occurred_from) {
            errors.push(FieldError::new("occurred_to", "The crime cannot end before it began"));
        }
        if new.occurred_to.is_some_and(|to| to > now) {
            errors.push(FieldError::new("occurred_to", "The crime cannot end in the future"));
        }
        crate::incident::text_rule(&mut errors, "location_text", &new.location_text, true, 300, "where it happened");
        crate::incident::text_rule(&mut errors, "modus_operandi", &new.modus_operandi, false, 4000, "the method");
        let flags: Vec<CrimeFlag> = parse_all("flags", &new.flags, &mut errors);
        let hate_strands: Vec<HateStrand> = parse_all("hate_strands", &new.hate_strands, &mut errors);
        let victims = new.people.iter().filter(|(_, role)| *role == CrimeRole::Victim).count()
            + new.organisations.iter().filter(|(_, role)| *role == CrimeRole::Victim).count();
        if victims == 0 {
            errors.push(FieldError::new("people", "Add the victim: find or add the person, or name the organisation"));
        }
        let mut organisations = Vec::new();
        for (n, (org, role)) in new.organisations.iter().enumerate() {
            match org.validate(&format!("organisations.{n}."), Uuid::now_v7(), now, &by.username) {
                Ok(o) => organisations.push((o, *role)),
                Err(e) => errors.extend(e),
            }
        }
        let mut objects = Vec::new();
        for (n, (object, role)) in new.objects.iter().enumerate() {
            match object.validate(&format!("objects.{n}."), Uuid::now_v7(), now, &by.username) {
                Ok(o) => objects.push((o, *role)),
                Err(e) => errors.extend(e),
            }
        }
        let ids: Vec<Uuid> = new.people.iter().map(|(id, _)| *id).collect();
        let names = if ids.is_empty() { Vec::new() } else { self.store.person_names(&ids).await? };
        for (n, (id, role)) in new.people.iter().enumerate() {
            if !names.iter().any(|(known, _)| known == id) {
                errors.push(FieldError::new(format!("people.{n}.person_id"), "No such person: search for them first"));
            } else if self.store.find_person(*id).await?.is_some_and(|p| p.merged_into.is_some()) {
                errors.push(FieldError::new(
                    format!("people.{n}.person_id"),
                    "This record was merged into another: link the person it was merged into",
                ));
            } else if new.people[..n].iter().any(|(other, r)| other == id && r == role) {
                errors.push(FieldError::new(format!("people.{n}.role"), "This person is already listed in this role"));
            }
        }
        let incident = match new.incident_id {
            Some(id) => match self.store.find_incident(id).await? {
                Some(record) => Some(record.incident),
                None => {
                    errors.push(FieldError::new("incident_id", "No such incident"));
                    None
                }
            },
            None => None,
        };
        Ok(CrimeCheck { errors, offence, flags, hate_strands, names, incident, occurred_from, organisations, objects })
    }

    /// Records a crime, from an incident or directly. Every broken rule of entry is named and
    /// nothing is saved unless all hold; the classification rules (crate::crime_rules) are not
    /// checked here: they block finalisation, not recording.
    pub async fn record_crime(&self, by: &Principal, new: &NewCrime, ctx: &RequestContext) -> Result<Crime> {
        let CrimeCheck { errors, offence, flags, hate_strands, names, incident, occurred_from, organisations, objects } =
            self.check_new_crime(by, new).await?;
        let now = self.now();
        let Some(offence) = offence.filter(|_| errors.is_empty()) else { return Err(Error::Invalid(errors)) };
        let mut flags = flags;
        flags.sort();
        flags.dedup();
        let mut hate_strands = hate_strands;
        hate_strands.sort();
        hate_strands.dedup();
        let id = Uuid::now_v7();
        let location = (new.latitude, new.longitude);
        let division = match location {
            (Some(lat), Some(lon)) => self.settings.areas.place(lat, lon).division.unwrap_or("").to_string(),
            _ => incident.as_ref().map(|i| i.division.clone()).unwrap_or_default(),
        };
        let crime = Crime {
            id,
            number: String::new(),
            version: 1,
            status: CrimeStatus::Recorded,
            offence_code: offence.code.clone(),
            offence_label: offence.label.clone(),
            offence_group: offence.group,
            offence_list_version: self.settings.offences.version.clone(),
            occurred_from,
            occurred_to: new.occurred_to,
            // The first report: the incident's call when the crime comes from one (NCRS).
            reported_at: incident.as_ref().map(|i| i.received_at).unwrap_or(now).min(now),
            recorded_at: now,
            recorded_by_name: by.username.clone(),
            recorded_by: Some(by.user_id),
            location_text: new.location_text.trim().to_string(),
            latitude: new.latitude,
            longitude: new.longitude,
            division,
            modus_operandi: new.modus_operandi.trim().to_string(),
            flags,
            hate_strands,
            injury_recorded: new.injury_recorded,
            incident_id: incident.as_ref().map(|i| i.id),
            finalised_at: None,
            allocated_to: None,
            allocated_to_name: String::new(),
            allocated_at: None,
            route: String::new(),
            outcome: None,
            review_due_at: None,
        };
        let people = new
            .people
            .iter()
            .map(|(person_id, role)| CrimePerson {
                crime_id: id,
                person_id: *person_id,
                role: *role,
                linked_at: now,
                linked_by_name: by.username.clone(),
                name: names.iter().find(|(p, _)| p == person_id).map(|(_, n)| n.clone()).unwrap_or_default(),
            })
            .collect();
        let classification = Classification {
            id: Uuid::now_v7(),
            crime_id: id,
            offence_code: offence.code.clone(),
            offence_label: offence.label.clone(),
            offence_list_version: crime.offence_list_version.clone(),
            reason: String::new(),
            decided_by_name: by.username.clone(),
            decided_at: now,
        };
        let year = now.with_timezone(&chrono_tz::Europe::London).year();
        let pattern = &self.settings.crime_number_format;
        let base_audit =
            self.event(&By::User(by).actor(), "crime.record", AuditCategory::Collect, ctx).record("crime", id);
        let incident_id = crime.incident_id;
        let complete = |number: i64| {
            let mut crime = crime.clone();
            crime.number = format_crime_number(pattern, year, number);
            let audit = base_audit.clone().after(&crime.audit_json());
            (crime, audit)
        };
        let incident_log = incident_id.map(|incident_id| crate::incident::LogEntry {
            id: Uuid::now_v7(),
            incident_id,
            at: now,
            author_id: Some(by.user_id),
            author_name: by.username.clone(),
            kind: crate::incident::LogKind::System,
            text: format!("Crime recorded: {} {}", offence.code, offence.label),
        });
        let (linked_at, linked_by_name) = (now, by.username.clone());
        let organisations = organisations
            .into_iter()
            .map(|(organisation, role)| crate::pole::CrimeOrganisation {
                organisation,
                role,
                linked_at,
                linked_by_name: linked_by_name.clone(),
            })
            .collect();
        let objects = objects
            .into_iter()
            .map(|(object, role)| crate::pole::CrimeObject {
                object,
                role,
                linked_at,
                linked_by_name: linked_by_name.clone(),
            })
            .collect();
        // The scene is a location of its own, so crimes at one address are found together.
        let locations = vec![crate::pole::CrimeLocation {
            location: crate::pole::Location {
                id: Uuid::now_v7(),
                text: crime.location_text.clone(),
                latitude: crime.latitude,
                longitude: crime.longitude,
                created_at: now,
            },
            role: crate::pole::LocationRole::Scene,
            linked_at,
            linked_by_name: linked_by_name.clone(),
        }];
        let write = NewCrimeWrite {
            counter: format!("crime:{year}"),
            people,
            organisations,
            objects,
            locations,
            classification,
            incident_log,
            complete: &complete,
        };
        self.store.insert_crime(&write).await
    }

    /// One crime with everything linked, audited before it is returned.
    pub async fn view_crime(&self, by: &Principal, id: Uuid, ctx: &RequestContext) -> Result<CrimeRecord> {
        by.require(Permission::CrimeView)?;
        let record = self.store.find_crime(id).await?.ok_or(Error::NotFound)?;
        let audit = self.event(&By::User(by).actor(), "crime.view", AuditCategory::Consult, ctx).record("crime", id);
        self.store.append_audit(&audit).await?;
        Ok(record)
    }

    /// The facts the classification rules look at, from a crime record and its people.
    pub async fn crime_facts_failures(&self, record: &CrimeRecord) -> Result<Vec<crate::crime_rules::RuleFailure>> {
        let offence = crate::offence::Offence {
            code: record.crime.offence_code.clone(),
            label: record.crime.offence_label.clone(),
            group: record.crime.offence_group,
            subgroup: self
                .settings
                .offences
                .offence(&record.crime.offence_code)
                .map(|o| o.subgroup.clone())
                .unwrap_or_default(),
            confirmed: true,
        };
        let day = record.crime.occurred_from.with_timezone(&chrono_tz::Europe::London).date_naive();
        let mut victims = Vec::new();
        for link in record.people.iter().filter(|p| p.role == CrimeRole::Victim) {
            if let Some(person) = self.store.find_person(link.person_id).await? {
                victims.push(crate::crime_rules::VictimFacts {
                    age: person.age_on(day),
                    sex: person.sex,
                    is_organisation: false,
                });
            }
        }
        for _ in record.organisations.iter().filter(|o| o.role == CrimeRole::Victim) {
            victims.push(crate::crime_rules::VictimFacts {
                age: None,
                sex: crate::person::Sex::Unknown,
                is_organisation: true,
            });
        }
        let facts = crate::crime_rules::CrimeFacts {
            several_victims_allowed: self.settings.several_victims_groups.contains(&record.crime.offence_group),
            offence: &offence,
            flags: &record.crime.flags,
            hate_strands: &record.crime.hate_strands,
            victims: &victims,
            injury_recorded: record.crime.injury_recorded,
            occurred_from: record.crime.occurred_from,
            occurred_to: record.crime.occurred_to,
        };
        Ok(crate::crime_rules::check(&facts))
    }

    /// Reclassifies a crime under another code, with the reason; the history keeps every decision.
    pub async fn reclassify_crime(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        offence_code: &str,
        reason: &str,
        ctx: &RequestContext,
    ) -> Result<Crime> {
        by.require(Permission::CrimeRecord)?;
        let record = self.store.find_crime(id).await?.ok_or(Error::NotFound)?;
        let mut errors = Vec::new();
        let offence = self.settings.offences.offence(offence_code).cloned();
        if offence.is_none() {
            errors.push(FieldError::new("offence_code", "Choose an offence from the Home Office list"));
        }
        crate::incident::text_rule(&mut errors, "reason", reason, true, 2000, "why the classification changes");
        if offence.as_ref().is_some_and(|o| o.code == record.crime.offence_code) {
            errors.push(FieldError::new("offence_code", "The crime is already classified under this code"));
        }
        if !record.crime.status.is_open() {
            errors.push(FieldError::new(
                "status",
                format!("The crime is {}", record.crime.status.label().to_lowercase()),
            ));
        }
        let Some(offence) = offence.filter(|_| errors.is_empty()) else { return Err(Error::Invalid(errors)) };
        if record.crime.version != version {
            return Err(Error::Conflict(format!("crime {} was changed by someone else", record.crime.number)));
        }
        let now = self.now();
        let before = record.crime.audit_json();
        let mut crime = record.crime;
        crime.offence_code = offence.code.clone();
        crime.offence_label = offence.label.clone();
        crime.offence_group = offence.group;
        crime.offence_list_version = self.settings.offences.version.clone();
        crime.version += 1;
        let classification = Classification {
            id: Uuid::now_v7(),
            crime_id: id,
            offence_code: offence.code,
            offence_label: offence.label,
            offence_list_version: crime.offence_list_version.clone(),
            reason: reason.trim().to_string(),
            decided_by_name: by.username.clone(),
            decided_at: now,
        };
        let audit = self
            .event(&By::User(by).actor(), "crime.reclassify", AuditCategory::Alter, ctx)
            .record("crime", id)
            .justification(reason.trim())
            .before(&before)
            .after(&crime.audit_json());
        self.store.update_crime(&crime, version, &CrimeChange::Reclassify(classification), &audit).await?;
        Ok(crime)
    }

    /// The registrar's NCRS compliance report over crimes recorded in [from, to): the figure and the
    /// crimes that failed the 24-hour test. Audited as a search.
    pub async fn ncrs_compliance(
        &self,
        by: &Principal,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        ctx: &RequestContext,
    ) -> Result<(Compliance, Vec<Crime>)> {
        by.require(Permission::NcrsView)?;
        if to <= from {
            return Err(Error::invalid("to", "The end of the period must be after its start"));
        }
        let audit = self
            .event(&By::User(by).actor(), "crime.ncrs_compliance", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({"from": from, "to": to}));
        self.store.append_audit(&audit).await?;
        if let Some(kept) = self.recent.compliance.get(&(from, to)) {
            return Ok(kept);
        }
        let crimes = self.store.list_crimes_recorded(from, to).await?;
        let compliance = Compliance::of(crimes.iter().map(|c| (c.reported_at, c.recorded_at)));
        let failing: Vec<Crime> = crimes.into_iter().filter(|c| !c.is_ncrs_compliant()).collect();
        self.recent.compliance.put((from, to), (compliance, failing.clone()));
        Ok((compliance, failing))
    }

    /// The most recently recorded crimes, newest first.
    pub async fn recent_crimes(&self, by: &Principal, limit: u32) -> Result<Vec<Crime>> {
        by.require(Permission::CrimeView)?;
        self.store.list_recent_crimes(limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, h, m, 0).single().expect("valid")
    }

    #[test]
    fn status_moves_only_forward_or_back_for_more_work() {
        use CrimeStatus::*;
        assert!(Recorded.can_move_to(AwaitingTriage));
        assert!(AwaitingTriage.can_move_to(Allocated));
        assert!(Allocated.can_move_to(UnderInvestigation));
        assert!(UnderInvestigation.can_move_to(Finalised));
        assert!(Finalised.can_move_to(UnderInvestigation), "reopened on new evidence");
        assert!(!Finalised.can_move_to(Recorded));
        assert!(!Cancelled.can_move_to(Recorded) && Cancelled.next().is_empty());
        assert!(!Transferred.is_open() && !Finalised.is_open() && Allocated.is_open());
    }

    #[test]
    fn crime_numbers_follow_the_force_format() {
        assert_eq!(format_crime_number("CR-{yyyy}-{seq:6}", 2026, 123), "CR-2026-000123");
        assert_eq!(format_crime_number("{yy}/{seq}", 2026, 45), "26/45");
        assert!(check_crime_number_format("CR-{yyyy}-{seq:6}").is_ok());
        assert!(check_crime_number_format("CR-{seq:6}").expect_err("no year").contains("restart each year"));
        assert!(check_crime_number_format("CR-{yyyy}").expect_err("no seq").contains("{seq}"));
    }

    #[test]
    fn the_24_hour_test_and_the_compliance_figure() {
        let reported = at(9, 0);
        assert!(ncrs_compliant(reported, reported + Duration::hours(24)));
        assert!(!ncrs_compliant(reported, reported + Duration::hours(24) + Duration::seconds(1)));
        let set = (0..1000).map(|n| (reported, reported + Duration::hours(if n < 966 { 3 } else { 30 })));
        let c = Compliance::of(set);
        assert_eq!((c.compliant, c.total, c.percent()), (966, 1000, Some(96.6)));
        assert_eq!(Compliance::of(Vec::new()).percent(), None);
    }

    proptest! {
        #[test]
        fn no_status_moves_to_itself_and_ended_ones_stay_ended(from in 0usize..7, to in 0usize..7) {
            let (from, to) = (CrimeStatus::ALL[from], CrimeStatus::ALL[to]);
            prop_assert!(!from.can_move_to(from));
            if matches!(from, CrimeStatus::Cancelled | CrimeStatus::Transferred) {
                prop_assert!(!from.can_move_to(to));
            }
        }

        #[test]
        fn compliance_is_between_0_and_100(hours in proptest::collection::vec(0i64..100, 1..50)) {
            let reported = at(0, 0);
            let c = Compliance::of(hours.iter().map(|h| (reported, reported + Duration::hours(*h))));
            let p = c.percent().unwrap_or(-1.0);
            prop_assert!((0.0..=100.0).contains(&p));
            prop_assert_eq!(c.compliant, hours.iter().filter(|h| **h <= 24).count());
        }

        #[test]
        fn crime_numbers_are_distinct_for_distinct_sequences(a in 1i64..1_000_000, b in 1i64..1_000_000) {
            prop_assume!(a != b);
            prop_assert_ne!(format_crime_number("CR-{yyyy}-{seq:6}", 2026, a), format_crime_number("CR-{yyyy}-{seq:6}", 2026, b));
        }
    }
}
