//! Demo incidents: about three thousand calls over the last 90 days for the demo force. The mix of
//! categories, grades and channels is plausible rather than sourced, except where the domain notes say
//! something: about 8.4% of incidents carry the mental-health qualifier and almost three quarters of
//! domestic abuse incidents are graded emergency or priority (Kent PEEL 2018/19,
//! `../shared/domain/INSPECTION-FIGURES.md`); the opening category sometimes differs from the closing
//! one (NSIR, REFERENCE.md §3.1). Calls cluster in the twelve towns, each inside its beat, with more in
//! the evening; a few dozen places and callers ring again and again (repeat victims, ASB complainants,
//! a frequent caller in crisis). Most are closed; a live queue of open ones arrives in the last few
//! hours, some past their targets, and recent scheduled ones await their appointment.
//!
//! They go through the same use cases as real calls, with the clock set to each call's time, so the
//! log and the audit trail are genuine.

use std::sync::{Arc, Mutex};

use bluelamp_core::audit::RequestContext;
use bluelamp_core::clock::Clock;
use bluelamp_core::core::principal_of;
use bluelamp_core::incident::{NewIncident, ThriveElement, ThriveInput};
use bluelamp_core::{Core, Settings};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// How far back the demo incidents go.
pub const DAYS: i64 = 90;

/// A clock the loader moves to each call's time.
pub(crate) struct SetClock(pub(crate) Mutex<DateTime<Utc>>);

impl Clock for SetClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|t| *t).unwrap_or_else(|_| Utc::now())
    }
}

/// How urgent a kind of call usually is: the grade weights (emergency, priority, scheduled,
/// resolution without deployment) differ by risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Risk {
    High,
    Medium,
    Low,
    /// Silent 999 calls: many are resolved by calling back.
    Silent,
}

impl Risk {
    fn grade_weights(self) -> [u32; 4] {
        match self {
            Risk::High => [45, 40, 10, 5],
            Risk::Medium => [10, 45, 35, 10],
            Risk::Low => [2, 18, 40, 40],
            Risk::Silent => [20, 30, 5, 45],
        }
    }
}

/// Domestic abuse: almost three quarters emergency or priority (Kent PEEL 2018/19).
const DOMESTIC_ABUSE_GRADES: [u32; 4] = [35, 39, 20, 6];

/// (category, calls per thousand, risk, summary, qualifiers always added)
type Kind = (&'static str, u32, Risk, &'static str, &'static [&'static str]);

const MIX: &[Kind] = &[
    ("CRM-VIO", 80, Risk::High, "Man assaulted outside a pub, bleeding from the head", &["alcohol"]),
    ("CRM-THF", 55, Risk::Low, "Bicycle stolen from outside the caller's house overnight", &[]),
    ("CRM-BUR", 25, Risk::Medium, "Caller came home to find the back door forced", &[]),
    ("CRM-DAM", 35, Risk::Medium, "Windows of the community centre smashed", &[]),
    ("CRM-VEH", 15, Risk::Low, "Car broken into on the driveway, sat-nav taken", &[]),
    ("CRM-ROB", 5, Risk::High, "Teenager threatened with a knife and phone taken", &["weapons", "child"]),
    ("CRM-SEX", 8, Risk::High, "Woman says a man exposed himself to her on the footpath", &[]),
    ("CRM-DRG", 15, Risk::Medium, "Smell of cannabis and people coming and going all night", &["drugs"]),
    ("CRM-WPN", 6, Risk::High, "Man seen with a machete in the park", &["weapons"]),
    ("CRM-POR", 20, Risk::Medium, "Abuse shouted at a shop worker, customers frightened", &[]),
    ("CRM-FRD", 20, Risk::Low, "Elderly caller paid a fake builder in advance", &["vulnerable-adult"]),
    ("CRM-OTH", 6, Risk::Low, "Caller reports threatening letters from a former friend", &[]),
    ("TRN-RTCD", 40, Risk::Medium, "Two cars in collision at the junction, no injuries", &[]),
    ("TRN-RTCI", 15, Risk::High, "Cyclist knocked off by a van, conscious, leg injury", &[]),
    ("TRN-RTCF", 1, Risk::High, "Car left the road and hit a tree, driver not breathing", &[]),
    ("TRN-ROF", 20, Risk::Low, "Car driven at speed through the estate, same car every night", &[]),
    ("TRN-HWY", 15, Risk::Medium, "Fallen tree blocking both lanes", &[]),
    ("ASB-NUI", 70, Risk::Low, "Group of youths shouting and drinking by the shops", &["alcohol"]),
    ("ASB-PER", 25, Risk::Medium, "Neighbour repeatedly shouting abuse at the caller", &[]),
    ("ASB-ENV", 10, Risk::Low, "Rubbish dumped and set alight behind the garages", &[]),
    (
        "PSW-CFS",
        110,
        Risk::Medium,
        "Caller worried about an elderly neighbour not seen for two days",
        &["vulnerable-adult"],
    ),
    ("PSW-DOM", 85, Risk::High, "Caller reports shouting and banging from the flat next door", &["domestic-abuse"]),
    ("PSW-CIV", 25, Risk::Low, "Dispute between landlord and tenant over a deposit", &[]),
    ("PSW-SUD", 8, Risk::High, "Carer found a man dead in his bed, not expected", &[]),
    ("PSW-SUS", 55, Risk::Medium, "Person trying car door handles along the street", &[]),
    ("PSW-MIS", 30, Risk::High, "14-year-old has not come home from school", &["missing-person", "child"]),
    ("PSW-CII", 25, Risk::Medium, "Man collapsed in the high street, ambulance on its way", &[]),
    ("PSW-INS", 10, Risk::Low, "Shop door found open after closing time", &[]),
    ("PSW-PRO", 20, Risk::Low, "Wallet handed in at the front counter", &[]),
    ("PSW-ALM", 30, Risk::Medium, "Intruder alarm sounding at a closed shop", &[]),
    ("PSW-A99", 45, Risk::Silent, "Silent 999 call, open line, background noise only", &[]),
    ("PSW-ANI", 12, Risk::Low, "Horses loose on the main road", &[]),
    (
        "PSW-MHT",
        40,
        Risk::High,
        "Man in crisis on the bridge talking about harming himself",
        &["mental-health", "vulnerable-adult"],
    ),
    ("PSW-PRT", 2, Risk::Low, "Group planning a march to the town hall on Saturday", &[]),
    ("ADM-MSG", 12, Risk::Low, "Neighbouring force asks for a message to be passed on", &[]),
    ("ADM-PPE", 3, Risk::Low, "Football match: officers on duty at the ground", &[]),
    ("ADM-DUP", 2, Risk::Low, "Second call about an incident already recorded", &[]),
];

/// Qualifiers added to some calls of a kind: (category, qualifier, chance).
const SOMETIMES: &[(&str, &str, f64)] = &[
    ("CRM-VIO", "domestic-abuse", 0.25),
    ("CRM-VIO", "mental-health", 0.05),
    ("CRM-DAM", "domestic-abuse", 0.10),
    ("CRM-POR", "hate", 0.40),
    ("PSW-CFS", "mental-health", 0.12),
    ("PSW-MIS", "mental-health", 0.20),
    ("PSW-CII", "mental-health", 0.20),
    ("PSW-CII", "alcohol", 0.30),
    ("PSW-SUS", "drugs", 0.10),
    ("ASB-PER", "hate", 0.10),
];

/// Opening categories that are sometimes closed as something else, once the facts are known.
const RECLASSIFIED: &[(&str, &str)] = &[
    ("PSW-SUS", "CRM-BUR"),
    ("PSW-CFS", "PSW-MHT"),
    ("PSW-A99", "ADM-DUP"),
    ("PSW-ALM", "PSW-INS"),
    ("ASB-PER", "CRM-POR"),
    ("PSW-DOM", "CRM-VIO"),
];

/// The twelve towns, one per beat, with their centres (inside the beat in `data/demo-areas.geojson`),
/// the beat's half-width and half-height in degrees, and how busy they are.
const TOWNS: &[(&str, f64, f64, f64, f64, u32)] = &[
    ("Harbourne", 0.425, 51.525, 0.225, 0.075, 14),
    ("Kingsmere", 0.875, 51.525, 0.225, 0.075, 9),
    ("Saltcote", 0.425, 51.375, 0.225, 0.075, 7),
    ("Wyvern Cross", 0.875, 51.375, 0.225, 0.075, 6),
    ("Thornbury", 0.3125, 51.225, 0.1125, 0.075, 12),
    ("Ashcombe", 0.5375, 51.225, 0.1125, 0.075, 7),
    ("Westerham Vale", 0.3125, 51.075, 0.1125, 0.075, 6),
    ("Lyde Green", 0.5375, 51.075, 0.1125, 0.075, 5),
    ("Oakfield", 0.7625, 51.225, 0.1125, 0.075, 14),
    ("Marden Quay", 0.9875, 51.225, 0.1125, 0.075, 9),
    ("Eastling", 0.7625, 51.075, 0.1125, 0.075, 6),
    ("Fenbridge", 0.9875, 51.075, 0.1125, 0.075, 5),
];

pub(crate) const STREETS: &[&str] = &[
    "Mill Road",
    "Station Approach",
    "High Street",
    "Church Lane",
    "Victoria Road",
    "The Parade",
    "Queens Avenue",
    "Brook Street",
    "Marsh Lane",
    "Castle Hill",
    "Orchard Way",
    "Kings Road",
    "Harbour Walk",
    "Fen Lane",
];

/// Calls per hour of the day, UK time: quiet before dawn, busiest in the evening.
const HOURLY: [u32; 24] = [5, 4, 3, 2, 2, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 7, 8, 9, 9, 9, 8, 8, 7, 6];

/// A place and caller that call again and again, and what about.
struct Repeat {
    address: String,
    phone: String,
    latitude: f64,
    longitude: f64,
    categories: &'static [&'static str],
}

const REPEAT_KINDS: &[&[&str]] = &[
    &["PSW-DOM", "PSW-DOM", "CRM-VIO"],
    &["ASB-NUI", "ASB-PER", "CRM-DAM"],
    &["PSW-MHT", "PSW-CFS", "PSW-MHT"],
    &["CRM-THF", "CRM-POR", "CRM-THF"],
    &["CRM-VIO", "ASB-NUI", "CRM-POR"],
    &["PSW-MIS", "PSW-MIS", "PSW-CFS"],
];

/// An index drawn in proportion to `weights` (never empty here: the tables are constants).
fn weighted_index(rng: &mut StdRng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut pick = rng.random_range(0..total.max(1));
    for (i, w) in weights.iter().enumerate() {
        if pick < *w {
            return i;
        }
        pick -= w;
    }
    weights.len().saturating_sub(1)
}

fn weighted<'a, T>(rng: &mut StdRng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let weights: Vec<u32> = items.iter().map(weight).collect();
    &items[weighted_index(rng, &weights)]
}

/// A point near the town centre, well inside its beat; further out is more often rural.
fn point_in(rng: &mut StdRng, town: &(&str, f64, f64, f64, f64, u32)) -> (f64, f64, bool) {
    let (_, lon, lat, half_w, half_h, _) = *town;
    // The sum of two uniforms peaks in the middle: towns are denser at the centre.
    let dx: f64 = (rng.random_range(0.0..1.0) + rng.random_range(0.0..1.0) - 1.0) * 0.85;
    let dy: f64 = (rng.random_range(0.0..1.0) + rng.random_range(0.0..1.0) - 1.0) * 0.85;
    let far = dx.abs().max(dy.abs()) > 0.5;
    let rural = rng.random_bool(if far { 0.6 } else { 0.05 });
    let round = |v: f64| (v * 100_000.0).round() / 100_000.0;
    (round(lat + dy * half_h), round(lon + dx * half_w), rural)
}

fn thrive(rng: &mut StdRng, serious: bool) -> ThriveInput {
    let rating = |rng: &mut StdRng| {
        if serious {
            *["high", "medium"].choose(rng).unwrap_or(&"high")
        } else {
            *["low", "medium"].choose(rng).unwrap_or(&"low")
        }
    };
    ThriveInput {
        entries: ThriveElement::ALL
            .iter()
            .map(|e| {
                (
                    e.as_str().to_string(),
                    rating(rng).to_string(),
                    format!("{} assessed from what the caller said", e.label()),
                )
            })
            .collect(),
    }
}

/// How the call came in, given what it is about.
fn channel(rng: &mut StdRng, category: &str, risk: Risk) -> &'static str {
    match category {
        "PSW-A99" => "999",
        "PSW-ALM" => {
            if rng.random_bool(0.7) {
                "partner"
            } else {
                "101"
            }
        }
        "ADM-PPE" | "ADM-MSG" => "officer",
        "PSW-PRO" if rng.random_bool(0.5) => "walk-in",
        "CRM-THF" | "CRM-FRD" | "CRM-VEH" | "ASB-ENV" if rng.random_bool(0.4) => "online",
        _ if risk == Risk::High => {
            if rng.random_bool(0.8) {
                "999"
            } else {
                "101"
            }
        }
        _ => weighted(rng, &[("999", 30), ("101", 50), ("online", 8), ("partner", 7), ("walk-in", 5)], |c| c.1).0,
    }
}

/// Loads the demo incidents if there are none yet; returns how many were made.
pub async fn load(core: &Core, count: usize) -> anyhow::Result<usize> {
    let existing =
        core.store.list_incidents(&bluelamp_core::store::IncidentQuery { limit: 1, ..Default::default() }).await?;
    if !existing.is_empty() || count == 0 {
        return Ok(0);
    }
    let end = Utc::now().trunc_subsecs(6);
    let clock = Arc::new(SetClock(Mutex::new(end - Duration::days(DAYS))));
    let demo = Core::new(core.store.clone(), clock.clone(), Settings { ..core.settings.clone() });
    let handler = principal_of(&core.get_user_by_username("call-handler").await?);
    let ctx = RequestContext::default();
    let mut units = Vec::new();
    for (prefix, division) in [("N", "North"), ("E", "East"), ("W", "West")] {
        for (n, kind) in [
            "Response car",
            "Response car",
            "Response car",
            "Double-crewed van",
            "Neighbourhood patrol",
            "Roads policing car",
            "Dog unit",
            "Response car",
        ]
        .iter()
        .enumerate()
        {
            let unit = demo
                .add_resource(
                    bluelamp_core::core::By::System("demo"),
                    &format!("{prefix}A{}", 21 + n),
                    kind,
                    division,
                    &ctx,
                )
                .await?;
            units.push(unit);
        }
    }
    let mut rng = StdRng::seed_from_u64(999);
    // Forty places that call again and again. Handlers type these as the caller says them, without
    // the town ("2 Mill Road"), so the intake check matches them on the address as written.
    let repeats: Vec<Repeat> = (0..40)
        .map(|n| {
            let town = weighted(&mut rng, TOWNS, |t| t.5);
            let (latitude, longitude, _) = point_in(&mut rng, town);
            Repeat {
                address: format!("{} {}", 2 + n * 3, STREETS[n % STREETS.len()]),
                phone: format!("07700 8{:05}", rng.random_range(0..100_000)),
                latitude,
                longitude,
                categories: REPEAT_KINDS[n % REPEAT_KINDS.len()],
            }
        })
        .collect();
    // Call times: a day in the last 90, an hour by the daily pattern, in order; the last few dozen
    // arrive in the past few hours and stay open.
    let live = 40.min(count);
    let start = end - Duration::days(DAYS);
    let first_live = end - Duration::minutes((live * 7) as i64);
    let mut times: Vec<DateTime<Utc>> = (0..count - live)
        .map(|_| {
            loop {
                let day = rng.random_range(0..DAYS);
                let hour = weighted_index(&mut rng, &HOURLY);
                let at = start
                    + Duration::days(day)
                    + Duration::hours(hour as i64)
                    + Duration::seconds(rng.random_range(0..3600));
                if at < first_live {
                    break at;
                }
            }
        })
        .collect();
    times.sort();
    times.extend((0..live).map(|k| end - Duration::minutes(((live - k) * 7) as i64)));
    let mut crime_number = 0;
    let mut made = 0;
    for (n, at) in times.into_iter().enumerate() {
        let is_live = n + live >= count;
        if let Ok(mut now) = clock.0.lock() {
            *now = at;
        }
        let repeat = rng.random_bool(0.2).then(|| &repeats[rng.random_range(0..repeats.len())]);
        let kind = match repeat {
            Some(r) => {
                let code = *r.categories.choose(&mut rng).unwrap_or(&"PSW-CFS");
                MIX.iter().find(|m| m.0 == code).unwrap_or(&MIX[0])
            }
            None => weighted(&mut rng, MIX, |m| m.1),
        };
        let (category, _, risk, summary, always) = *kind;
        let mut qualifiers: Vec<String> = always.iter().map(|q| q.to_string()).collect();
        for (c, q, chance) in SOMETIMES {
            if *c == category && rng.random_bool(*chance) && !qualifiers.iter().any(|x| x == q) {
                qualifiers.push((*q).to_string());
            }
        }
        let (location, phone, (latitude, longitude, is_rural)) = match repeat {
            Some(r) => {
                if rng.random_bool(0.7) {
                    qualifiers.push("repeat".into());
                }
                (r.address.clone(), r.phone.clone(), (r.latitude, r.longitude, false))
            }
            None => {
                let town = weighted(&mut rng, TOWNS, |t| t.5);
                let street = STREETS.choose(&mut rng).unwrap_or(&"High Street");
                (
                    format!("{} {street}, {}", rng.random_range(1..200), town.0),
                    format!("07700 9{:05}", rng.random_range(0..100_000)),
                    point_in(&mut rng, town),
                )
            }
        };
        let domestic = qualifiers.iter().any(|q| q == "domestic-abuse");
        let new = NewIncident {
            channel: channel(&mut rng, category, risk).into(),
            received_at: Some(at - Duration::seconds(rng.random_range(30..240))),
            caller_name: String::new(),
            caller_phone: phone,
            location_text: location,
            latitude: Some(latitude),
            longitude: Some(longitude),
            is_rural,
            // Left blank: division, beat and ward come from the coordinates and the force's boundaries.
            division: String::new(),
            opening_category: category.into(),
            qualifiers,
            summary: summary.into(),
        };
        let incident = demo.record_incident(&handler, &new, &ctx).await?;
        made += 1;
        if is_live && rng.random_bool(0.3) {
            continue; // awaiting a grade
        }
        let serious = risk == Risk::High || domestic;
        advance(&clock, 2);
        demo.assess_thrive(&handler, incident.id, 1, &thrive(&mut rng, serious), &ctx).await?;
        let weights = if domestic { DOMESTIC_ABUSE_GRADES } else { risk.grade_weights() };
        let grades = ["emergency", "priority", "scheduled", "resolution"];
        let grade = grades[weighted_index(&mut rng, &weights)];
        advance(&clock, 1);
        demo.grade_incident(&handler, incident.id, 2, grade, None, &ctx).await?;
        if is_live {
            // Send a unit to the urgent ones while units last; some have already arrived.
            if matches!(grade, "emergency" | "priority") {
                let free = units.iter().position(|u| {
                    u.division == incident.division && u.status == bluelamp_core::resource::ResourceStatus::Available
                });
                if let Some(k) = free {
                    let deployed = demo.deploy_unit(&handler, incident.id, 3, units[k].id, &ctx).await?;
                    units[k].status = bluelamp_core::resource::ResourceStatus::Assigned;
                    if at < end - Duration::minutes(30) && rng.random_bool(0.6) {
                        advance(&clock, rng.random_range(5..15));
                        let record = demo
                            .store
                            .find_incident(incident.id)
                            .await?
                            .ok_or_else(|| anyhow::anyhow!("incident vanished"))?;
                        if let Some(d) = record.deployments.first() {
                            demo.record_arrival(&handler, incident.id, deployed.version, d.id, None, &ctx).await?;
                        }
                    }
                }
            }
            continue;
        }
        if grade == "scheduled" && at > end - Duration::days(2) && rng.random_bool(0.5) {
            continue; // awaiting its appointment
        }
        advance(&clock, rng.random_range(20..600));
        let closing = match RECLASSIFIED.iter().find(|(from, _)| *from == category) {
            Some((_, to)) if rng.random_bool(0.12) => *to,
            _ => category,
        };
        let crime_related =
            demo.settings.nsir.is_crime_related(category) || demo.settings.nsir.is_crime_related(closing);
        let crime_reference = (crime_related && rng.random_bool(0.75)).then(|| {
            crime_number += 1;
            format!("WC/{crime_number:06}/{}", at.format("%y"))
        });
        let (result, reason) = match (crime_related, &crime_reference) {
            (true, Some(_)) => ("Attended; crime recorded and allocated", None),
            (true, None) => {
                ("Attended; caller spoken to", Some("Victim declined to give details; no notifiable offence disclosed"))
            }
            (false, _) => ("Attended; advice given; no further action", None),
        };
        demo.close_incident(&handler, incident.id, 3, closing, result, crime_reference.as_deref(), reason, &ctx)
            .await?;
    }
    Ok(made)
}

fn advance(clock: &SetClock, minutes: i64) {
    if let Ok(mut now) = clock.0.lock() {
        *now += Duration::minutes(minutes);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use bluelamp_core::area::{AreaMap, Level};
    use bluelamp_core::clock::SystemClock;
    use bluelamp_testkit::{SqliteBackend, TestBackend};

    use super::*;

    /// A sample of the demo incidents: every one has a division, beat and ward from its coordinates,
    /// every beat gets calls, some places call again, and the mental-health share is near Kent's 8.4%.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn demo_incidents_fill_beats_and_wards() {
        let backend = SqliteBackend::new().await;
        let areas = AreaMap::from_geojson(crate::demo::AREAS).expect("areas");
        let beats = areas.names(Level::Beat).len();
        let settings = Settings { areas, ..Settings::default() };
        let core = Core::new(backend.store(), Arc::new(SystemClock), settings);
        crate::demo::load(&core).await.expect("the force");
        let made = load(&core, 600).await.expect("incidents");
        assert_eq!(made, 600);
        let all = core
            .store
            .list_incidents(&bluelamp_core::store::IncidentQuery { limit: 1000, ..Default::default() })
            .await
            .expect("list");
        assert_eq!(all.len(), 600);
        assert!(all.iter().all(|i| !i.division.is_empty() && !i.beat.is_empty() && !i.ward.is_empty()));
        let mut by_beat: HashMap<&str, usize> = HashMap::new();
        let mut by_address: HashMap<String, usize> = HashMap::new();
        for i in &all {
            *by_beat.entry(i.beat.as_str()).or_default() += 1;
            *by_address.entry(bluelamp_core::incident::address_key(&i.location_text)).or_default() += 1;
        }
        assert_eq!(by_beat.len(), beats, "every beat has calls: {by_beat:?}");
        assert!(by_address.values().filter(|n| **n >= 3).count() >= 10, "repeat addresses");
        let mental_health = all.iter().filter(|i| i.qualifiers.iter().any(|q| q == "mental-health")).count();
        let share = mental_health as f64 / all.len() as f64;
        assert!((0.05..0.13).contains(&share), "mental-health share {share}");
        let open = all.iter().filter(|i| i.status == bluelamp_core::incident::IncidentStatus::Open).count();
        assert!((40..120).contains(&open), "a live queue, not everything open: {open}");
        let oldest = all.iter().map(|i| i.received_at).min().expect("some");
        assert!(Utc::now() - oldest > Duration::days(DAYS - 3), "spread over {DAYS} days");
    }
}
