//! Demo triage and allocation (issue 6), through the real use cases with the clock set to each day:
//! a small incident management unit for desk investigation, the demo's crimes allocated day by day
//! as a supervisor accepts the engine's proposals (so the queue holds the last day or so and the
//! backlog view has a flow to show), and the `backlog` scenario: about two weeks in which crimes
//! arrive faster than they are allocated, leaving about 2,000 waiting with the oldest 14 days — the
//! backlog the inspection found (`../shared/seed/000_058ba65e7a43c4ff.txt`) — for the recovery
//! tools to work on.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::{By, principal_of};
use bluelamp_core::crime::{CrimeRole, NewCrime};
use bluelamp_core::triage_use::Choice;
use bluelamp_core::user::NewUser;
use bluelamp_core::{Core, Settings};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::demo_incidents::SetClock;

/// Desk investigators of the incident management unit (the triage account is one of them too).
const DESK: &[(&str, &str)] = &[
    ("imu.patel", "Anil Patel"),
    ("imu.hughes", "Bethan Hughes"),
    ("imu.osei", "Kwame Osei"),
    ("imu.wood", "Jo Wood"),
];

/// Adds the incident management unit's desk investigators (once).
pub async fn desk_team(core: &Core) -> anyhow::Result<usize> {
    let ctx = RequestContext::default();
    let mut added = 0;
    for (n, (username, name)) in DESK.iter().enumerate() {
        if core.store.find_user_by_username(username).await?.is_some() {
            continue;
        }
        let new = NewUser {
            username: (*username).into(),
            display_name: (*name).into(),
            collar_number: format!("{}", 8800 + n),
            rank: "staff".into(),
            team: "Incident Management Unit".into(),
            station: "Headquarters".into(),
            division: "Headquarters".into(),
            pip_level: "pip1".into(),
            specialisms: vec![],
            roles: vec!["triage".into()],
        };
        core.create_user(By::System("demo"), &new, None, &ctx).await?;
        added += 1;
    }
    Ok(added)
}

/// How the demo's supervisor picks which proposals to accept each day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The oldest first: a unit keeping up.
    Oldest,
    /// Victims at higher risk first, then any: a unit short of people, where some crimes wait weeks.
    RiskThenAny,
}

/// Walks the days from the first waiting crime to today; at 18:00 each day the supervisor accepts the
/// proposals for the crimes recorded more than `lag_hours` before, as `pick` says, up to `per_day`.
/// Returns how many were allocated.
pub async fn allocate_by_day(core: &Core, lag_hours: i64, per_day: usize, pick: Pick) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(0xa110c);
    let ctx = RequestContext::default();
    let supervisor = principal_of(&core.get_user_by_username("supervisor").await?);
    let now = Utc::now();
    let rows = core.store.list_unallocated_crimes(bluelamp_core::triage_use::QUEUE_LIMIT).await?;
    let Some(first) = rows.iter().map(|r| r.crime.recorded_at).min() else { return Ok(0) };
    let clock = Arc::new(SetClock(Mutex::new(first)));
    let demo = Core::new(core.store.clone(), clock.clone(), Settings { ..core.settings.clone() });
    let mut day = first.date_naive().and_hms_opt(18, 0, 0).map(|t| t.and_utc()).unwrap_or(first);
    let mut allocated = 0;
    while day < now {
        set(&clock.0, day);
        let proposals = demo.propose_allocations(&supervisor, &ctx).await?;
        let due = day - Duration::hours(lag_hours);
        let mut choices: Vec<((bool, i64), Choice)> = proposals
            .items
            .iter()
            .zip(proposals.plan.proposals.iter())
            .filter(|(item, _)| item.row.crime.recorded_at <= due)
            .filter_map(|(item, p)| {
                let officer = p.officer_id?;
                let key = match pick {
                    Pick::Oldest => (false, item.row.crime.recorded_at.timestamp()),
                    Pick::RiskThenAny => (!item.high_risk, rng.random_range(0..i64::MAX)),
                };
                Some((
                    key,
                    Choice {
                        crime_id: item.row.crime.id,
                        version: item.row.crime.version,
                        officer_id: officer,
                        proposed: Some(officer),
                    },
                ))
            })
            .collect();
        choices.sort_by_key(|(key, _)| *key);
        let choices: Vec<Choice> = choices.into_iter().take(per_day).map(|(_, c)| c).collect();
        if !choices.is_empty() {
            allocated += demo.accept_allocations(&supervisor, &choices, &ctx).await?.len();
        }
        day += Duration::days(1);
    }
    Ok(allocated)
}

/// The offences of the backlog, by weight: mostly volume crime, some assaults the solvability model
/// screens, a few sexual offences that need an accredited investigator.
const BACKLOG_CODES: &[(&str, u32)] = &[
    ("46", 18),
    ("105A", 14),
    ("8N", 8),
    ("28E", 7),
    ("30C", 4),
    ("58C", 8),
    ("9A", 8),
    ("45", 6),
    ("49", 10),
    ("48", 6),
    ("17A", 2),
    ("34B", 3),
];

/// The `backlog` scenario: crimes over the last 14 days (about 230 a day) of which the unit
/// allocates about 85 a day, leaving about 2,000 waiting, the oldest 14 days.
pub async fn backlog(core: &Core, total: usize) -> anyhow::Result<(usize, usize)> {
    let made = record_spread(core, total, 14, 0xb4c).await?;
    let allocated = allocate_by_day(core, 12, made * 85 / 230 / 14, Pick::RiskThenAny).await?;
    Ok((made, allocated))
}

/// Crimes recorded over the last `days` days from the demo's people and places, left waiting for
/// triage (the first a minor assault with no risk flags, so the queue always has one the
/// solvability model screens). Returns how many were recorded.
pub async fn record_spread(core: &Core, total: usize, days: i64, seed: u64) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(seed);
    let ctx = RequestContext::default();
    let officer = principal_of(&core.get_user_by_username("investigator").await?);
    let incidents = core
        .store
        .list_incidents(&bluelamp_core::store::IncidentQuery { limit: 100_000, ..Default::default() })
        .await?;
    // Victims, suspects and places from the demo's incidents.
    let mut people = Vec::new();
    let mut seen = HashSet::new();
    let mut places = Vec::new();
    for incident in incidents.iter().filter(|i| i.latitude.is_some()) {
        places.push((incident.location_text.clone(), incident.latitude, incident.longitude));
        if people.len() < 400
            && let Some(record) = core.store.find_incident(incident.id).await?
        {
            for p in record.people {
                if seen.insert(p.person_id) {
                    people.push(p.person_id);
                }
            }
        }
    }
    anyhow::ensure!(people.len() >= 2 && !places.is_empty(), "the demo incidents have no people or places");
    let now = Utc::now();
    let start = now - Duration::days(days) + Duration::hours(1);
    let clock = Arc::new(SetClock(Mutex::new(start)));
    let demo = Core::new(core.store.clone(), clock.clone(), Settings { ..core.settings.clone() });
    let weights: Vec<(&str, u32)> = BACKLOG_CODES.to_vec();
    let mut made = 0;
    for k in 0..total {
        let at = start + Duration::seconds(((now - start).num_seconds() as f64 * k as f64 / total as f64) as i64);
        set(&clock.0, at);
        let code = if k == 0 {
            "105A"
        } else {
            weights.choose_weighted(&mut rng, |(_, w)| *w).map(|(c, _)| *c).unwrap_or("46")
        };
        let victim = *people.choose(&mut rng).unwrap_or(&people[0]);
        let mut with = vec![(victim, CrimeRole::Victim)];
        if rng.random_bool(0.35)
            && let Some(suspect) = people.choose(&mut rng).filter(|s| **s != victim)
        {
            with.push((*suspect, CrimeRole::Suspect));
        }
        let mut flags = Vec::new();
        for (flag, p) in [
            ("domestic-abuse", if matches!(code, "105A" | "8N" | "58C") { 0.3 } else { 0.03 }),
            ("vulnerable-victim", 0.05),
            ("repeat-victim", 0.07),
            ("child-victim", 0.02),
            ("perishable-evidence", 0.12),
        ] {
            if rng.random_bool(p) && k > 0 {
                flags.push(flag.to_string());
            }
        }
        let (location_text, latitude, longitude) = places.choose(&mut rng).cloned().unwrap_or_default();
        let new = NewCrime {
            offence_code: code.into(),
            occurred_from: Some(at - Duration::hours(rng.random_range(1..30))),
            location_text,
            latitude,
            longitude,
            modus_operandi: "Reported online; details on the report".into(),
            flags,
            injury_recorded: code == "8N",
            people: with,
            ..Default::default()
        };
        if demo.record_crime(&officer, &new, &ctx).await.is_ok() {
            made += 1;
        }
    }
    Ok(made)
}

fn set(clock: &Mutex<DateTime<Utc>>, at: DateTime<Utc>) {
    if let Ok(mut now) = clock.lock() {
        *now = at;
    }
}
