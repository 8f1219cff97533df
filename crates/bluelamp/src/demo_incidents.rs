//! Demo incidents: about a thousand calls over the last 60 days for the demo force, with a realistic
//! mix of categories and grades, repeat addresses (a few places call again and again), most closed
//! and a live queue of open ones today, some past their targets. They go through the same use cases
//! as real calls, with the clock set to each call's time, so the log and the audit trail are genuine.

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

/// A clock the loader moves to each call's time.
struct SetClock(Mutex<DateTime<Utc>>);

impl Clock for SetClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|t| *t).unwrap_or_else(|_| Utc::now())
    }
}

/// (category, weight, summary, qualifiers, grade weights E/P/S/R)
const MIX: &[(&str, u32, &str, &[&str])] = &[
    ("ASB-NUI", 12, "Group of youths shouting and drinking by the shops", &["alcohol"]),
    ("PSW-CFS", 11, "Caller worried about an elderly neighbour not seen for two days", &["vulnerable-adult"]),
    ("PSW-DOM", 10, "Caller reports shouting and banging from the flat next door", &["domestic-abuse"]),
    ("CRM-THF", 8, "Bicycle stolen from outside the caller's house overnight", &[]),
    ("CRM-VIO", 8, "Man assaulted outside a pub, bleeding from the head", &["alcohol"]),
    ("TRN-RTCD", 6, "Two cars in collision at the junction, no injuries", &[]),
    ("PSW-SUS", 6, "Person trying car door handles along the street", &[]),
    ("PSW-A99", 5, "Silent 999 call, open line, background noise only", &[]),
    ("PSW-MHT", 4, "Man in crisis on the bridge talking about harming himself", &["mental-health", "vulnerable-adult"]),
    ("CRM-BUR", 4, "Caller came home to find the back door forced", &[]),
    ("CRM-DAM", 4, "Windows of the community centre smashed", &[]),
    ("PSW-ALM", 4, "Intruder alarm sounding at a closed shop", &[]),
    ("PSW-MIS", 3, "14-year-old has not come home from school", &["missing-person", "child"]),
    ("ASB-PER", 3, "Neighbour repeatedly shouting abuse at the caller", &["repeat"]),
    ("TRN-RTCI", 3, "Cyclist knocked off by a van, conscious, leg injury", &[]),
    ("PSW-CIV", 2, "Dispute between landlord and tenant over a deposit", &[]),
    ("CRM-POR", 2, "Racial abuse shouted at a shop worker", &["hate"]),
    ("PSW-PRO", 2, "Wallet handed in at the front counter", &[]),
    ("CRM-DRG", 2, "Smell of cannabis and people coming and going all night", &["drugs"]),
    ("PSW-SUD", 1, "Carer found a man dead in his bed, not expected", &[]),
];

const STREETS: &[&str] = &[
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

/// Loads the demo incidents if there are none yet; returns how many were made.
pub async fn load(core: &Core, count: usize) -> anyhow::Result<usize> {
    let existing =
        core.store.list_incidents(&bluelamp_core::store::IncidentQuery { limit: 1, ..Default::default() }).await?;
    if !existing.is_empty() || count == 0 {
        return Ok(0);
    }
    let end = Utc::now().trunc_subsecs(6);
    let clock = Arc::new(SetClock(Mutex::new(end - Duration::days(60))));
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
    let total: u32 = MIX.iter().map(|m| m.1).sum();
    let repeat_addresses: Vec<String> =
        (0..25).map(|n| format!("{} {}", 2 + n * 3, STREETS[n % STREETS.len()])).collect();
    let mut made = 0;
    for n in 0..count {
        // Spread over 60 days; the last few dozen arrive in the past few hours and stay open.
        let is_live = n + 40 >= count;
        let at = if is_live {
            end - Duration::minutes(((count - n) * 7) as i64)
        } else {
            end - Duration::days(60) + Duration::seconds((n as i64) * (59 * 86_400) / count as i64)
        };
        if let Ok(mut now) = clock.0.lock() {
            *now = at;
        }
        let mut pick = rng.random_range(0..total);
        let (category, _, summary, qualifiers) = MIX
            .iter()
            .find(|m| {
                if pick < m.1 {
                    true
                } else {
                    pick -= m.1;
                    false
                }
            })
            .copied()
            .unwrap_or(MIX[0]);
        let is_repeat = rng.random_bool(0.25);
        let location = if is_repeat {
            repeat_addresses.choose(&mut rng).cloned().unwrap_or_default()
        } else {
            format!("{} {}", rng.random_range(1..200), STREETS.choose(&mut rng).unwrap_or(&"High Street"))
        };
        let mut qualifiers: Vec<String> = qualifiers.iter().map(|q| q.to_string()).collect();
        if is_repeat {
            qualifiers.push("repeat".into());
        }
        let new = NewIncident {
            channel: if rng.random_bool(0.55) {
                "999"
            } else {
                *["101", "online", "partner", "walk-in"].choose(&mut rng).unwrap_or(&"101")
            }
            .into(),
            received_at: Some(at - Duration::seconds(rng.random_range(30..240))),
            caller_name: String::new(),
            caller_phone: format!("07700 9{:05}", rng.random_range(0..100_000)),
            location_text: location,
            latitude: Some(51.0 + rng.random_range(0.0..0.6)),
            longitude: Some(0.2 + rng.random_range(0.0..0.9)),
            is_rural: rng.random_bool(0.3),
            // Left blank: the division comes from the coordinates and the force's boundaries.
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
        let serious = matches!(category, "CRM-VIO" | "PSW-DOM" | "PSW-MHT" | "PSW-MIS" | "TRN-RTCI");
        advance(&clock, 2);
        demo.assess_thrive(&handler, incident.id, 1, &thrive(&mut rng, serious), &ctx).await?;
        let grade = if serious {
            *["emergency", "emergency", "priority"].choose(&mut rng).unwrap_or(&"priority")
        } else {
            *["priority", "scheduled", "scheduled", "resolution"].choose(&mut rng).unwrap_or(&"scheduled")
        };
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
        advance(&clock, rng.random_range(20..600));
        let crime_related = demo.settings.nsir.is_crime_related(category);
        let (result, reason) = if crime_related {
            ("Attended; caller spoken to", Some("Victim declined to give details; no notifiable offence disclosed"))
        } else {
            ("Attended; advice given; no further action", None)
        };
        demo.close_incident(&handler, incident.id, 3, category, result, None, reason, &ctx).await?;
    }
    Ok(made)
}

fn advance(clock: &SetClock, minutes: i64) {
    if let Ok(mut now) = clock.0.lock() {
        *now += Duration::minutes(minutes);
    }
}
