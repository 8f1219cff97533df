//! `allocate`: the allocation engine (`bluelamp_core::allocation`) over a county force's queue, in
//! memory: `crimes` of the most recent waiting crimes of a generated force across `officers`
//! investigators. Times `propose` (min, median, p95 of `repeats` runs) and solves the same problem
//! once with the plain exact solver (`exact_reference`), so the result says both how fast and whether
//! optimal. The goal (issue 6): 2,000 crimes across 3,800 officers in under 200 ms, at the optimum.
//!
//! The force comes from `bluelamp_generate` (seeded, so the same seed gives the same problem):
//! officers with the investigator role are investigators, the triage staff of the incident management
//! units are the desk officers. The generator has no caseloads, so they are made here from the same
//! seed: each investigator holds the open crimes they recorded among the force's last 20,000 crimes
//! (which also gives continuity: officers holding a crime for the same victim or suspect), plus a share
//! of older work, up to a cap that depends on their team; a few are on leave, and some safeguarding
//! officers hold a second safeguarding specialism (the generator gives one at most). Crimes the requirement
//! table asks nothing of, of volume crime groups, are routed to desk investigation half the time.

use std::collections::HashMap;
use std::time::Instant;

use bluelamp_core::allocation::{
    CostWeights, CrimeFacts, CrimeToAllocate, OfficerProfile, RequirementTable, exact_reference, propose,
};
use bluelamp_core::crime::{CrimeRole, CrimeStatus};
use bluelamp_core::offence::OffenceGroup;
use bluelamp_core::user::{PipLevel, Rank, Specialism};
use bluelamp_generate::rng::Rng;
use bluelamp_generate::{GenCrime, Generator, Profile, Spec};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use uuid::Uuid;

/// The generated force ends on this day, so a seed always makes the same queue.
fn until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).single().unwrap_or_default()
}

/// The recent crimes whose open ones make up caseloads and continuity.
const WINDOW: usize = 20_000;
/// Streams of this benchmark's own draws (the generator uses 1 to 4 and 0xFF).
const CASELOAD: u64 = 0xA1;
const ROUTE: u64 = 0xA2;

/// Per hundred generated staff, how many investigate (investigators and desk triage staff).
const INVESTIGATING_PER_HUNDRED: usize = 71;

pub(crate) fn run(officers: usize, crimes: usize, seed: u64, repeats: usize) -> serde_json::Value {
    let setup = Instant::now();
    let mut spec = Spec::profile(Profile::County, 1, seed, until());
    spec.officers = officers * 100 / INVESTIGATING_PER_HUNDRED + 100;
    let staff = spec.officers;
    let g = Generator::new(spec);
    let table = RequirementTable::builtin();
    let is_desk_team = |team: &str| team.ends_with("Incident Management Unit");

    // Investigators and desk officers, in the generator's order, up to `officers`.
    let mut profiles: Vec<OfficerProfile> = Vec::with_capacity(officers);
    let mut index_of: HashMap<usize, usize> = HashMap::new();
    for k in 0..staff {
        if profiles.len() == officers {
            break;
        }
        let o = g.officer(k);
        let desk = is_desk_team(&o.team) && o.roles.contains(&"triage");
        if !(o.roles.contains(&"investigator") || desk) {
            continue;
        }
        index_of.insert(k, profiles.len());
        profiles.push(OfficerProfile {
            id: o.id,
            name: o.display_name,
            rank: o.rank,
            team: o.team,
            division: o.division,
            pip_level: o.pip_level,
            specialisms: o.specialisms,
            open_crimes: 0,
            workload: 0,
            cap: 0,
            available: true,
            unavailable_reason: None,
            desk,
        });
    }

    // The queue: the most recent crimes still waiting, newest first.
    let total = g.spec.crimes;
    let mut queue: Vec<GenCrime> = Vec::with_capacity(crimes);
    let mut j = total;
    while queue.len() < crimes && j > 0 {
        j -= 1;
        let c = g.crime(j);
        if matches!(c.status, CrimeStatus::Recorded | CrimeStatus::AwaitingTriage) {
            queue.push(c);
        }
    }
    // Open crimes of the window: who holds them, and whose victims and suspects they are.
    let mut knows: HashMap<usize, Vec<usize>> = HashMap::new();
    for j in total.saturating_sub(WINDOW)..total {
        let c = g.crime(j);
        if !matches!(c.status, CrimeStatus::Allocated | CrimeStatus::UnderInvestigation) {
            continue;
        }
        let Some(&o) = index_of.get(&c.officer) else { continue };
        profiles[o].open_crimes += 1;
        profiles[o].workload += table.weight_of(c.offence.group);
        for (person, role) in &c.people {
            if matches!(role, CrimeRole::Victim | CrimeRole::Suspect) {
                knows.entry(*person).or_default().push(o);
            }
        }
    }
    // Caps by team, older work, leave.
    for (i, p) in profiles.iter_mut().enumerate() {
        let mut rng = Rng::for_item(seed, CASELOAD, i as u64);
        let (low, span) = match (p.desk, p.rank, p.team.rsplit(' ').next().unwrap_or("")) {
            (true, _, _) => (25, 11),
            (_, Rank::Sergeant | Rank::Inspector, _) => (6, 5),
            (_, _, "CID" | "Safeguarding") => (12, 5),
            _ => (10, 5),
        };
        p.cap = low + rng.below(span) as u32;
        let older = rng.below(u64::from(p.cap * 2 / 3) + 1) as u32;
        p.open_crimes = (p.open_crimes + older).min(p.cap + 2);
        p.workload += older + rng.below(u64::from(older) / 2 + 1) as u32;
        // The generator gives one specialism at most; safeguarding officers often hold two.
        if p.team.ends_with("Safeguarding") && !p.specialisms.is_empty() && rng.chance(0.4) {
            let more =
                *rng.pick(&[Specialism::DomesticAbuse, Specialism::ChildAbuse, Specialism::SexualOffencesLiaison]);
            if !p.specialisms.contains(&more) {
                p.specialisms.push(more);
                p.specialisms.sort();
            }
        }
        if rng.chance(0.08) {
            let back = until() + Duration::days(1 + rng.below(14) as i64);
            p.available = false;
            p.unavailable_reason = Some(format!("{} is on annual leave until {}", p.name, back.format("%-d %B")));
        }
    }

    let ids: Vec<Uuid> = profiles.iter().map(|p| p.id).collect();
    let to_allocate: Vec<CrimeToAllocate> = queue
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let facts = CrimeFacts {
                offence_code: c.offence.code.clone(),
                offence_group: c.offence.group,
                flags: c.flags.clone(),
                hate: !c.hate_strands.is_empty(),
            };
            let need = table.need_for(&facts);
            let volume = matches!(
                c.offence.group,
                OffenceGroup::Theft
                    | OffenceGroup::VehicleOffences
                    | OffenceGroup::ArsonAndCriminalDamage
                    | OffenceGroup::PublicOrderOffences
                    | OffenceGroup::DrugOffences
                    | OffenceGroup::Fraud
                    | OffenceGroup::MiscellaneousCrimesAgainstSociety
            );
            let plain = need.min_pip == PipLevel::None && need.specialisms.is_empty();
            let desk = volume && plain && Rng::for_item(seed, ROUTE, n as u64).chance(0.5);
            let mut continuity: Vec<Uuid> = c
                .people
                .iter()
                .filter(|(_, role)| matches!(role, CrimeRole::Victim | CrimeRole::Suspect))
                .flat_map(|(person, _)| knows.get(person).into_iter().flatten().map(|o| ids[*o]))
                .collect();
            continuity.sort();
            continuity.dedup();
            CrimeToAllocate {
                crime_id: c.id,
                number: c.number.clone(),
                division: c.division.clone(),
                need,
                desk,
                priority: priority(c),
                continuity,
            }
        })
        .collect();
    let setup_ms = setup.elapsed().as_secs_f64() * 1000.0;

    let weights = CostWeights::default();
    let mut times = Vec::with_capacity(repeats.max(1));
    let mut plan = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let p = propose(&to_allocate, &profiles, &weights);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        plan = Some(p);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let start = Instant::now();
    let exact = exact_reference(&to_allocate, &profiles, &weights);
    let exact_ms = start.elapsed().as_secs_f64() * 1000.0;
    let (cost, allocated, infeasible, examples) = match &plan {
        Some(p) => (
            p.total_cost,
            p.allocated(),
            p.proposals.iter().filter(|x| x.infeasible.is_some()).count(),
            p.proposals.iter().filter_map(|x| x.infeasible.clone()).take(5).collect::<Vec<_>>(),
        ),
        None => (0, 0, 0, Vec::new()),
    };
    let optimal = cost == exact;
    let (median, p95) = (at(0.5), at(0.95));
    println!(
        "allocate: {} crimes across {} officers: propose median {median:.1} ms (min {:.1}, p95 {p95:.1}); \
         exact reference {exact_ms:.0} ms; cost {cost} vs exact {exact} ({}); {allocated} allocated, {infeasible} \
         not",
        to_allocate.len(),
        profiles.len(),
        times[0],
        if optimal { "optimal" } else { "NOT optimal" }
    );
    json!({
        "benchmark": "allocate",
        "seed": seed,
        "force_staff": staff,
        "officers": profiles.len(),
        "desk_officers": profiles.iter().filter(|p| p.desk).count(),
        "available_with_room": profiles.iter().filter(|p| p.available && p.open_crimes < p.cap).count(),
        "places": profiles.iter().filter(|p| p.available).map(|p| u64::from(p.cap.saturating_sub(p.open_crimes))).sum::<u64>(),
        "crimes": to_allocate.len(),
        "desk_routed": to_allocate.iter().filter(|c| c.desk).count(),
        "with_continuity": to_allocate.iter().filter(|c| !c.continuity.is_empty()).count(),
        "needing_accreditation": to_allocate.iter().filter(|c| c.need.min_pip > PipLevel::None || !c.need.specialisms.is_empty()).count(),
        "setup_ms": setup_ms,
        "repeats": times.len(),
        "propose_ms": { "min": times[0], "median": median, "p95": p95 },
        "exact_ms": exact_ms,
        "propose_cost": cost,
        "exact_cost": exact,
        "optimal": optimal,
        "cost_ratio": if exact == 0 { 1.0 } else { cost as f64 / exact as f64 },
        "allocated": allocated,
        "infeasible": infeasible,
        "infeasible_examples": examples,
        "goal": { "median_ms_under": 200, "met": optimal && median < 200.0 },
    })
}

/// The triage queue's own priority for a generated crime (`triage::assess` with the default
/// weights), so the benchmark ranks crimes as the queue does.
fn priority(c: &GenCrime) -> u32 {
    let crime = bluelamp_core::triage::QueueCrime {
        id: c.id,
        number: c.number.clone(),
        version: 1,
        status: c.status,
        offence_code: c.offence.code.clone(),
        offence_label: c.offence.label.clone(),
        offence_group: c.offence.group,
        recorded_at: c.recorded_at,
        division: c.division.clone(),
        flags: c.flags.clone(),
        hate_strands: c.hate_strands.clone(),
        route: String::new(),
    };
    // Only whether there is a named suspect counts for priority: the person's index stands in for its id.
    let suspects = c
        .people
        .iter()
        .filter(|(_, r)| *r == CrimeRole::Suspect)
        .map(|(p, _)| uuid::Uuid::from_u128(*p as u128))
        .collect();
    let row = bluelamp_core::triage::QueueRow { crime, victims: Vec::new(), suspects };
    let item = bluelamp_core::triage::assess(row, until(), &bluelamp_core::triage::TriagePolicy::default());
    u32::try_from(item.priority.max(0)).unwrap_or(u32::MAX)
}
