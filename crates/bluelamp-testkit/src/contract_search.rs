//! The crime search contract (issue 4): every filter, combinations, paging and the total, the
//! radius edge and the capped count, on a fixed data set recorded through the real use cases, with
//! the crimes expected named exactly. Run on both backends by [`contract_tests!`](crate::contract_tests).

use bluelamp_core::access::Principal;
use bluelamp_core::audit::{AuditQuery, RequestContext};
use bluelamp_core::core::{By, principal_of};
use bluelamp_core::crime::{Crime, CrimeRole, NewCrime};
use bluelamp_core::crime_search::{CrimeSearch, CrimeSearchInput, CrimeSearchResult, TOTAL_CAP, destination};
use bluelamp_core::person::NewPerson;
use bluelamp_core::pole::{NewObject, ObjectRole};
use bluelamp_core::{Core, Error, Settings};
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use crate::{ManualClock, TestBackend, add_user};

fn ctx() -> RequestContext {
    RequestContext { request_id: Some("req-search".into()), ip: Some("127.0.0.1".into()), user_agent: None }
}

/// Two divisions split at latitude 51.3.
const AREAS: &str = r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"name": "North"}, "geometry": {"type": "Polygon",
    "coordinates": [[[-1.0, 51.3], [2.0, 51.3], [2.0, 51.6], [-1.0, 51.6], [-1.0, 51.3]]]}},
  {"type": "Feature", "properties": {"name": "South"}, "geometry": {"type": "Polygon",
    "coordinates": [[[-1.0, 51.0], [2.0, 51.0], [2.0, 51.3], [-1.0, 51.3], [-1.0, 51.0]]]}}]}"#;

/// The point radius searches are made round.
const CENTRE: (f64, f64) = (51.2718, 0.5237);

fn day(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().unwrap_or_default()
}

/// When a crime ended, if it was over a period.
type Occurred = Option<DateTime<Utc>>;

struct Fixture {
    core: Core,
    officer: Principal,
    one: Uuid,
    two: Uuid,
    jane: Uuid,
    /// Every crime, in the order recorded (numbers 1 to 5).
    crimes: Vec<Crime>,
}

/// Five crimes, one recorded each day from 26 Nov 2026 09:00 UTC:
///
/// | # | offence | place | flags | people | by | occurred |
/// |---|---|---|---|---|---|---|
/// | 1 | 46 theft | 100 m NE of the centre (South) | – | Jane victim, Sam suspect | inv.one | 25 Nov 10:00 |
/// | 2 | 8N violence | 499 m E (South) | domestic-abuse, alcohol | Jane victim | inv.one | 20–22 Nov |
/// | 3 | 105A violence | 501 m S (South) | domestic-abuse | Jayne Smyth victim, Sam suspect | inv.two | 26 Nov 06:00 |
/// | 4 | 28E burglary | 51.35, 0.6 (North) | vulnerable-victim | Tom victim, Jane witness | inv.two | 10 Nov |
/// | 5 | 46 theft | none (no division) | online | Tom victim, Jane suspect | inv.one | 1 Nov |
///
/// Crimes 1 and 5 have the same phone (IMEI 356938035643809; stolen, then recovered), crime 4 a
/// stolen car (AB12 CDE). Crime 1 is then finalised.
async fn fixture<B: TestBackend>(backend: &B) -> Fixture {
    let clock = ManualClock::new(day(26, 9));
    let settings =
        Settings { areas: bluelamp_core::area::AreaMap::from_geojson(AREAS).expect("areas"), ..Default::default() };
    let core = Core::new(backend.store(), clock.clone(), settings);
    let one = add_user(&core, "inv.one", &["investigator"]).await;
    let two = add_user(&core, "inv.two", &["investigator"]).await;
    let (officer, second) = (principal_of(&one), principal_of(&two));
    let person = |forenames: &str, surname: &str| NewPerson {
        forenames: forenames.into(),
        surname: surname.into(),
        ..Default::default()
    };
    let mut people = Vec::new();
    for (f, s) in [("Jane", "Smith"), ("Sam", "Okoro"), ("Jayne", "Smyth"), ("Tom", "Baker")] {
        let p = core.create_person(By::User(&officer), &person(f, s), true, &ctx()).await.expect("person");
        people.push(p.id);
    }
    let (jane, sam, jayne, tom) = (people[0], people[1], people[2], people[3]);
    let at = |bearing: f64, metres: f64| {
        let (lat, lon) = destination(CENTRE.0, CENTRE.1, bearing, metres);
        (Some(lat), Some(lon))
    };
    let crime =
        |code: &str, place: (Option<f64>, Option<f64>), flags: &[&str], people: Vec<(Uuid, CrimeRole)>| NewCrime {
            offence_code: code.into(),
            location_text: "Somewhere in Wealdshire".into(),
            latitude: place.0,
            longitude: place.1,
            flags: flags.iter().map(|f| f.to_string()).collect(),
            people,
            ..Default::default()
        };
    use CrimeRole::*;
    let plan: Vec<(&Principal, NewCrime, DateTime<Utc>, Occurred)> = vec![
        (&officer, crime("46", at(45.0, 100.0), &[], vec![(jane, Victim), (sam, Suspect)]), day(25, 10), None),
        (
            &officer,
            crime("8N", at(90.0, 499.0), &["domestic-abuse", "alcohol"], vec![(jane, Victim)]),
            day(20, 12),
            Some(day(22, 12)),
        ),
        (
            &second,
            crime("105A", at(180.0, 501.0), &["domestic-abuse"], vec![(jayne, Victim), (sam, Suspect)]),
            day(26, 6),
            None,
        ),
        (
            &second,
            crime("28E", (Some(51.35), Some(0.6)), &["vulnerable-victim"], vec![(tom, Victim), (jane, Witness)]),
            day(10, 12),
            None,
        ),
        (&officer, crime("46", (None, None), &["online"], vec![(tom, Victim), (jane, Suspect)]), day(1, 12), None),
    ];
    let object = |kind: &str, identifier_kind: &str, identifier: &str| NewObject {
        kind: kind.into(),
        description: "Described".into(),
        identifier_kind: identifier_kind.into(),
        identifier: identifier.into(),
        ..Default::default()
    };
    let phone = || object("mobile-phone", "imei", "356938035643809");
    let mut objects = vec![
        vec![(phone(), ObjectRole::Stolen)],
        vec![],
        vec![],
        vec![(object("vehicle", "vrm", "AB12 CDE"), ObjectRole::Stolen)],
        vec![(phone(), ObjectRole::Recovered)],
    ]
    .into_iter();
    let mut crimes = Vec::new();
    for (n, (by, mut new, from, to)) in plan.into_iter().enumerate() {
        new.objects = objects.next().unwrap_or_default();
        if n > 0 {
            clock.advance(Duration::days(1));
        }
        new.occurred_from = Some(from);
        new.occurred_to = to;
        crimes.push(core.record_crime(by, &new, &ctx()).await.expect("record"));
    }
    let finalised = crate::finalise_plainly(&core, &officer, crimes[0].id, 1).await.expect("finalise crime 1");
    crimes[0] = finalised;
    Fixture { core, officer, one: one.id, two: two.id, jane, crimes }
}

impl Fixture {
    async fn search(&self, input: CrimeSearchInput) -> CrimeSearchResult {
        self.core.search_crimes(&self.officer, &input, &ctx()).await.unwrap_or_else(|e| panic!("{input:?}: {e:?}"))
    }

    /// The crimes found, by their place in the fixture (1 to 5), in the order returned.
    async fn found(&self, input: CrimeSearchInput) -> Vec<usize> {
        let result = self.search(input.clone()).await;
        let found = self.positions(&result.crimes);
        assert_eq!(result.total as usize, found.len() + result.offset as usize, "total of {input:?}");
        found
    }

    fn positions(&self, crimes: &[Crime]) -> Vec<usize> {
        crimes.iter().map(|c| 1 + self.crimes.iter().position(|k| k.id == c.id).expect("a fixture crime")).collect()
    }

    /// What `CrimeSearch::matches` says, over every crime, newest first (for searches without people).
    fn oracle(&self, input: &CrimeSearchInput) -> Vec<usize> {
        let (search, _): (CrimeSearch, _) =
            input.parse(&self.core.settings.offences, &self.core.settings.crime_number_format).expect("valid");
        (1..=self.crimes.len()).rev().filter(|n| search.matches(&self.crimes[n - 1])).collect()
    }

    async fn invalid(&self, input: CrimeSearchInput) -> Vec<String> {
        match self.core.search_crimes(&self.officer, &input, &ctx()).await {
            Err(Error::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a 422 for {input:?}, got {other:?}"),
        }
    }
}

fn q() -> CrimeSearchInput {
    CrimeSearchInput::default()
}

fn radius(metres: f64) -> CrimeSearchInput {
    CrimeSearchInput {
        lat: CENTRE.0.to_string(),
        lon: CENTRE.1.to_string(),
        radius_m: metres.to_string(),
        ..Default::default()
    }
}

/// Each filter on its own finds exactly the crimes it should, newest recorded first, and the core's
/// `CrimeSearch::matches` agrees with the store's SQL; who recorded a crime is kept.
pub async fn crime_search_finds_by_each_filter<B: TestBackend>() {
    let backend = B::new().await;
    let f = fixture(&backend).await;
    assert_eq!(f.crimes[0].recorded_by, Some(f.one));
    let stored = backend.store().find_crime(f.crimes[3].id).await.expect("find").expect("exists");
    assert_eq!(stored.crime.recorded_by, Some(f.two));
    assert_eq!(
        f.crimes.iter().map(|c| c.division.as_str()).collect::<Vec<_>>(),
        ["South", "South", "South", "North", ""]
    );

    let cases: Vec<(CrimeSearchInput, Vec<usize>)> = vec![
        (q(), vec![5, 4, 3, 2, 1]),
        // Numbers: whole (any case) exactly, otherwise by their start.
        (CrimeSearchInput { number: "cr-2026-000003".into(), ..q() }, vec![3]),
        (CrimeSearchInput { number: "CR-2026-00000".into(), ..q() }, vec![5, 4, 3, 2, 1]),
        (CrimeSearchInput { number: "CR-2026-000001".into(), ..q() }, vec![1]),
        (CrimeSearchInput { number: "CR-2025".into(), ..q() }, vec![]),
        // Location.
        (radius(500.0), vec![2, 1]),
        (radius(502.0), vec![3, 2, 1]),
        (radius(99.0), vec![]),
        (radius(101.0), vec![1]),
        (CrimeSearchInput { division: "North".into(), ..q() }, vec![4]),
        (CrimeSearchInput { division: "South".into(), ..q() }, vec![3, 2, 1]),
        (CrimeSearchInput { division: "East".into(), ..q() }, vec![]),
        // Offences.
        (CrimeSearchInput { offence: "46".into(), ..q() }, vec![5, 1]),
        (CrimeSearchInput { offence: "105a".into(), ..q() }, vec![3]),
        (CrimeSearchInput { offence_group: "violence-against-the-person".into(), ..q() }, vec![3, 2]),
        (CrimeSearchInput { offence_group: "burglary".into(), ..q() }, vec![4]),
        (CrimeSearchInput { offence_group: "fraud".into(), ..q() }, vec![]),
        // Flags: all of them.
        (CrimeSearchInput { flags: vec!["domestic-abuse".into()], ..q() }, vec![3, 2]),
        (CrimeSearchInput { flags: vec!["domestic-abuse".into(), "alcohol".into()], ..q() }, vec![2]),
        (CrimeSearchInput { flags: vec!["online".into()], ..q() }, vec![5]),
        (CrimeSearchInput { flags: vec!["knife".into()], ..q() }, vec![]),
        // Dates: recorded in UK days (the "to" day whole), occurred overlapping.
        (CrimeSearchInput { recorded_from: "2026-11-27".into(), recorded_to: "2026-11-28".into(), ..q() }, vec![3, 2]),
        (CrimeSearchInput { recorded_from: "2026-11-29".into(), ..q() }, vec![5, 4]),
        (CrimeSearchInput { recorded_to: "2026-11-26".into(), ..q() }, vec![1]),
        (CrimeSearchInput { occurred_from: "2026-11-21".into(), occurred_to: "2026-11-21".into(), ..q() }, vec![2]),
        (CrimeSearchInput { occurred_from: "2026-11-25".into(), ..q() }, vec![3, 1]),
        (CrimeSearchInput { occurred_to: "2026-11-09".into(), ..q() }, vec![5]),
        (
            CrimeSearchInput {
                occurred_from: "2026-11-22T12:00:00Z".into(),
                occurred_to: "2026-11-25T10:00:01Z".into(),
                ..q()
            },
            vec![2, 1],
        ),
        // Officer (username or id) and status.
        (CrimeSearchInput { officer: "inv.two".into(), ..q() }, vec![4, 3]),
        (CrimeSearchInput { officer: f.one.to_string(), ..q() }, vec![5, 2, 1]),
        (CrimeSearchInput { status: "finalised".into(), ..q() }, vec![1]),
        (CrimeSearchInput { status: "recorded".into(), ..q() }, vec![5, 4, 3, 2]),
    ];
    // Property: by its identifier in any case and spacing, whatever kind it was entered as.
    let object_cases: Vec<(CrimeSearchInput, Vec<usize>)> = vec![
        (CrimeSearchInput { object: "35-693803-564380-9".into(), ..q() }, vec![5, 1]),
        (CrimeSearchInput { object: "ab12cde".into(), ..q() }, vec![4]),
        (CrimeSearchInput { object: "AB12 CDF".into(), ..q() }, vec![]),
        (CrimeSearchInput { object: "356938035643809".into(), status: "finalised".into(), ..q() }, vec![1]),
        (CrimeSearchInput { object: "356938035643809".into(), ..radius(150.0) }, vec![1]),
    ];
    for (input, expected) in object_cases {
        assert_eq!(f.found(input.clone()).await, expected, "{input:?}");
    }
    for (input, expected) in cases {
        assert_eq!(f.found(input.clone()).await, expected, "{input:?}");
        if input.officer.is_empty() {
            assert_eq!(f.oracle(&input), expected, "CrimeSearch::matches on {input:?}");
        }
    }

    // People: by id, in any role or one; by name, resolved by the person search.
    let jane = f.jane.to_string();
    assert_eq!(f.found(CrimeSearchInput { person: jane.clone(), ..q() }).await, [5, 4, 2, 1]);
    assert_eq!(f.found(CrimeSearchInput { person: jane.clone(), role: "victim".into(), ..q() }).await, [2, 1]);
    assert_eq!(f.found(CrimeSearchInput { person: jane.clone(), role: "suspect".into(), ..q() }).await, [5]);
    assert_eq!(f.found(CrimeSearchInput { person: Uuid::now_v7().to_string(), ..q() }).await, Vec::<usize>::new());
    let by_name = f.search(CrimeSearchInput { name: "Jane Smith".into(), ..q() }).await;
    assert_eq!(f.positions(&by_name.crimes), [5, 4, 2, 1]);
    assert_eq!(by_name.people.iter().map(|m| m.person.display_name()).collect::<Vec<_>>(), ["Jane Smith"]);
    assert_eq!(f.found(CrimeSearchInput { name: "Jayne Smyth".into(), role: "victim".into(), ..q() }).await, [3]);
    assert_eq!(f.found(CrimeSearchInput { name: "Okoro".into(), role: "suspect".into(), ..q() }).await, [3, 1]);
    let nobody = f.search(CrimeSearchInput { name: "Zebedee Quartz".into(), ..q() }).await;
    assert!(nobody.crimes.is_empty() && nobody.people.is_empty() && nobody.total == 0);
}

/// Filters combine (all must hold); pages come newest first with the total over every match.
pub async fn crime_search_combines_filters_and_pages<B: TestBackend>() {
    let backend = B::new().await;
    let f = fixture(&backend).await;
    let jane = f.jane.to_string();
    let combined: Vec<(CrimeSearchInput, Vec<usize>)> = vec![
        (
            CrimeSearchInput {
                offence_group: "violence-against-the-person".into(),
                flags: vec!["domestic-abuse".into()],
                ..radius(500.0)
            },
            vec![2],
        ),
        (CrimeSearchInput { person: jane.clone(), division: "South".into(), ..q() }, vec![2, 1]),
        (CrimeSearchInput { officer: "inv.one".into(), recorded_to: "2026-11-27".into(), ..q() }, vec![2, 1]),
        (CrimeSearchInput { offence: "46".into(), status: "recorded".into(), ..q() }, vec![5]),
        (CrimeSearchInput { division: "South".into(), flags: vec!["domestic-abuse".into()], ..q() }, vec![3, 2]),
        (CrimeSearchInput { number: "CR-2026".into(), officer: "inv.two".into(), ..radius(502.0) }, vec![3]),
        (CrimeSearchInput { name: "Jane Smith".into(), role: "victim".into(), offence: "8N".into(), ..q() }, vec![2]),
        (CrimeSearchInput { division: "North".into(), flags: vec!["online".into()], ..q() }, vec![]),
    ];
    for (input, expected) in combined {
        assert_eq!(f.found(input.clone()).await, expected, "{input:?}");
    }

    let page = |limit: &str, offset: &str| CrimeSearchInput { limit: limit.into(), offset: offset.into(), ..q() };
    for (limit, offset, expected) in [
        ("2", "0", vec![5, 4]),
        ("2", "2", vec![3, 2]),
        ("2", "4", vec![1]),
        ("2", "10", vec![]),
        ("100", "", vec![5, 4, 3, 2, 1]),
    ] {
        let result = f.search(page(limit, offset)).await;
        assert_eq!(f.positions(&result.crimes), expected, "limit {limit} offset {offset}");
        assert_eq!((result.total, result.more), (5, false), "total at limit {limit} offset {offset}");
    }
    let radius_page = f.search(CrimeSearchInput { limit: "2".into(), offset: "1".into(), ..radius(502.0) }).await;
    assert_eq!((f.positions(&radius_page.crimes), radius_page.total), (vec![2, 1], 3));
    let inner_page = f.search(CrimeSearchInput { limit: "1".into(), ..radius(500.0) }).await;
    assert_eq!((f.positions(&inner_page.crimes), inner_page.total), (vec![2], 2));
    let ring_page = f.search(CrimeSearchInput { limit: "1".into(), offset: "1".into(), ..radius(500.0) }).await;
    assert_eq!((f.positions(&ring_page.crimes), ring_page.total), (vec![1], 2));
    let person_page = f.search(CrimeSearchInput { person: jane, limit: "3".into(), offset: "3".into(), ..q() }).await;
    assert_eq!((f.positions(&person_page.crimes), person_page.total), (vec![1], 4));
}

/// Bad input is refused naming each field, the officer and the permission are checked, and every
/// search is in the audit trail with what was searched for.
pub async fn crime_search_refuses_bad_input_and_is_audited<B: TestBackend>() {
    let backend = B::new().await;
    let f = fixture(&backend).await;
    assert_eq!(
        f.invalid(CrimeSearchInput {
            offence: "999Z".into(),
            offence_group: "shoplifting".into(),
            flags: vec!["sparkly".into()],
            recorded_from: "2026-11-28".into(),
            recorded_to: "2026-11-27".into(),
            ..q()
        })
        .await,
        ["offence", "offence_group", "flags", "recorded_to"]
    );
    assert_eq!(f.invalid(CrimeSearchInput { radius_m: "500".into(), ..q() }).await, ["lat"]);
    assert_eq!(f.invalid(radius(50_000.0)).await, ["radius_m"]);
    assert_eq!(f.invalid(CrimeSearchInput { role: "victim".into(), ..q() }).await, ["role"]);
    assert_eq!(f.invalid(CrimeSearchInput { object: "--- / ---".into(), ..q() }).await, ["object"]);
    assert_eq!(f.invalid(CrimeSearchInput { officer: "nobody".into(), ..q() }).await, ["officer"]);
    assert_eq!(f.invalid(CrimeSearchInput { limit: "500".into(), ..q() }).await, ["limit"]);

    let handler = principal_of(&add_user(&f.core, "ch.one", &["call-handler"]).await);
    assert!(matches!(f.core.search_crimes(&handler, &q(), &ctx()).await, Err(Error::Forbidden(_))));

    f.search(CrimeSearchInput { division: "South".into(), flags: vec!["domestic-abuse".into()], ..q() }).await;
    let events = backend
        .store()
        .search_audit(&AuditQuery { action: Some("crime.search".into()), limit: 10, ..Default::default() })
        .await
        .expect("audit");
    assert_eq!(events.len(), 1, "refused searches return nothing and so need no trail of their own");
    let after = events[0].event.after.clone().unwrap_or_default();
    assert!(after.contains("\"division\":\"South\"") && after.contains("domestic-abuse"), "{after}");
    assert_eq!(events[0].event.actor_name, "inv.one");
}

/// Totals are counted up to the cap and past it reported as "more"; pages still come in order.
pub async fn crime_search_counts_up_to_the_cap<B: TestBackend>() {
    let backend = B::new().await;
    let f = fixture(&backend).await;
    let extra = TOTAL_CAP as usize + 20;
    // Bulk rows straight into the table, recorded before the fixture's crimes.
    let sql = if B::NAME == "postgres" {
        format!(
            "INSERT INTO crime (id, number, version, status, offence_code, offence_label, offence_group, \
             offence_list_version, occurred_from, reported_at, recorded_at, recorded_by_name, location_text, division, \
             modus_operandi, flags, hate_strands, injury_recorded, latitude, longitude) \
             SELECT gen_random_uuid(), 'BULK-' || g, 1, 'recorded', '49', 'Other theft', 'theft', 'bulk', \
             timestamptz '2026-01-01' + g * interval '1 minute', timestamptz '2026-01-01' + g * interval '1 minute', \
             timestamptz '2026-01-01' + g * interval '1 minute', 'bulk', 'x', 'East', '', '', '', false, \
             CASE WHEN g % 2 = 0 THEN {lat} + (g % 100) * 0.00001 END, CASE WHEN g % 2 = 0 THEN {lon} END \
             FROM generate_series(1, {extra}) g",
            lat = CENTRE.0,
            lon = CENTRE.1
        )
    } else {
        format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {extra}) \
             INSERT INTO crime (id, number, version, status, offence_code, offence_label, offence_group, \
             offence_list_version, occurred_from, reported_at, recorded_at, recorded_by_name, location_text, division, \
             modus_operandi, flags, hate_strands, injury_recorded, latitude, longitude) \
             SELECT randomblob(16), 'BULK-' || n, 1, 'recorded', '49', 'Other theft', 'theft', 'bulk', \
             strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01', '+' || n || ' minutes') || '.000000Z', \
             strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01', '+' || n || ' minutes') || '.000000Z', \
             strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01', '+' || n || ' minutes') || '.000000Z', \
             'bulk', 'x', 'East', '', '', '', 0, \
             CASE WHEN n % 2 = 0 THEN {lat} + (n % 100) * 0.00001 END, CASE WHEN n % 2 = 0 THEN {lon} END FROM g",
            lat = CENTRE.0,
            lon = CENTRE.1
        )
    };
    backend.exec(&sql).await;
    let all = f.search(q()).await;
    assert_eq!((all.total, all.more), (TOTAL_CAP, true));
    assert_eq!(f.positions(&all.crimes[..5]), [5, 4, 3, 2, 1]);
    let east = f.search(CrimeSearchInput { division: "East".into(), limit: "3".into(), ..q() }).await;
    assert_eq!(
        east.crimes.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(),
        ["BULK-10020", "BULK-10019", "BULK-10018"]
    );
    assert!(east.more);
    let few = f.search(CrimeSearchInput { division: "South".into(), ..q() }).await;
    assert_eq!((few.total, few.more), (3, false));
    // Half the bulk rows lie within 110 m of the centre.
    let near = f.search(CrimeSearchInput { limit: "3".into(), ..radius(500.0) }).await;
    assert_eq!(
        near.crimes.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(),
        ["CR-2026-000002", "CR-2026-000001", "BULK-10020"]
    );
    assert_eq!((near.total, near.more), (5_012, false));
    let further = f.search(CrimeSearchInput { limit: "2".into(), offset: "5010".into(), ..radius(500.0) }).await;
    assert_eq!(further.crimes.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), ["BULK-4", "BULK-2"]);
    let wide = f.search(radius(10_000.0)).await;
    assert_eq!(
        (wide.total, wide.more),
        (5_013, false),
        "and the fixture's three in the South (crime 4 is 10.2 km off)"
    );
    let deep = f.search(CrimeSearchInput { division: "East".into(), offset: TOTAL_CAP.to_string(), ..q() }).await;
    assert_eq!(deep.crimes.len(), 20, "the last page still reads");
    assert!(deep.more);
}
