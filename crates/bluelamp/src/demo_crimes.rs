//! Demo crimes: recorded from the demo's crime-related incidents that have a victim linked, through
//! the real use case, with the clock set to when an investigator recorded each (usually within a
//! few hours, sometimes after the 24-hour NCRS limit, so the registrar's compliance figure has
//! something to show). Offence codes follow the incident's NSIR category. Shop thefts have the shop
//! as victim (the member of staff as witness); thefts, robberies and vehicle crimes carry the
//! property with a valid IMEI or registration mark, and some phones turn up again as recovered in a
//! later crime, so the object search has something to find. Afterwards the registrar delegates the
//! authority to cancel to the supervisor account and cancels three crimes (a duplicate, one shown by
//! verifiable information not to have happened, and one transferred to another force).

use std::sync::{Arc, Mutex};

use bluelamp_core::audit::RequestContext;
use bluelamp_core::cancel::CancelRequest;
use bluelamp_core::core::principal_of;
use bluelamp_core::crime::{CrimeFlag, CrimeRole, NewCrime};
use bluelamp_core::person::IncidentRole;
use bluelamp_core::pole::{NewObject, NewOrganisation, ObjectRole};
use bluelamp_core::{Core, Settings};
use chrono::Duration;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::demo_incidents::SetClock;

/// Home Office codes that fit each crime chapter NSIR category, most likely first.
fn codes_for(category: &str) -> &'static [&'static str] {
    match category {
        "CRM-VIO" => &["105A", "8N", "8L", "8Q"],
        "CRM-SEX" => &["20A", "88E"],
        "CRM-ROB" => &["34B", "34A"],
        "CRM-BUR" => &["28E", "30C", "28F"],
        "CRM-VEH" => &["45", "48", "126"],
        "CRM-THF" => &["46", "49", "44", "39"],
        "CRM-DAM" => &["58C", "58A", "58D", "56B"],
        "CRM-DRG" => &["92E", "92D", "92A"],
        "CRM-WPN" => &["10D", "10C"],
        "CRM-POR" => &["9A", "9B"],
        _ => &["99"],
    }
}

const SHOPS: &[&str] = &["Co-op", "Tesco Express", "Boots", "Sainsbury's Local", "Spar", "Superdrug", "Iceland"];
const PHONES: &[(&str, &str)] =
    &[("Apple", "iPhone 14"), ("Samsung", "Galaxy S23"), ("Google", "Pixel 8"), ("Apple", "iPhone 13")];
const CARS: &[(&str, &str, &str)] = &[
    ("Ford", "Fiesta", "Silver"),
    ("Vauxhall", "Corsa", "Red"),
    ("Volkswagen", "Golf", "Black"),
    ("Nissan", "Qashqai", "White"),
];

/// A valid IMEI: 14 random digits and their Luhn check digit.
fn imei(rng: &mut StdRng) -> String {
    let body: String = (0..14).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect();
    (0..10u8)
        .map(|d| format!("{body}{d}"))
        .find(|candidate| bluelamp_core::pole::luhn_valid(candidate))
        .unwrap_or_else(|| format!("{body}0"))
}

/// A current-style registration mark: two letters, two digits, three letters.
fn vrm(rng: &mut StdRng) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXYZ";
    let mut letter = || char::from(LETTERS[rng.random_range(0..LETTERS.len())]);
    let (a, b) = (letter(), letter());
    let (c, d, e) = (letter(), letter(), letter());
    format!("{a}{b}{} {c}{d}{e}", rng.random_range(10..75))
}

/// Organisations and objects with their roles, and whether the victim is really a witness.
type DemoPole = (Vec<(NewOrganisation, CrimeRole)>, Vec<(NewObject, ObjectRole)>, bool);

/// The organisation and property a demo crime of this code carries, and whether the person victim
/// is really a witness (a member of staff in a shop theft).
fn pole_for(code: &str, location: &str, rng: &mut StdRng, stolen_phones: &mut Vec<String>) -> DemoPole {
    match code {
        "46" => {
            let shop = SHOPS.choose(rng).copied().unwrap_or("Co-op");
            let org = NewOrganisation {
                name: shop.into(),
                kind: "business".into(),
                address: location.into(),
                phone: String::new(),
            };
            let goods = ["Meat from the chiller", "Spirits", "Razor blades", "Cosmetics", "Coffee jars"];
            let item = NewObject {
                kind: "property".into(),
                description: goods.choose(rng).copied().unwrap_or("Goods").into(),
                value: format!("{}.{:02}", rng.random_range(8..180), rng.random_range(0..100)),
                ..Default::default()
            };
            (vec![(org, CrimeRole::Victim)], vec![(item, ObjectRole::Stolen)], true)
        }
        "49" | "44" | "34B" | "34A" | "39" => {
            // About one phone in six is found again: recovered in a later crime.
            let (identifier, role) = match stolen_phones.len() {
                n if n > 3 && rng.random_bool(1.0 / 6.0) => {
                    (stolen_phones.swap_remove(rng.random_range(0..n)), ObjectRole::Recovered)
                }
                _ => {
                    let id = imei(rng);
                    stolen_phones.push(id.clone());
                    (id, ObjectRole::Stolen)
                }
            };
            let (make, model) = PHONES.choose(rng).copied().unwrap_or(("Apple", "iPhone 14"));
            let phone = NewObject {
                kind: "mobile-phone".into(),
                description: "Mobile phone".into(),
                identifier_kind: "imei".into(),
                identifier,
                make: make.into(),
                model: model.into(),
                value: format!("{}", rng.random_range(120..900)),
                ..Default::default()
            };
            (Vec::new(), vec![(phone, role)], false)
        }
        "45" | "48" => {
            let (make, model, colour) = CARS.choose(rng).copied().unwrap_or(("Ford", "Fiesta", "Silver"));
            let car = NewObject {
                kind: "vehicle".into(),
                description: "Car".into(),
                identifier_kind: "vrm".into(),
                identifier: vrm(rng),
                make: make.into(),
                model: model.into(),
                colour: colour.into(),
                ..Default::default()
            };
            let role = if code == "45" { ObjectRole::Stolen } else { ObjectRole::Damaged };
            (Vec::new(), vec![(car, role)], false)
        }
        _ => (Vec::new(), Vec::new(), false),
    }
}

/// Records up to `limit` demo crimes; returns how many.
pub async fn load(core: &Core, limit: usize) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(0xc41e);
    let ctx = RequestContext::default();
    let officer = principal_of(&core.get_user_by_username("investigator").await?);
    let mut incidents = core
        .store
        .list_incidents(&bluelamp_core::store::IncidentQuery { limit: 100_000, ..Default::default() })
        .await?;
    incidents.retain(|i| i.opening_category.starts_with("CRM-"));
    incidents.sort_by_key(|i| i.received_at);
    let clock = Arc::new(SetClock(std::sync::Mutex::new(chrono::Utc::now())));
    let demo = Core::new(core.store.clone(), clock.clone(), Settings { ..core.settings.clone() });
    let now = chrono::Utc::now();
    let mut made = 0;
    let mut stolen_phones = Vec::new();
    let mut recorded = Vec::new();
    for incident in incidents {
        if made >= limit {
            break;
        }
        let Some(record) = core.store.find_incident(incident.id).await? else { continue };
        let Some(victim) = record.people.iter().find(|p| p.role == IncidentRole::Victim) else { continue };
        let mut people = vec![(victim.person_id, CrimeRole::Victim)];
        if let Some(s) =
            record.people.iter().find(|p| p.role == IncidentRole::Suspect && p.person_id != victim.person_id)
        {
            people.push((s.person_id, CrimeRole::Suspect));
        }
        // Most within hours; about one in thirty after the NCRS 24 hours.
        let hours = if rng.random_bool(1.0 / 30.0) { rng.random_range(25..72) } else { rng.random_range(1..20) };
        let at = (incident.received_at + Duration::hours(hours)).min(now);
        set(&clock.0, at);
        let code = codes_for(&incident.opening_category).choose(&mut rng).copied().unwrap_or("99");
        let (organisations, objects, staff_witness) =
            pole_for(code, &incident.location_text, &mut rng, &mut stolen_phones);
        if staff_witness {
            people[0].1 = CrimeRole::Witness;
        }
        let mut flags = Vec::new();
        if incident.qualifiers.iter().any(|q| q == "domestic-abuse") {
            flags.push(CrimeFlag::DomesticAbuse.as_str().to_string());
        }
        if incident.qualifiers.iter().any(|q| q == "alcohol") {
            flags.push(CrimeFlag::Alcohol.as_str().to_string());
        }
        let new = NewCrime {
            incident_id: Some(incident.id),
            offence_code: code.into(),
            occurred_from: Some(incident.received_at - Duration::minutes(rng.random_range(5..90))),
            location_text: incident.location_text.clone(),
            latitude: incident.latitude,
            longitude: incident.longitude,
            modus_operandi: record.log.first().map(|l| l.text.clone()).unwrap_or_default(),
            flags,
            injury_recorded: code == "8N",
            people,
            organisations,
            objects,
            ..Default::default()
        };
        if let Ok(crime) = demo.record_crime(&officer, &new, &ctx).await {
            made += 1;
            recorded.push(crime);
        }
    }
    cancel_some(&demo, &clock.0, &recorded).await?;
    Ok(made)
}

/// The registrar delegates to the supervisor account, then three crimes are cancelled: a duplicate
/// of the crime before it (by the delegate), one shown not to have happened, and one transferred.
async fn cancel_some(
    demo: &Core,
    clock: &Mutex<chrono::DateTime<chrono::Utc>>,
    crimes: &[bluelamp_core::crime::Crime],
) -> anyhow::Result<()> {
    let ctx = RequestContext::default();
    let registrar = principal_of(&demo.get_user_by_username("crime-registrar").await?);
    let delegate = principal_of(&demo.get_user_by_username("supervisor").await?);
    let Some(first) = crimes.iter().map(|c| c.recorded_at).min() else { return Ok(()) };
    set(clock, first - Duration::days(1));
    demo.delegate_cancellation(
        &registrar,
        "supervisor",
        "Designated decision maker for the crime management unit",
        None,
        &ctx,
    )
    .await?;
    let theft = |c: &&bluelamp_core::crime::Crime| c.offence_group == bluelamp_core::offence::OffenceGroup::Theft;
    let mut thefts = crimes.iter().rev().filter(theft);
    let (Some(duplicate), Some(original), Some(not_a_crime), Some(elsewhere)) =
        (thefts.next(), thefts.next(), thefts.next(), thefts.next())
    else {
        return Ok(());
    };
    set(clock, (duplicate.recorded_at + Duration::hours(6)).min(chrono::Utc::now()));
    let dup = CancelRequest {
        criterion: "C3".into(),
        verifiable_info:
            "Same theft reported twice by the store and by its security company; details checked with both".into(),
        related_crime_number: original.number.clone(),
        transferred_to: String::new(),
    };
    demo.cancel_crime(&delegate, duplicate.id, duplicate.version, &dup, &ctx).await?;
    set(clock, (not_a_crime.recorded_at + Duration::hours(30)).min(chrono::Utc::now()));
    let c2 = CancelRequest {
        criterion: "C2".into(),
        verifiable_info: "The owner found the item at home and confirmed by phone to PC 4410; nothing was taken".into(),
        ..Default::default()
    };
    demo.cancel_crime(&registrar, not_a_crime.id, not_a_crime.version, &c2, &ctx).await?;
    set(clock, (elsewhere.recorded_at + Duration::hours(20)).min(chrono::Utc::now()));
    let c1 = CancelRequest {
        criterion: "C1".into(),
        verifiable_info: "Bank records show the card was used in Chelmsford; the victim confirms it was taken there"
            .into(),
        transferred_to: "Essex Police".into(),
        ..Default::default()
    };
    demo.cancel_crime(&registrar, elsewhere.id, elsewhere.version, &c1, &ctx).await?;
    Ok(())
}

fn set(clock: &Mutex<chrono::DateTime<chrono::Utc>>, at: chrono::DateTime<chrono::Utc>) {
    if let Ok(mut now) = clock.lock() {
        *now = at;
    }
}
