//! Demo crimes: recorded from the demo's crime-related incidents that have a victim linked, through
//! the real use case, with the clock set to when an investigator recorded each (usually within a
//! few hours, sometimes after the 24-hour NCRS limit, so the registrar's compliance figure has
//! something to show). Offence codes follow the incident's NSIR category.

use std::sync::{Arc, Mutex};

use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::principal_of;
use bluelamp_core::crime::{CrimeFlag, CrimeRole, NewCrime};
use bluelamp_core::person::IncidentRole;
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
            ..Default::default()
        };
        if demo.record_crime(&officer, &new, &ctx).await.is_ok() {
            made += 1;
        }
    }
    Ok(made)
}

fn set(clock: &Mutex<chrono::DateTime<chrono::Utc>>, at: chrono::DateTime<chrono::Utc>) {
    if let Ok(mut now) = clock.lock() {
        *now = at;
    }
}
