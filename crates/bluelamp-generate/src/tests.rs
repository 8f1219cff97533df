use std::collections::{HashMap, HashSet};

use chrono::{Datelike, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::run::{Part, plan};

fn until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).single().expect("a valid instant")
}

fn small() -> Generator {
    Generator::new(Spec::profile(Profile::Small, 5, 7, until()))
}

#[test]
fn profiles_are_named_and_sized() {
    assert_eq!("county".parse::<Profile>(), Ok(Profile::County));
    let err = "borough".parse::<Profile>().expect_err("unknown");
    assert!(err.contains("small, county, metropolitan"), "{err}");
    let county = Spec::profile(Profile::County, 5, 1, until());
    assert_eq!(
        (county.people, county.crimes, county.incidents, county.officers),
        (2_000_000, 850_000, 4_500_000, 3_800)
    );
    let metropolitan = Spec::profile(Profile::Metropolitan, 5, 1, until());
    assert_eq!(metropolitan.crimes, 4 * county.crimes);
    assert_ne!(county.fingerprint(), Spec::profile(Profile::County, 5, 2, until()).fingerprint());
}

#[test]
fn the_same_seed_makes_the_same_force() {
    let (a, b) = (small(), small());
    assert_eq!(a.person(123).id, b.person(123).id);
    assert_eq!((a.person(123).forenames, a.person(123).surname), (b.person(123).forenames, b.person(123).surname));
    assert_eq!(a.crime(2_999).number, b.crime(2_999).number);
    assert_eq!(a.incident(4_000).reference, b.incident(4_000).reference);
    assert_eq!(a.officer(17).username, b.officer(17).username);
    assert_ne!(a.person(1).id, a.person(2).id);
    let other = Generator::new(Spec::profile(Profile::Small, 5, 8, until()));
    assert_ne!(a.person(1).id, other.person(1).id);
}

#[test]
fn crime_numbers_restart_each_year_and_counters_cover_them() {
    let g = small();
    let n = g.spec.crimes;
    let counters = g.year_counters();
    assert_eq!(counters.iter().map(|(_, k)| *k as usize).sum::<usize>(), n);
    assert!(counters.len() >= 5, "{counters:?}");
    let numbers: HashSet<String> = (0..n).map(|j| g.crime(j).number).collect();
    assert_eq!(numbers.len(), n, "crime numbers are unique");
    let (second_year, _) = counters[1];
    assert!(numbers.contains(&format!("CR-{second_year}-000001")), "the second year starts again at 1");
    for j in (0..n).step_by(97) {
        let c = g.crime(j);
        assert!(c.reported_at <= c.recorded_at && c.recorded_at < g.spec.until, "{c:?}");
        assert!(c.occurred_from <= c.reported_at);
        assert!(c.finalised_at.is_none_or(|f| f >= c.recorded_at && f <= g.spec.until));
    }
}

#[test]
fn incident_references_are_unique_and_crime_reports_carry_their_crime() {
    let g = small();
    let mut references = HashSet::new();
    for k in 0..g.other_incidents() {
        let i = g.incident(k);
        assert!(references.insert(i.reference.clone()), "duplicate {}", i.reference);
        assert!(i.received_at < g.spec.until && i.recorded_at >= i.received_at);
        assert!(i.closed_at.is_none_or(|c| c >= i.recorded_at));
    }
    let mut linked = 0;
    for j in 0..g.spec.crimes {
        let c = g.crime(j);
        if let Some(i) = g.crime_incident(j, &c) {
            linked += 1;
            assert_eq!(Some(i.id), c.incident);
            assert_eq!(i.crime, Some(j));
            assert!(i.category.starts_with("CRM-"));
            assert_eq!(i.received_at, c.reported_at);
            assert!(references.insert(i.reference.clone()), "duplicate {}", i.reference);
        }
    }
    let share = f64::from(linked) / g.spec.crimes as f64;
    assert!((0.7..0.8).contains(&share), "{share}");
}

#[test]
fn recording_within_24_hours_is_about_the_inspections_figure() {
    let g = small();
    let n = g.spec.crimes;
    let within = (0..n).filter(|j| {
        let c = g.crime(*j);
        c.recorded_at - c.reported_at <= Duration::hours(24)
    });
    let share = within.count() as f64 / n as f64;
    assert!((0.95..0.98).contains(&share), "{share}");
}

#[test]
fn the_crime_mix_follows_kents() {
    let g = small();
    let n = g.spec.crimes;
    let mut by_type: HashMap<&str, usize> = HashMap::new();
    for j in 0..n {
        let c = g.crime(j);
        let t = KENT_CRIME_TYPES
            .iter()
            .find(|(_, _, set)| set.covers(&c.offence.code, c.offence.group.as_str()))
            .map(|(name, _, _)| *name)
            .expect("every code has a type");
        *by_type.entry(t).or_default() += 1;
    }
    let kent_total: u32 = KENT_CRIME_TYPES.iter().map(|(_, k, _)| k).sum();
    for (name, count, _) in KENT_CRIME_TYPES {
        let want = f64::from(*count) / f64::from(kent_total);
        let got = by_type.get(name).copied().unwrap_or(0) as f64 / n as f64;
        assert!((got - want).abs() < 0.02 + want * 0.25, "{name}: {got:.3} against Kent's {want:.3}");
    }
}

/// Every finalised crime has an outcome valid on its finalisation date and nothing else has one;
/// outcome 16 is a large share, largest for domestic abuse (the inspection's pattern), and suspect
/// outcomes only come with a suspect; open allocated crimes have a review date, some overdue.
#[test]
fn finalised_crimes_have_valid_outcomes_in_a_realistic_mix() {
    let g = small();
    let outcomes = bluelamp_core::outcome::OutcomeList::builtin();
    let (mut finalised, mut sixteen, mut da, mut da_sixteen, mut open, mut overdue) = (0, 0, 0, 0, 0, 0);
    for j in 0..g.spec.crimes {
        let c = g.crime(j);
        match (c.status, c.finalised_at, c.outcome) {
            (CrimeStatus::Finalised, Some(at), Some(code)) => {
                let on = at.with_timezone(&chrono_tz::Europe::London).date_naive();
                assert!(outcomes.type_on(code, on).is_ok(), "outcome {code} on {on}");
                let suspect = c.people.iter().any(|(_, r)| *r == CrimeRole::Suspect);
                assert!(suspect || ["18", "14", "19", "20"].contains(&code), "{code} without a suspect");
                finalised += 1;
                sixteen += usize::from(code == "16");
                if c.flags.contains(&CrimeFlag::DomesticAbuse) {
                    da += 1;
                    da_sixteen += usize::from(code == "16");
                }
            }
            (CrimeStatus::Finalised, _, _) => panic!("a finalised crime without its outcome: {c:?}"),
            (status, _, outcome) => {
                assert_eq!(outcome, None, "{status:?}");
                if let Some(due) = c.review_due_at {
                    open += 1;
                    overdue += usize::from(due < g.spec.until);
                }
            }
        }
    }
    let share = sixteen as f64 / finalised as f64;
    assert!((0.10..0.30).contains(&share), "outcome 16 share {share}");
    assert!(da_sixteen as f64 / da as f64 > share, "more 16 on domestic abuse");
    let late = overdue as f64 / open as f64;
    assert!((0.10..0.35).contains(&late), "overdue reviews {late}");
}

#[test]
fn a_few_people_account_for_many_crimes() {
    let g = small();
    let mut victims: HashMap<usize, usize> = HashMap::new();
    for j in 0..g.spec.crimes {
        for (p, role) in g.crime(j).people {
            if role == CrimeRole::Victim {
                *victims.entry(p).or_default() += 1;
            }
        }
    }
    let mut counts: Vec<usize> = victims.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let top = counts.iter().take(g.spec.people / 50).sum::<usize>() as f64 / g.spec.crimes as f64;
    assert!(top > 0.2, "the 2% most victimised people are victims in {top:.2} of crimes");
}

#[test]
fn the_organisation_has_every_role_and_divisions_have_investigators() {
    let g = small();
    let officers: Vec<GenOfficer> = (0..g.spec.officers).map(|k| g.officer(k)).collect();
    let usernames: HashSet<&str> = officers.iter().map(|o| o.username.as_str()).collect();
    assert_eq!(usernames.len(), officers.len());
    for role in ["call-handler", "investigator", "supervisor", "triage", "crime-registrar", "auditor", "analyst"] {
        assert!(officers.iter().any(|o| o.roles.contains(&role)), "{role}");
    }
    for d in g.divisions() {
        assert!(officers.iter().any(|o| o.division == *d && o.roles.contains(&"investigator")), "{d}");
    }
    assert!(officers.iter().any(|o| !o.specialisms.is_empty()));
    assert!(officers.iter().all(|o| o.pip_level == PipLevel::None || o.roles.contains(&"investigator")));
}

#[test]
fn open_incidents_are_recent_and_the_plan_covers_everything_once() {
    let g = small();
    for k in 0..g.other_incidents() {
        let i = g.incident(k);
        if i.status == IncidentStatus::Open {
            assert!(g.spec.until - i.received_at < Duration::hours(24));
            assert!(i.closed_at.is_none());
        }
    }
    let batches = plan(&g);
    for (part, n) in [
        (Part::Officers, g.spec.officers),
        (Part::People, g.spec.people),
        (Part::Incidents, g.other_incidents()),
        (Part::Crimes, g.spec.crimes),
    ] {
        let ranges: Vec<_> = batches.iter().filter(|(p, _)| *p == part).map(|(_, r)| r.clone()).collect();
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(ranges.last().map(|r| r.end), Some(n));
    }
}

#[test]
fn rows_match_their_columns() {
    let g = small();
    let officers: Vec<GenOfficer> = (0..g.spec.officers).map(|k| g.officer(k)).collect();
    for made in [
        rows::officers(&g, 0..20),
        rows::people(&g, 0..200),
        rows::incidents(&g, 0..200, &officers),
        rows::crimes(&g, 0..200, &officers),
    ] {
        for t in &made.tables {
            assert!(t.rows.iter().all(|r| r.len() == t.columns.len()), "{}", t.table);
        }
        assert!(made.audit.iter().all(|e| e.is_generated));
        assert!(!made.audit.is_empty());
    }
}

#[test]
fn the_timeline_follows_kents_months() {
    let from = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().expect("instant");
    let to = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("instant");
    let t = Timeline::new(from, to);
    assert_eq!(t.at(0.0), from);
    assert_eq!(t.at(1.0), to);
    // February (the quietest month, and short) holds less than August.
    let in_month = |m: u32| (0..10_000).filter(|i| t.at(f64::from(*i) / 10_000.0).month() == m).count();
    assert!(in_month(2) < in_month(8));
}

proptest! {
    #[test]
    fn the_timeline_keeps_order(a in 0.0f64..1.0, b in 0.0f64..1.0) {
        let from = Utc.with_ymd_and_hms(2021, 11, 26, 0, 0, 0).single().expect("instant");
        let t = Timeline::new(from, until());
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(t.at(lo) <= t.at(hi));
        prop_assert!(t.at(lo) >= from && t.at(hi) <= until());
    }

    #[test]
    fn any_person_or_crime_is_well_formed(i in 0usize..20_000, j in 0usize..10_000) {
        let g = small();
        let p = g.person(i);
        prop_assert!(!p.surname.is_empty() && !p.forenames.is_empty());
        prop_assert!(p.date_of_birth < g.spec.until.date_naive());
        let c = g.crime(j);
        prop_assert!(c.people.iter().all(|(k, _)| *k < g.spec.people));
        prop_assert!(c.people.iter().any(|(_, r)| *r == CrimeRole::Victim));
    }
}
