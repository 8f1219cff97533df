//! Demo people: a few hundred residents of Wealdshire with names, dates of birth, addresses, phones, a
//! few aliases and markers (vulnerability, safeguarding, warning signals, two wanted, one missing),
//! linked to the demo incidents as victims, suspects, witnesses and subjects. Some are repeat victims,
//! among them Mary Lane, a domestic-abuse victim under a MARAC safeguarding marker, whom the browser
//! test finds by name and links to a new call. Everything goes through the use cases, with the clock
//! set to each incident's time, so the logs and the audit trail are genuine.

use std::sync::{Arc, Mutex};

use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::{By, principal_of};
use bluelamp_core::incident::Incident;
use bluelamp_core::person::{IncidentRole, MarkerCategory, NameKind, NewPerson, PersonEdit};
use bluelamp_core::{Core, Settings};
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

use crate::demo_incidents::{STREETS, SetClock};

const FORENAMES_F: &[&str] = &[
    "Amelia",
    "Olivia",
    "Sophie",
    "Grace",
    "Chloe",
    "Emily",
    "Jessica",
    "Hannah",
    "Priya",
    "Aisha",
    "Zofia",
    "Karen",
    "Susan",
    "Margaret",
    "Joanne",
    "Rachel",
    "Leanne",
    "Fatima",
    "Niamh",
    "Chantelle",
];
const FORENAMES_M: &[&str] = &[
    "Oliver", "Jack", "Harry", "George", "Mohammed", "Daniel", "James", "Liam", "Ryan", "Kieran", "Tomasz", "David",
    "Paul", "Mark", "Gary", "Adeel", "Connor", "Jamie", "Stephen", "Callum",
];
const SURNAMES: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan", "Hughes",
    "Edwards", "Kowalski", "Murphy", "Okafor", "Baker", "Turner", "Hill",
];
const TOWNS: &[&str] = &["Wealdbury", "Ashcombe", "Oakfield", "Charnley", "Lydd Magna", "Hartsford"];

fn role_for(category: &str) -> &'static [IncidentRole] {
    match category {
        "PSW-DOM" | "CRM-VIO" | "CRM-POR" => &[IncidentRole::Victim, IncidentRole::Suspect],
        "PSW-MIS" | "PSW-MHT" | "PSW-CFS" => &[IncidentRole::Subject],
        "ASB-PER" | "ASB-NUI" => &[IncidentRole::Victim, IncidentRole::Witness],
        c if c.starts_with("CRM-") => &[IncidentRole::Victim],
        _ => &[IncidentRole::Witness],
    }
}

/// Makes the demo people and links them; returns how many people were made. Expects the demo
/// incidents to exist already.
pub async fn load(core: &Core, people: usize) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(0x9e0);
    let ctx = RequestContext::default();
    let handler = principal_of(&core.get_user_by_username("call-handler").await?);
    let mut incidents: Vec<Incident> = core
        .store
        .list_incidents(&bluelamp_core::store::IncidentQuery { limit: 100_000, ..Default::default() })
        .await?;
    incidents.sort_by_key(|i| i.received_at);
    let Some(first) = incidents.first() else { return Ok(0) };
    let clock = Arc::new(SetClock(Mutex::new(first.received_at - Duration::days(1))));
    let demo = Core::new(core.store.clone(), clock.clone(), Settings { ..core.settings.clone() });
    let set_clock = |at| {
        if let Ok(mut now) = clock.0.lock() {
            *now = at;
        }
    };
    let by = By::System("demo");

    let mut made = Vec::new();
    for n in 0..people {
        let female = rng.random_bool(0.5);
        let forenames = if female { FORENAMES_F } else { FORENAMES_M }.choose(&mut rng).copied().unwrap_or("Alex");
        let surname = SURNAMES.choose(&mut rng).copied().unwrap_or("Smith");
        let year = rng.random_range(1940..2012);
        let dob = NaiveDate::from_ymd_opt(year, rng.random_range(1..13), rng.random_range(1..29));
        let new = NewPerson {
            forenames: forenames.into(),
            surname: surname.into(),
            date_of_birth: if rng.random_bool(0.9) { dob } else { None },
            sex: if female { "female" } else { "male" }.into(),
            address: format!(
                "{} {}, {}",
                rng.random_range(1..120),
                STREETS.choose(&mut rng).copied().unwrap_or("High Street"),
                TOWNS.choose(&mut rng).copied().unwrap_or("Wealdbury")
            ),
            phone: if rng.random_bool(0.7) { format!("07700 9{:05}", n * 37 % 100_000) } else { String::new() },
        };
        // Demo residents may share a name and a birthday by chance: they are different people.
        let mut person = demo.create_person(by, &new, true, &ctx).await?;
        if rng.random_bool(0.1) {
            let kind = if female && rng.random_bool(0.5) { NameKind::Birth } else { NameKind::Alias };
            let alias = SURNAMES.choose(&mut rng).copied().unwrap_or("Jones");
            let edit = PersonEdit::AddName { kind, forenames: forenames.into(), surname: alias.into() };
            person = demo.edit_person(by, person.id, person.version, &edit, &ctx).await.unwrap_or(person);
        }
        let marker = match n % 40 {
            3 => Some((MarkerCategory::Vulnerability, "Learning disability: explain things simply, allow time")),
            11 => Some((MarkerCategory::Warning, "Violence towards police (warning signal; see PNC)")),
            19 => Some((MarkerCategory::Safeguarding, "Children in the household subject to a child protection plan")),
            27 => Some((MarkerCategory::Vulnerability, "Dementia: may become confused and walk away from home")),
            35 => Some((MarkerCategory::Warning, "Known to carry a knife")),
            _ => None,
        };
        if let Some((category, detail)) = marker {
            let edit = PersonEdit::AddMarker { category, detail: detail.into() };
            person = demo.edit_person(by, person.id, person.version, &edit, &ctx).await?;
        }
        made.push(person);
    }
    for (i, (category, detail)) in [
        (MarkerCategory::Wanted, "Wanted on warrant: failed to appear at Wealdbury Magistrates' Court"),
        (MarkerCategory::Wanted, "Wanted for questioning: burglary, Charnley"),
        (MarkerCategory::Missing, "Missing from home since yesterday evening; high risk, diabetic without insulin"),
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(p) = made.get(i * 7 + 1) {
            let edit = PersonEdit::AddMarker { category, detail: detail.into() };
            demo.edit_person(by, p.id, p.version, &edit, &ctx).await?;
        }
    }

    // Mary Lane: victim in four domestic incidents over the weeks, under a MARAC safeguarding marker.
    let mary = demo
        .create_person(
            by,
            &NewPerson {
                forenames: "Mary".into(),
                surname: "Lane".into(),
                date_of_birth: NaiveDate::from_ymd_opt(1986, 3, 14),
                sex: "female".into(),
                address: "2 Mill Road, Wealdbury".into(),
                phone: "07700 900414".into(),
            },
            true,
            &ctx,
        )
        .await?;
    let marac = PersonEdit::AddMarker {
        category: MarkerCategory::Safeguarding,
        detail: "MARAC: high-risk domestic abuse (DASH), referred by East division".into(),
    };
    demo.edit_person(by, mary.id, mary.version, &marac, &ctx).await?;
    let mut domestic: Vec<&Incident> = incidents.iter().filter(|i| i.opening_category == "PSW-DOM").collect();
    domestic.reverse();
    let mut links = Vec::new();
    for incident in domestic.iter().take(4) {
        links.push((incident.id, mary.id, IncidentRole::Victim));
    }
    // Dean Hollis: a known shop thief, suspect in three earlier shop thefts (the browser journey
    // records a fourth as a crime).
    let dean = demo
        .create_person(
            by,
            &NewPerson {
                forenames: "Dean".into(),
                surname: "Hollis".into(),
                date_of_birth: NaiveDate::from_ymd_opt(1991, 8, 2),
                sex: "male".into(),
                address: "14 Quarry Lane, Wealdbury".into(),
                phone: "07700 900871".into(),
            },
            true,
            &ctx,
        )
        .await?;
    let thefts: Vec<&Incident> = incidents.iter().filter(|i| i.opening_category == "CRM-THF").collect();
    for incident in thefts.iter().rev().take(3) {
        links.push((incident.id, dean.id, IncidentRole::Suspect));
    }
    // Other repeat victims: a handful of people each the victim in several incidents.
    let victims_of: Vec<&Incident> =
        incidents.iter().filter(|i| role_for(&i.opening_category).contains(&IncidentRole::Victim)).collect();
    for p in made.iter().take(15) {
        for incident in victims_of.choose_multiple(&mut rng, 3) {
            links.push((incident.id, p.id, IncidentRole::Victim));
        }
    }
    // Everyone else: about a third of incidents get someone in the role its category suggests.
    let mut shuffled: Vec<&Incident> = incidents.iter().collect();
    shuffled.shuffle(&mut rng);
    for incident in shuffled.iter().take(incidents.len() / 3) {
        if let (Some(p), Some(role)) = (made.choose(&mut rng), role_for(&incident.opening_category).choose(&mut rng)) {
            links.push((incident.id, p.id, *role));
        }
    }
    let mut linked = 0;
    for (incident_id, person_id, role) in links {
        let Some(record) = core.store.find_incident(incident_id).await? else { continue };
        set_clock(record.incident.received_at + Duration::minutes(3));
        let version = record.incident.version;
        // A person already linked in that role is skipped (the rule says so, and it is a demo).
        if demo.link_person(&handler, incident_id, version, person_id, role, &ctx).await.is_ok() {
            linked += 1;
        }
    }
    tracing::debug!(linked, "demo people linked to incidents");
    Ok(made.len() + 2)
}
