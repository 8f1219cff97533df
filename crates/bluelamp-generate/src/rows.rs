//! Generated items as rows of the stores' tables, with the audit events the real paths write for
//! them (`user.create`, `person.create`, `incident.record`, `incident.close`, `crime.record`),
//! marked as generated. Search keys come from the core's own functions, as the stores compute them.

use bluelamp_core::audit::{Actor, AuditCategory, NewAuditEvent, RequestContext};
use bluelamp_core::bulk::{Cell, TableRows};
use bluelamp_core::crime::CrimeStatus;
use bluelamp_core::incident::{IncidentStatus, ThriveElement, address_key, phone_key};
use bluelamp_core::person::{forename_key, name_key, soundex};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::rng::Rng;
use crate::{CHILD, GENERATED_BY, GENERATED_MO, GenCrime, GenIncident, GenOfficer, Generator};

/// Every table the generator fills (their secondary indexes are set aside while it runs).
pub const TABLES: &[&str] = &[
    "app_user",
    "user_role",
    "user_specialism",
    "person",
    "person_name",
    "person_address",
    "person_phone",
    "incident",
    "incident_log",
    "thrive_assessment",
    "thrive_entry",
    "incident_grade",
    "incident_person",
    "crime",
    "crime_person",
    "crime_classification",
    "audit_event",
];

/// A batch's rows and audit events.
#[derive(Debug, Default)]
pub struct Made {
    pub tables: Vec<TableRows>,
    pub audit: Vec<NewAuditEvent>,
}

fn event(
    rng: &mut Rng,
    at: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    category: AuditCategory,
    record: (&str, Uuid),
    after: serde_json::Value,
) -> NewAuditEvent {
    let mut e = NewAuditEvent::new(at, actor, action, category, &RequestContext::default())
        .record(record.0, record.1)
        .after(&after);
    e.id = rng.uuid_at(at);
    e.is_generated = true;
    e
}

fn officer_actor(o: &GenOfficer) -> Actor {
    Actor { id: Some(o.id), name: o.username.clone() }
}

const USER_COLUMNS: &[&str] = &[
    "id",
    "username",
    "display_name",
    "collar_number",
    "rank",
    "team",
    "station",
    "division",
    "pip_level",
    "password_hash",
    "is_disabled",
    "failed_sign_ins",
    "locked_until",
    "created_at",
    "updated_at",
];

/// Officers and staff `range`: users with their roles and specialisms, no password (an
/// administrator sets one to let anyone sign in).
pub fn officers(g: &Generator, range: std::ops::Range<usize>) -> Made {
    let mut users = TableRows::new("app_user", USER_COLUMNS);
    let mut roles = TableRows::new("user_role", &["user_id", "role"]);
    let mut specialisms = TableRows::new("user_specialism", &["user_id", "specialism"]);
    let mut audit = Vec::new();
    let system = Actor::system(GENERATED_BY);
    for k in range {
        let o = g.officer(k);
        users.push(vec![
            o.id.into(),
            o.username.clone().into(),
            o.display_name.clone().into(),
            o.collar_number.clone().into(),
            o.rank.as_str().into(),
            o.team.clone().into(),
            o.station.clone().into(),
            o.division.clone().into(),
            o.pip_level.as_str().into(),
            Cell::Null,
            Cell::Bool(false),
            Cell::Int(0),
            Cell::Null,
            o.created_at.into(),
            o.created_at.into(),
        ]);
        for r in &o.roles {
            roles.push(vec![o.id.into(), (*r).into()]);
        }
        for s in &o.specialisms {
            specialisms.push(vec![o.id.into(), s.as_str().into()]);
        }
        let mut rng = Rng::for_item(g.spec.seed, CHILD ^ 3, k as u64);
        audit.push(event(
            &mut rng,
            o.created_at,
            &system,
            "user.create",
            AuditCategory::Collect,
            ("user", o.id),
            serde_json::json!({"username": o.username, "rank": o.rank.as_str(), "division": o.division, "roles": o.roles}),
        ));
    }
    Made { tables: vec![users, roles, specialisms], audit }
}

/// People `range`: names (with search keys), addresses, phones.
pub fn people(g: &Generator, range: std::ops::Range<usize>) -> Made {
    let mut person =
        TableRows::new("person", &["id", "version", "date_of_birth", "sex", "created_at", "created_by_name"]);
    let mut names = TableRows::new(
        "person_name",
        &["person_id", "position", "kind", "forenames", "surname", "surname_key", "soundex", "forename_key"],
    );
    let mut addresses = TableRows::new(
        "person_address",
        &["id", "person_id", "text", "address_key", "valid_from", "valid_to", "recorded_at"],
    );
    let mut phones = TableRows::new("person_phone", &["id", "person_id", "number", "phone_key", "recorded_at"]);
    let mut audit = Vec::new();
    let system = Actor::system(GENERATED_BY);
    for i in range {
        let p = g.person(i);
        let mut rng = Rng::for_item(g.spec.seed, CHILD ^ 1, i as u64);
        person.push(vec![
            p.id.into(),
            Cell::Int(1),
            Cell::Date(p.date_of_birth),
            p.sex.into(),
            p.created_at.into(),
            GENERATED_BY.into(),
        ]);
        let mut all_names = vec![("primary", p.forenames.clone(), p.surname.clone())];
        all_names.extend(p.other_name.clone());
        for (position, (kind, forenames, surname)) in all_names.into_iter().enumerate() {
            let first = forename_key(&forenames);
            names.push(vec![
                p.id.into(),
                Cell::Int(position as i64),
                kind.into(),
                forenames.into(),
                surname.clone().into(),
                name_key(&surname).into(),
                soundex(&surname).into(),
                first.into(),
            ]);
        }
        let current_from = p.previous_address.as_ref().map(|(_, moved)| *moved);
        if let Some((before, moved)) = &p.previous_address {
            addresses.push(vec![
                rng.uuid_at(p.created_at).into(),
                p.id.into(),
                before.clone().into(),
                address_key(before).into(),
                Cell::Null,
                Cell::Date(moved.pred_opt().unwrap_or(*moved)),
                p.created_at.into(),
            ]);
        }
        addresses.push(vec![
            rng.uuid_at(p.created_at).into(),
            p.id.into(),
            p.address.clone().into(),
            address_key(&p.address).into(),
            current_from.map_or(Cell::Null, Cell::Date),
            Cell::Null,
            p.created_at.into(),
        ]);
        if let Some(phone) = &p.phone {
            phones.push(vec![
                rng.uuid_at(p.created_at).into(),
                p.id.into(),
                phone.clone().into(),
                phone_key(phone).into(),
                p.created_at.into(),
            ]);
        }
        audit.push(event(
            &mut rng,
            p.created_at,
            &system,
            "person.create",
            AuditCategory::Collect,
            ("person", p.id),
            serde_json::json!({"name": format!("{} {}", p.forenames, p.surname), "date_of_birth": p.date_of_birth}),
        ));
    }
    Made { tables: vec![person, names, addresses, phones], audit }
}

const INCIDENT_COLUMNS: &[&str] = &[
    "id",
    "reference",
    "version",
    "channel",
    "status",
    "received_at",
    "recorded_at",
    "recorded_by",
    "caller_name",
    "caller_phone",
    "location_text",
    "latitude",
    "longitude",
    "is_rural",
    "division",
    "opening_category",
    "qualifiers",
    "grade",
    "graded_at",
    "due_at",
    "closing_category",
    "closed_at",
    "result",
    "crime_reference",
    "ncrs_reason",
    "location_key",
    "phone_key",
    "ncrs_due_at",
    "beat",
    "ward",
];

/// Where incidents' rows collect.
struct IncidentTables {
    incident: TableRows,
    log: TableRows,
    thrive: TableRows,
    entries: TableRows,
    grades: TableRows,
    people: TableRows,
    audit: Vec<NewAuditEvent>,
    nsir: bluelamp_core::reference::NsirList,
}

impl IncidentTables {
    fn new() -> IncidentTables {
        IncidentTables {
            incident: TableRows::new("incident", INCIDENT_COLUMNS),
            log: TableRows::new(
                "incident_log",
                &["id", "incident_id", "at", "author_id", "author_name", "kind", "text"],
            ),
            thrive: TableRows::new(
                "thrive_assessment",
                &["id", "incident_id", "assessed_by", "assessed_by_name", "assessed_at"],
            ),
            entries: TableRows::new("thrive_entry", &["assessment_id", "element", "rating", "rationale"]),
            grades: TableRows::new(
                "incident_grade",
                &[
                    "id",
                    "incident_id",
                    "grade",
                    "due_at",
                    "reason",
                    "thrive_id",
                    "decided_by",
                    "decided_by_name",
                    "decided_at",
                ],
            ),
            people: TableRows::new(
                "incident_person",
                &["incident_id", "person_id", "role", "linked_at", "linked_by_name"],
            ),
            audit: Vec::new(),
            nsir: bluelamp_core::reference::NsirList::builtin(),
        }
    }

    /// An incident as the call handler recorded it (with THRIVE, grade and people) and, if it is
    /// closed, as it was closed.
    fn add(&mut self, g: &Generator, i: &GenIncident, handler: &GenOfficer, crime_number: Option<&str>, rng: &mut Rng) {
        let crime_related = self.nsir.is_crime_related(i.category);
        let closed = i.status == IncidentStatus::Closed;
        let crime_reference = crime_number.filter(|_| closed);
        let ncrs_reason = i.ncrs_reason.filter(|_| closed);
        let ncrs_due_at = (crime_related && crime_reference.is_none() && ncrs_reason.is_none())
            .then(|| i.recorded_at + chrono::Duration::hours(24));
        self.incident.push(vec![
            i.id.into(),
            i.reference.clone().into(),
            Cell::Int(if closed { 2 } else { 1 }),
            i.channel.as_str().into(),
            i.status.as_str().into(),
            i.received_at.into(),
            i.recorded_at.into(),
            handler.id.into(),
            i.caller_name.clone().into(),
            i.caller_phone.clone().into(),
            i.location_text.clone().into(),
            Some(i.place.0).into(),
            Some(i.place.1).into(),
            Cell::Bool(i.is_rural),
            i.division.clone().into(),
            i.category.into(),
            i.qualifiers.join(",").into(),
            i.grade.as_str().into(),
            i.recorded_at.into(),
            i.due_at.into(),
            if closed { Cell::Text(i.category.to_string()) } else { Cell::Null },
            i.closed_at.into(),
            i.result.map(str::to_string).into(),
            crime_reference.map(str::to_string).into(),
            ncrs_reason.map(str::to_string).into(),
            Cell::Text(address_key(&i.location_text)),
            Cell::Text(phone_key(&i.caller_phone)),
            ncrs_due_at.into(),
            "".into(),
            "".into(),
        ]);
        let author = (Cell::Id(handler.id), Cell::Text(handler.username.clone()));
        self.log.push(vec![
            rng.uuid_at(i.recorded_at).into(),
            i.id.into(),
            i.recorded_at.into(),
            author.0.clone(),
            author.1.clone(),
            "system".into(),
            format!("Incident recorded: {} via {}", i.category, i.channel.label()).into(),
        ]);
        let assessment = rng.uuid_at(i.recorded_at);
        self.thrive.push(vec![
            assessment.into(),
            i.id.into(),
            handler.id.into(),
            handler.username.clone().into(),
            i.recorded_at.into(),
        ]);
        for (element, rating) in ThriveElement::ALL.iter().zip(i.thrive) {
            self.entries.push(vec![
                assessment.into(),
                element.as_str().into(),
                rating.into(),
                format!("{} judged {rating} from the call", element.label()).into(),
            ]);
        }
        self.grades.push(vec![
            rng.uuid_at(i.recorded_at).into(),
            i.id.into(),
            i.grade.as_str().into(),
            i.due_at.into(),
            Cell::Null,
            assessment.into(),
            handler.id.into(),
            handler.username.clone().into(),
            i.recorded_at.into(),
        ]);
        for (p, role) in &i.people {
            self.people.push(vec![
                i.id.into(),
                g.person_id(*p).into(),
                role.as_str().into(),
                i.recorded_at.into(),
                handler.username.clone().into(),
            ]);
        }
        let actor = officer_actor(handler);
        self.audit.push(event(
            rng,
            i.recorded_at,
            &actor,
            "incident.record",
            AuditCategory::Collect,
            ("incident", i.id),
            serde_json::json!({"reference": i.reference, "channel": i.channel.as_str(), "opening_category": i.category,
                "grade": i.grade.as_str(), "thrive": i.thrive, "people": i.people.len()}),
        ));
        if let Some(at) = i.closed_at.filter(|_| closed) {
            self.log.push(vec![
                rng.uuid_at(at).into(),
                i.id.into(),
                at.into(),
                author.0,
                author.1,
                "system".into(),
                format!("Closed as {}: {}", i.category, i.result.unwrap_or("")).into(),
            ]);
            self.audit.push(event(
                rng,
                at,
                &actor,
                "incident.close",
                AuditCategory::Alter,
                ("incident", i.id),
                serde_json::json!({"closing_category": i.category, "result": i.result,
                    "crime_reference": crime_reference, "ncrs_reason": ncrs_reason}),
            ));
        }
    }

    fn done(self) -> Made {
        Made {
            tables: vec![self.incident, self.log, self.thrive, self.entries, self.grades, self.people],
            audit: self.audit,
        }
    }
}

/// Other incidents `range` (not crime reports).
pub fn incidents(g: &Generator, range: std::ops::Range<usize>, officers: &[GenOfficer]) -> Made {
    let mut t = IncidentTables::new();
    for k in range {
        let i = g.incident(k);
        let mut rng = Rng::for_item(g.spec.seed, CHILD ^ 4, k as u64);
        t.add(g, &i, &officers[i.handler % officers.len().max(1)], None, &mut rng);
    }
    t.done()
}

const CRIME_COLUMNS: &[&str] = &[
    "id",
    "number",
    "version",
    "status",
    "offence_code",
    "offence_label",
    "offence_group",
    "offence_list_version",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "recorded_at",
    "recorded_by_name",
    "recorded_by",
    "location_text",
    "latitude",
    "longitude",
    "division",
    "modus_operandi",
    "flags",
    "hate_strands",
    "injury_recorded",
    "incident_id",
    "finalised_at",
    "allocated_to",
    "allocated_to_name",
    "allocated_at",
    "outcome",
    "review_due_at",
];

/// Crimes `range`, each with the incident it was reported in (if any), its people and its first
/// classification.
pub fn crimes(g: &Generator, range: std::ops::Range<usize>, officers: &[GenOfficer]) -> Made {
    let mut crimes = TableRows::new("crime", CRIME_COLUMNS);
    let mut links = TableRows::new("crime_person", &["crime_id", "person_id", "role", "linked_at", "linked_by_name"]);
    let mut history = TableRows::new(
        "crime_classification",
        &[
            "id",
            "crime_id",
            "offence_code",
            "offence_label",
            "offence_list_version",
            "reason",
            "decided_by_name",
            "decided_at",
        ],
    );
    let mut t = IncidentTables::new();
    let mut audit = Vec::new();
    let version = bluelamp_core::offence::BUILTIN_VERSION;
    for j in range {
        let c: GenCrime = g.crime(j);
        let officer = &officers[c.officer % officers.len().max(1)];
        let mut rng = Rng::for_item(g.spec.seed, CHILD ^ 2, j as u64);
        if let Some(i) = g.crime_incident(j, &c) {
            t.add(g, &i, &officers[i.handler % officers.len().max(1)], Some(&c.number), &mut rng);
        }
        let join = |codes: Vec<&str>| codes.join(",");
        crimes.push(vec![
            c.id.into(),
            c.number.clone().into(),
            Cell::Int(if c.status == CrimeStatus::Recorded { 1 } else { 2 }),
            c.status.as_str().into(),
            c.offence.code.clone().into(),
            c.offence.label.clone().into(),
            c.offence.group.as_str().into(),
            version.into(),
            c.occurred_from.into(),
            c.occurred_to.into(),
            c.reported_at.into(),
            c.recorded_at.into(),
            officer.username.clone().into(),
            officer.id.into(),
            c.location_text.clone().into(),
            c.place.map(|p| p.0).into(),
            c.place.map(|p| p.1).into(),
            c.division.clone().into(),
            GENERATED_MO.into(),
            join(c.flags.iter().map(|f| f.as_str()).collect()).into(),
            join(c.hate_strands.iter().map(|h| h.as_str()).collect()).into(),
            Cell::Bool(c.injury_recorded),
            c.incident.into(),
            c.finalised_at.into(),
            // Crimes past the queue were allocated to the investigator who recorded them.
            c.allocated_at.map(|_| officer.id).into(),
            (if c.allocated_at.is_some() { officer.display_name.clone() } else { String::new() }).into(),
            c.allocated_at.into(),
            c.outcome.map(str::to_string).into(),
            c.review_due_at.into(),
        ]);
        for (person, role) in &c.people {
            links.push(vec![
                c.id.into(),
                g.person_id(*person).into(),
                role.as_str().into(),
                c.recorded_at.into(),
                GENERATED_BY.into(),
            ]);
        }
        history.push(vec![
            rng.uuid_at(c.recorded_at).into(),
            c.id.into(),
            c.offence.code.clone().into(),
            c.offence.label.clone().into(),
            version.into(),
            "".into(),
            officer.username.clone().into(),
            c.recorded_at.into(),
        ]);
        audit.push(event(
            &mut rng,
            c.recorded_at,
            &officer_actor(officer),
            "crime.record",
            AuditCategory::Collect,
            ("crime", c.id),
            serde_json::json!({"number": c.number, "offence_code": c.offence.code, "status": c.status.as_str(),
                "flags": c.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>(), "incident": c.incident,
                "people": c.people.len()}),
        ));
    }
    let mut made = t.done();
    // Incidents first: a crime refers to its incident.
    made.tables.extend([crimes, links, history]);
    made.audit.extend(audit);
    made
}
