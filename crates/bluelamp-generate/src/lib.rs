//! A force-sized data set on demand (issue 5): `bluelamp generate --profile county --years 5`.
//!
//! A generated force has an organisation (three divisions, stations in their towns, teams, officers
//! and staff with ranks, PIP accreditation and specialisms), people (surnames in their real
//! frequency, aliases, dates of birth, addresses now and before, mobile numbers; a small share of
//! people turn up again and again as victims and suspects), incidents (NSIR categories, channels,
//! THRIVE, grades and attendance targets, closures; those reporting a crime carry its number) and
//! crimes (Home Office codes drawn by Kent's crime-type mix, flags, places round Kent's LSOAs, victims,
//! suspects and witnesses, statuses by age).
//!
//! Everything about item `i` of a kind comes from a generator seeded by (seed, kind, i)
//! ([`rng::Rng::for_item`]), so any one item can be made again without the rest: the benchmarks ask
//! about people and crimes they know exist, and a run interrupted after batch `b` resumes at `b + 1`.
//! Search keys are computed with the core's own functions, as the stores do. [`rows`] turns items
//! into table rows and the audit events the real paths write (marked as generated); [`run`] loads
//! them in batches through `Store::bulk_load`.

pub mod data;
pub mod rng;
pub mod rows;
pub mod run;

use bluelamp_core::crime::{CrimeFlag, CrimeRole, CrimeStatus, HateStrand};
use bluelamp_core::incident::{Channel, Grade, GradeTargets, IncidentStatus};
use bluelamp_core::offence::{Offence, OffenceGroup, OffenceList};
use bluelamp_core::person::IncidentRole;
use bluelamp_core::user::{PipLevel, Rank, Specialism};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use crate::data::{KENT_CRIME_TYPES, KENT_MONTHS, Lsoa, OFFENCE_WEIGHTS, OTHER_INCIDENTS};
use crate::rng::{Rng, Weighted};

/// Who generated people and links ("created by" / "linked by") and the audit events' actor.
pub const GENERATED_BY: &str = "generated";
/// The method recorded on every generated crime.
pub const GENERATED_MO: &str = "[generated]";

/// A force's size: how many of everything to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// A demo: a few thousand records.
    Small,
    /// A county force: about 1.8 million residents, 170,000 crimes and 900,000 incidents a year,
    /// 3,800 officers and staff.
    County,
    /// About four times a county.
    Metropolitan,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Small, Profile::County, Profile::Metropolitan];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Small => "small",
            Profile::County => "county",
            Profile::Metropolitan => "metropolitan",
        }
    }

    /// (people, crimes a year, incidents a year, officers and staff).
    fn sizes(self) -> (usize, usize, usize, usize) {
        match self {
            Profile::Small => (20_000, 2_000, 10_000, 150),
            Profile::County => (2_000_000, 170_000, 900_000, 3_800),
            Profile::Metropolitan => (8_000_000, 680_000, 3_600_000, 15_200),
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Profile, String> {
        Profile::ALL.into_iter().find(|p| p.as_str() == s.trim()).ok_or_else(|| {
            format!(
                "unknown profile \"{s}\": use {}",
                Profile::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
            )
        })
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub profile: Option<Profile>,
    pub people: usize,
    pub crimes: usize,
    pub incidents: usize,
    pub officers: usize,
    pub seed: u64,
    /// Records are made over `years` years up to this instant.
    pub until: DateTime<Utc>,
    pub years: i64,
    /// The force's formats (`Settings::crime_number_format`, `Settings::incident_reference_format`).
    pub crime_number_format: String,
    pub incident_reference_format: String,
}

impl Spec {
    /// A profile's force over `years` years to `until`.
    pub fn profile(profile: Profile, years: i64, seed: u64, until: DateTime<Utc>) -> Spec {
        let (people, crimes, incidents, officers) = profile.sizes();
        let years = years.max(1);
        let settings = bluelamp_core::Settings::default();
        Spec {
            profile: Some(profile),
            people,
            crimes: crimes * years as usize,
            incidents: incidents * years as usize,
            officers,
            seed,
            until,
            years,
            crime_number_format: settings.crime_number_format,
            incident_reference_format: settings.incident_reference_format,
        }
    }

    /// People and crimes only (the search benchmark's data set), with officers to record them.
    pub fn people_and_crimes(people: usize, crimes: usize, seed: u64, until: DateTime<Utc>) -> Spec {
        let settings = bluelamp_core::Settings::default();
        Spec {
            profile: None,
            people,
            crimes,
            incidents: 0,
            officers: (crimes / 800).clamp(10, 3000),
            seed,
            until,
            years: 5,
            crime_number_format: settings.crime_number_format,
            incident_reference_format: settings.incident_reference_format,
        }
    }

    /// Says which force this is: a run with another fingerprint would make another one.
    pub fn fingerprint(&self) -> String {
        format!(
            "{} {}y seed {} until {} people {} crimes {} incidents {} officers {}",
            self.profile.map_or("custom", Profile::as_str),
            self.years,
            self.seed,
            self.until.format("%Y-%m-%dT%H:%M:%SZ"),
            self.people,
            self.crimes,
            self.incidents,
            self.officers
        )
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "profile": self.profile.map(Profile::as_str), "years": self.years, "seed": self.seed,
            "until": self.until, "people": self.people, "crimes": self.crimes, "incidents": self.incidents,
            "officers": self.officers,
        })
    }
}

/// The start of today (UTC): a day's runs agree on "now".
pub fn today() -> DateTime<Utc> {
    let d = Utc::now().date_naive();
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

// ---- Time ----------------------------------------------------------------------------------------------

/// Instants spread over a period by Kent's monthly crime counts: item `i` of `n` happens at the
/// point the cumulative monthly weight reaches `(i + u) / n`, so items stay in order of their index.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// (start, cumulative weight before it) of each piece; the last entry is the end.
    pieces: Vec<(DateTime<Utc>, f64)>,
}

impl Timeline {
    pub fn new(from: DateTime<Utc>, until: DateTime<Utc>) -> Timeline {
        let mut pieces = Vec::new();
        let mut at = from;
        let mut total = 0.0;
        while at < until {
            let (y, m) = (at.year(), at.month());
            let next_month = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let month_start = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single().unwrap_or(at);
            let month_end =
                Utc.with_ymd_and_hms(next_month.0, next_month.1, 1, 0, 0, 0).single().unwrap_or(until).min(until);
            let month_len = (Utc.with_ymd_and_hms(next_month.0, next_month.1, 1, 0, 0, 0).single().unwrap_or(until)
                - month_start)
                .num_seconds()
                .max(1) as f64;
            let weight = f64::from(KENT_MONTHS[(m as usize - 1).min(KENT_MONTHS.len() - 1)]);
            pieces.push((at, total));
            total += weight * (month_end - at).num_seconds() as f64 / month_len;
            at = month_end;
        }
        pieces.push((until, total));
        Timeline { pieces }
    }

    /// The instant at fraction `f` (0 to 1) of the weight.
    pub fn at(&self, f: f64) -> DateTime<Utc> {
        let total = self.pieces.last().map_or(0.0, |p| p.1);
        let w = f.clamp(0.0, 1.0) * total;
        let k = self.pieces.partition_point(|p| p.1 <= w).saturating_sub(1).min(self.pieces.len().saturating_sub(2));
        let (start, before) = self.pieces[k];
        let Some((end, after)) = self.pieces.get(k + 1).copied() else { return start };
        let share = if after > before { (w - before) / (after - before) } else { 0.0 };
        start + Duration::milliseconds(((end - start).num_milliseconds() as f64 * share) as i64)
    }
}

// ---- Generated items -----------------------------------------------------------------------------------

/// One generated person.
#[derive(Debug, Clone)]
pub struct GenPerson {
    pub id: Uuid,
    pub sex: &'static str,
    pub forenames: String,
    pub surname: String,
    /// (kind, forenames, surname) of a second name: a birth name or a "known as".
    pub other_name: Option<(&'static str, String, String)>,
    pub date_of_birth: NaiveDate,
    pub address: String,
    /// An earlier address and the day they moved from it.
    pub previous_address: Option<(String, NaiveDate)>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One generated crime.
#[derive(Debug, Clone)]
pub struct GenCrime {
    pub id: Uuid,
    pub number: String,
    pub status: CrimeStatus,
    pub offence: Offence,
    pub occurred_from: DateTime<Utc>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub reported_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// Index into the officers.
    pub officer: usize,
    pub place: Option<(f64, f64)>,
    pub location_text: String,
    pub division: String,
    pub flags: Vec<CrimeFlag>,
    pub hate_strands: Vec<HateStrand>,
    pub injury_recorded: bool,
    pub finalised_at: Option<DateTime<Utc>>,
    /// When it left the triage queue, allocated to the investigator who recorded it (none while it
    /// waits).
    pub allocated_at: Option<DateTime<Utc>>,
    /// (person index, role).
    pub people: Vec<(usize, CrimeRole)>,
    /// The incident it was reported in ([`Generator::crime_incident`] makes it).
    pub incident: Option<Uuid>,
    /// The Home Office outcome a finalised crime closed with ([`Generator::outcome`]).
    pub outcome: Option<&'static str>,
    /// When an open allocated crime's next supervision review falls due.
    pub review_due_at: Option<DateTime<Utc>>,
}

/// One generated incident.
#[derive(Debug, Clone)]
pub struct GenIncident {
    pub id: Uuid,
    pub reference: String,
    pub channel: Channel,
    pub status: IncidentStatus,
    pub received_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// Index into the officers: the call handler.
    pub handler: usize,
    pub caller_name: String,
    pub caller_phone: String,
    pub location_text: String,
    pub place: (f64, f64),
    pub is_rural: bool,
    pub division: String,
    pub category: &'static str,
    pub qualifiers: Vec<&'static str>,
    pub grade: Grade,
    pub due_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub result: Option<&'static str>,
    /// The crime recorded from it, by index.
    pub crime: Option<usize>,
    pub ncrs_reason: Option<&'static str>,
    /// THRIVE ratings in element order (threat, harm, risk, investigation, vulnerability, engagement).
    pub thrive: [&'static str; 6],
    /// (person index, role).
    pub people: Vec<(usize, IncidentRole)>,
}

/// One generated officer or member of staff.
#[derive(Debug, Clone)]
pub struct GenOfficer {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub collar_number: String,
    pub rank: Rank,
    pub team: String,
    pub station: String,
    pub division: String,
    pub pip_level: PipLevel,
    pub specialisms: Vec<Specialism>,
    pub roles: Vec<&'static str>,
    pub created_at: DateTime<Utc>,
}

const PEOPLE: u64 = 1;
const CRIMES: u64 = 2;
const OFFICERS: u64 = 3;
const INCIDENTS: u64 = 4;
/// A second stream per item, for rows made apart from the item (ids of child rows).
pub(crate) const CHILD: u64 = 0xFF;

/// Makes any item of a spec on its own.
pub struct Generator {
    pub spec: Spec,
    surnames: Weighted<String>,
    lsoas: Vec<Lsoa>,
    /// LSOA indexes weighted by their crimes.
    places: Weighted<usize>,
    offences: Weighted<Offence>,
    other_incidents: Weighted<&'static str>,
    /// Each year's first crime index, for numbers that restart each year.
    year_starts: Vec<(i32, usize)>,
    timeline: Timeline,
    people_from: DateTime<Utc>,
    people_span: f64,
    /// The officers who record crimes (investigators) and take calls (call handlers), by division.
    investigators: Vec<(String, Vec<usize>)>,
    handlers: Vec<usize>,
    divisions: Vec<String>,
    /// (division, towns) for stations.
    towns: Vec<(String, Vec<String>)>,
}

impl Generator {
    pub fn new(spec: Spec) -> Generator {
        let common: Vec<(String, f64)> = data::SURNAMES
            .split_whitespace()
            .collect::<Vec<_>>()
            .chunks(2)
            .filter_map(|p| Some((p.first()?.to_string(), p.get(1)?.parse::<f64>().ok()?)))
            .collect();
        let common_share: f64 = common.iter().map(|(_, w)| w).sum();
        let tail = data::tail_surnames();
        let tail_sum: f64 = tail.iter().map(|(_, w)| w).sum();
        // The named surnames cover their share per 100,000; the tail the rest.
        let scale = (100_000.0 - common_share).max(0.0) / tail_sum;
        let surnames = Weighted::new(common.into_iter().chain(tail.into_iter().map(|(s, w)| (s, w * scale))));
        let lsoas = data::lsoas();
        let places = Weighted::new(lsoas.iter().enumerate().map(|(i, l)| (i, f64::from(l.crimes))));
        let offences = offence_weights(&OffenceList::builtin());
        let other_incidents = Weighted::new(OTHER_INCIDENTS.iter().map(|(c, w)| (*c, *w)));
        let crimes_from = spec.until - Duration::days(365 * spec.years);
        let people_from = crimes_from - Duration::days(730);
        let people_span = (crimes_from - people_from).num_milliseconds() as f64;
        let mut divisions: Vec<String> = lsoas.iter().map(|l| l.division.clone()).collect();
        divisions.sort();
        divisions.dedup();
        let towns = divisions
            .iter()
            .map(|d| {
                let mut t: Vec<String> = lsoas.iter().filter(|l| l.division == *d).map(|l| l.town.clone()).collect();
                t.sort();
                t.dedup();
                (d.clone(), t)
            })
            .collect();
        let mut g = Generator {
            timeline: Timeline::new(crimes_from, spec.until),
            spec,
            surnames,
            lsoas,
            places,
            offences,
            other_incidents,
            year_starts: Vec::new(),
            people_from,
            people_span,
            investigators: Vec::new(),
            handlers: Vec::new(),
            divisions,
            towns,
        };
        g.year_starts = g.year_starts();
        let officers: Vec<GenOfficer> = (0..g.spec.officers).map(|k| g.officer(k)).collect();
        g.handlers = (0..officers.len()).filter(|k| officers[*k].roles.contains(&"call-handler")).collect();
        g.investigators = g
            .divisions
            .iter()
            .map(|d| {
                let ks = (0..officers.len())
                    .filter(|k| officers[*k].division == *d && officers[*k].roles.contains(&"investigator"))
                    .collect();
                (d.clone(), ks)
            })
            .collect();
        g
    }

    fn crime_time(&self, j: usize, rng: &mut Rng) -> DateTime<Utc> {
        self.timeline.at((j as f64 + rng.unit()) / self.spec.crimes.max(1) as f64)
    }

    fn recorded_at(&self, j: usize) -> DateTime<Utc> {
        self.crime_time(j, &mut Rng::for_item(self.spec.seed, CRIMES, j as u64))
    }

    fn london_year(at: DateTime<Utc>) -> i32 {
        at.with_timezone(&chrono_tz::Europe::London).year()
    }

    fn year_starts(&self) -> Vec<(i32, usize)> {
        let mut starts = Vec::new();
        let (mut lo, n) = (0usize, self.spec.crimes);
        while lo < n {
            let year = Self::london_year(self.recorded_at(lo));
            starts.push((year, lo));
            // The first crime of a later year: recording times rise with the index.
            let (mut a, mut b) = (lo, n);
            while a < b {
                let mid = (a + b) / 2;
                if Self::london_year(self.recorded_at(mid)) > year { b = mid } else { a = mid + 1 }
            }
            lo = a;
        }
        starts
    }

    /// (year, last sequence number) of every year crimes were recorded in.
    pub fn year_counters(&self) -> Vec<(i32, i64)> {
        let mut out = Vec::new();
        for (k, (year, start)) in self.year_starts.iter().enumerate() {
            let end = self.year_starts.get(k + 1).map(|(_, s)| *s).unwrap_or(self.spec.crimes);
            out.push((*year, (end - start) as i64));
        }
        out
    }

    /// The divisions, from the LSOAs.
    pub fn divisions(&self) -> &[String] {
        &self.divisions
    }

    /// Officer or member of staff `k`: a fixed mix of ranks and jobs, spread over the divisions.
    pub fn officer(&self, k: usize) -> GenOfficer {
        let mut rng = Rng::for_item(self.spec.seed, OFFICERS, k as u64);
        let created_at = self.people_from + Duration::minutes(k as i64);
        let id = rng.uuid_at(created_at);
        let division = self.divisions[k % self.divisions.len().max(1)].clone();
        let towns = self.towns.iter().find(|(d, _)| *d == division).map(|(_, t)| t.clone()).unwrap_or_default();
        let station = if towns.is_empty() { division.clone() } else { rng.pick(&towns).clone() };
        // Per hundred: 26 response, 20 investigators, 10 call handlers, 4 control room supervisors,
        // 6 triage, 12 sergeants, 3 inspectors, 4 safeguarding, 3 custody, 3 offender managers,
        // 3 analysts, 5 PCSOs and 1 senior officer or registrar, auditor or administrator.
        // The first three are the crime registrar, an auditor and an administrator, whatever the size.
        let slot = if k < 3 { 99 } else { k % 100 };
        let senior = if k < 3 { k + 1 } else { (k / 100) % 4 };
        let (rank, team, roles): (Rank, &str, Vec<&'static str>) = match slot {
            0..=25 => (Rank::Constable, "Response", vec!["investigator"]),
            26..=45 => (Rank::Constable, "CID", vec!["investigator"]),
            46..=55 => (Rank::Staff, "Control Room", vec!["call-handler"]),
            56..=59 => (Rank::Staff, "Control Room", vec!["control-room-supervisor"]),
            60..=65 => (Rank::Staff, "Incident Management Unit", vec!["triage"]),
            66..=77 => (Rank::Sergeant, if slot < 72 { "Response" } else { "CID" }, vec!["supervisor", "investigator"]),
            78..=80 => (Rank::Inspector, "Response", vec!["supervisor", "investigator"]),
            81..=84 => (Rank::Constable, "Safeguarding", vec!["safeguarding", "investigator"]),
            85..=87 => (Rank::Sergeant, "Custody", vec!["custody"]),
            88..=90 => (Rank::Constable, "Offender Management", vec!["offender-manager"]),
            91..=93 => (Rank::Staff, "Analysis", vec!["analyst"]),
            94..=98 => (Rank::Pcso, "Neighbourhood", vec![]),
            _ => match senior {
                0 => (Rank::ChiefInspector, "Command", vec!["supervisor"]),
                1 => (Rank::Staff, "Crime Registrar", vec!["crime-registrar"]),
                2 => (Rank::Staff, "Professional Standards", vec!["auditor"]),
                _ => (Rank::Staff, "IT", vec!["admin"]),
            },
        };
        let investigates = roles.contains(&"investigator");
        let pip_level = match (investigates, team, rng.below(10)) {
            (false, _, _) => PipLevel::None,
            (true, "CID", 0..=2) | (true, "Safeguarding", 0..=5) => PipLevel::Pip2,
            (true, _, _) => PipLevel::Pip1,
        };
        let mut specialisms = Vec::new();
        if team == "Safeguarding" {
            specialisms.push(*rng.pick(&[
                Specialism::DomesticAbuse,
                Specialism::ChildAbuse,
                Specialism::SexualOffencesLiaison,
            ]));
        }
        if team == "CID" && rng.chance(0.25) {
            specialisms.push(*rng.pick(&[
                Specialism::SexualOffencesLiaison,
                Specialism::OnlineInvestigation,
                Specialism::FinancialInvestigation,
                Specialism::HateCrime,
                Specialism::ModernSlavery,
                Specialism::FamilyLiaison,
            ]));
        }
        let surname = self.surnames.pick(&mut rng).clone();
        let female = rng.chance(0.35);
        let list = if female { data::FEMALE } else { data::MALE };
        let first = list[((rng.unit().powi(2) * list.len() as f64) as usize).min(list.len() - 1)];
        let collar = 20_000 + k;
        let title = match rank {
            Rank::Constable => "PC",
            Rank::Sergeant => "PS",
            Rank::Inspector => "Insp",
            Rank::ChiefInspector => "Ch Insp",
            Rank::Pcso => "PCSO",
            _ => "",
        };
        let display_name = format!("{title} {collar} {first} {surname}").trim().to_string();
        GenOfficer {
            id,
            username: format!("gen.{collar}"),
            display_name,
            collar_number: collar.to_string(),
            rank,
            team: format!("{division} {team}"),
            station,
            division,
            pip_level,
            specialisms,
            roles,
            created_at,
        }
    }

    /// The officer who records a crime in `division`: mostly one of its investigators.
    fn investigator(&self, division: &str, rng: &mut Rng) -> usize {
        let local = self.investigators.iter().find(|(d, _)| d == division).map(|(_, ks)| ks.as_slice()).unwrap_or(&[]);
        if !local.is_empty() && !rng.chance(0.1) {
            return *rng.pick(local);
        }
        let all: Vec<usize> = self.investigators.iter().flat_map(|(_, ks)| ks.iter().copied()).collect();
        if all.is_empty() { rng.below(self.spec.officers.max(1) as u64) as usize } else { *rng.pick(&all) }
    }

    /// The call handler who takes a call.
    fn handler(&self, rng: &mut Rng) -> usize {
        if self.handlers.is_empty() {
            rng.below(self.spec.officers.max(1) as u64) as usize
        } else {
            *rng.pick(&self.handlers)
        }
    }
    /// The first draws of person `i`: its generator, when it was created and its id.
    fn person_start(&self, i: usize) -> (Rng, DateTime<Utc>, Uuid) {
        let mut rng = Rng::for_item(self.spec.seed, PEOPLE, i as u64);
        let created_at = self.people_from
            + Duration::milliseconds(
                ((i as f64 + rng.unit()) / self.spec.people.max(1) as f64 * self.people_span) as i64,
            );
        let id = rng.uuid_at(created_at);
        (rng, created_at, id)
    }

    /// Person `i`'s id alone (what a link needs), without making the rest.
    pub fn person_id(&self, i: usize) -> Uuid {
        self.person_start(i).2
    }

    /// Person `i`.
    pub fn person(&self, i: usize) -> GenPerson {
        let (mut rng, created_at, id) = self.person_start(i);
        let female = rng.chance(0.5);
        let sex = if rng.chance(0.01) {
            "unknown"
        } else if female {
            "female"
        } else {
            "male"
        };
        let first = |rng: &mut Rng| {
            // Earlier names in each list are more common.
            let list = if female { data::FEMALE } else { data::MALE };
            let k = (rng.unit().powi(2) * list.len() as f64) as usize;
            list[k.min(list.len() - 1)].to_string()
        };
        let mut forenames = first(&mut rng);
        if rng.chance(0.3) {
            forenames = format!("{forenames} {}", first(&mut rng));
        }
        let surname = self.surnames.pick(&mut rng).clone();
        let other_name = if female && rng.chance(0.05) {
            Some(("birth", forenames.clone(), self.surnames.pick(&mut rng).clone()))
        } else if rng.chance(0.02) {
            Some(("known-as", first(&mut rng), surname.clone()))
        } else {
            None
        };
        let age = *Weighted::new([
            ((0u32, 17u32), 20.0),
            ((18, 29), 18.0),
            ((30, 44), 22.0),
            ((45, 64), 25.0),
            ((65, 95), 15.0),
        ])
        .pick(&mut rng);
        let years = age.0 + rng.below(u64::from(age.1 - age.0 + 1)) as u32;
        let today = self.spec.until.date_naive();
        let date_of_birth = today
            .with_year(today.year() - years as i32)
            .unwrap_or(today)
            .checked_sub_signed(Duration::days(rng.below(365) as i64))
            .unwrap_or(today);
        let home = |rng: &mut Rng, lsoas: &[Lsoa]| {
            let l = rng.pick(lsoas);
            format!("{} {}, {}", 1 + rng.below(180), rng.pick(&l.streets), l.town)
        };
        let address = home(&mut rng, &self.lsoas);
        let previous_address = if rng.chance(0.15) {
            let moved = today - Duration::days(30 + rng.below(3000) as i64);
            Some((home(&mut rng, &self.lsoas), moved))
        } else {
            None
        };
        let phone = rng.chance(0.75).then(|| format!("07{:03} {:06}", 100 + rng.below(900), rng.below(1_000_000)));
        GenPerson {
            id,
            sex,
            forenames,
            surname,
            other_name,
            date_of_birth,
            address,
            previous_address,
            phone,
            created_at,
        }
    }

    /// Person indexes chosen as victims and suspects: a few people turn up again and again.
    fn someone(&self, rng: &mut Rng, repeat_share: f64, pool: usize) -> usize {
        let n = self.spec.people.max(1);
        if rng.chance(repeat_share) && n >= 50 {
            (rng.below((n / 50) as u64) as usize) * 50 + pool
        } else {
            rng.below(n as u64) as usize
        }
    }

    /// Crime `j` (crimes are numbered in the order they were recorded).
    pub fn crime(&self, j: usize) -> GenCrime {
        let mut rng = Rng::for_item(self.spec.seed, CRIMES, j as u64);
        let recorded_at = self.crime_time(j, &mut rng);
        let id = rng.uuid_at(recorded_at);
        let year = Self::london_year(recorded_at);
        let first = self.year_starts.iter().rev().find(|(y, _)| *y == year).map(|(_, s)| *s).unwrap_or(0);
        let number =
            bluelamp_core::crime::format_crime_number(&self.spec.crime_number_format, year, (j - first + 1) as i64);
        let offence = self.offences.pick(&mut rng).clone();
        let violent = offence.group == OffenceGroup::ViolenceAgainstThePerson;
        let online = offence.code == "8R" || offence.code == "8L" && rng.chance(0.4) || rng.chance(0.02);
        // Reported (in an incident for three in four) at the crime's place on the timeline; recorded
        // within 24 hours of the report about 96.6% of the time (the inspection's figure for Kent).
        let reported_at = recorded_at;
        let from_incident = rng.chance(LINKED_SHARE);
        let delay = if rng.chance(0.966) { 2 + rng.below(20 * 60) } else { 24 * 60 + rng.below(48 * 60) };
        let recorded_at = (reported_at + Duration::minutes(delay as i64)).min(self.spec.until - Duration::minutes(1));
        let reported_at = reported_at.min(recorded_at);
        let incident =
            from_incident.then(|| Rng::for_item(self.spec.seed, CRIMES ^ CHILD, j as u64).uuid_at(reported_at));
        let occurred_from = reported_at - Duration::minutes(rng.below(72 * 60) as i64);
        let occurred_to = rng.chance(0.2).then(|| occurred_from + Duration::minutes(rng.below(48 * 60) as i64));
        let occurred_to = occurred_to.map(|t| t.min(reported_at));
        let lsoa = &self.lsoas[*self.places.pick(&mut rng)];
        let (place, location_text, division) = if online && rng.chance(0.8) {
            (None, "Online".to_string(), lsoa.division.clone())
        } else {
            let (point, text) = street_point(lsoa, &mut rng);
            (Some(point), text, lsoa.division.clone())
        };
        let mut flags = Vec::new();
        let mut flag = |f: CrimeFlag, p: f64, rng: &mut Rng| {
            if rng.chance(p) {
                flags.push(f);
            }
        };
        flag(CrimeFlag::DomesticAbuse, if violent { 0.32 } else { 0.05 }, &mut rng);
        flag(CrimeFlag::Alcohol, if violent { 0.18 } else { 0.05 }, &mut rng);
        flag(CrimeFlag::VulnerableVictim, 0.05, &mut rng);
        flag(CrimeFlag::RepeatVictim, 0.07, &mut rng);
        flag(CrimeFlag::ChildVictim, 0.04, &mut rng);
        flag(CrimeFlag::Knife, if violent || offence.group == OffenceGroup::Robbery { 0.035 } else { 0.003 }, &mut rng);
        flag(CrimeFlag::Firearm, 0.002, &mut rng);
        flag(CrimeFlag::ModernSlavery, 0.001, &mut rng);
        flag(CrimeFlag::ChildSexualExploitation, 0.003, &mut rng);
        flag(CrimeFlag::HonourBased, 0.001, &mut rng);
        if online {
            flags.push(CrimeFlag::Online);
        }
        flags.sort();
        let racial = offence.label.starts_with("Racially");
        let hate_strands = if racial { vec![HateStrand::Race] } else { Vec::new() };
        let injury_recorded = matches!(offence.code.as_str(), "8N" | "5D" | "8P" | "8S");
        let age_days = (self.spec.until - recorded_at).num_days();
        let status = *Weighted::new(match age_days {
            d if d > 180 => vec![(CrimeStatus::Finalised, 92.0), (CrimeStatus::UnderInvestigation, 8.0)],
            d if d > 30 => vec![
                (CrimeStatus::Finalised, 60.0),
                (CrimeStatus::UnderInvestigation, 28.0),
                (CrimeStatus::Allocated, 12.0),
            ],
            // A backlog like the inspection's (about 2,000 crimes waiting, the oldest 14 days, on a
            // county force): only the last fortnight's crimes still wait, fewer the older they are.
            d if d >= 14 => vec![
                (CrimeStatus::Allocated, 45.0),
                (CrimeStatus::UnderInvestigation, 35.0),
                (CrimeStatus::Finalised, 20.0),
            ],
            d => vec![
                (CrimeStatus::Recorded, 20.0 + 2.0 * (14 - d) as f64),
                (CrimeStatus::Allocated, 30.0 + 2.0 * d as f64),
                (CrimeStatus::UnderInvestigation, 15.0 + 2.0 * d as f64),
                (CrimeStatus::Finalised, 5.0),
            ],
        })
        .pick(&mut rng);
        // Allocated (and so out of the queue) within a few days of recording, never after `until`.
        let allocated_at = (status != CrimeStatus::Recorded).then(|| {
            let room = (self.spec.until - recorded_at).num_minutes().max(1) as u64;
            recorded_at + Duration::minutes(rng.below(room.min(4 * 24 * 60)) as i64)
        });
        let finalised_at = (status == CrimeStatus::Finalised).then(|| {
            let room = (self.spec.until - recorded_at).num_minutes().max(1) as u64;
            recorded_at + Duration::minutes(rng.below(room.min(120 * 24 * 60)) as i64)
        });
        let officer = self.investigator(&division, &mut rng);
        let mut people = vec![(self.someone(&mut rng, 0.25, 0), CrimeRole::Victim)];
        if rng.chance(0.35) {
            let suspect = self.someone(&mut rng, 0.4, 1);
            if suspect != people[0].0 {
                people.push((suspect, CrimeRole::Suspect));
            }
        }
        if rng.chance(0.1) {
            let witness = self.someone(&mut rng, 0.0, 0);
            if people.iter().all(|(p, _)| *p != witness) {
                people.push((witness, CrimeRole::Witness));
            }
        }
        let mut side = Rng::for_item(self.spec.seed, CRIMES ^ CHILD ^ 3, j as u64);
        let has_suspect = people.iter().any(|(_, r)| *r == CrimeRole::Suspect);
        let outcome = finalised_at.map(|at| Self::outcome(&mut side, offence.group, &flags, has_suspect, at));
        // Reviews kept on schedule for most open crimes; about one in five has slipped past due.
        let review_due_at = match (status, allocated_at) {
            (CrimeStatus::Allocated | CrimeStatus::UnderInvestigation, Some(at)) => {
                let due = self.spec.until - Duration::days(8) + Duration::minutes(side.below(36 * 24 * 60) as i64);
                Some(due.max(at + Duration::days(1)))
            }
            _ => None,
        };
        GenCrime {
            outcome,
            review_due_at,
            id,
            number,
            status,
            offence,
            occurred_from,
            occurred_to,
            reported_at,
            recorded_at,
            officer,
            place,
            location_text,
            division,
            flags,
            hate_strands,
            injury_recorded,
            finalised_at,
            allocated_at,
            people,
            incident,
        }
    }

    /// A finalised crime's outcome: with a named suspect, mostly evidential difficulties (16, the
    /// victim not supporting, most for violence and domestic abuse — the inspection's concern),
    /// charges and out-of-court disposals; without one, mostly 18 (no suspect identified) and 14.
    /// Outcome 22 only from April 2019 and 23 only from February 2026, as they came into force.
    fn outcome(
        rng: &mut Rng,
        group: OffenceGroup,
        flags: &[CrimeFlag],
        has_suspect: bool,
        at: DateTime<Utc>,
    ) -> &'static str {
        let violent = group == OffenceGroup::ViolenceAgainstThePerson;
        let domestic = flags.contains(&CrimeFlag::DomesticAbuse);
        let weights: Vec<(&'static str, f64)> = if has_suspect {
            let sixteen = if domestic {
                62.0
            } else if violent {
                50.0
            } else {
                32.0
            };
            vec![
                ("1", 18.0),
                ("2", 1.5),
                ("3", 4.5),
                ("6", 1.0),
                ("7", if group == OffenceGroup::DrugOffences { 30.0 } else { 0.2 }),
                ("8", 9.0),
                ("10", 2.0),
                ("15", 14.0),
                ("16", sixteen),
                ("20", 1.5),
                ("21", 1.5),
                ("22", if at >= Utc.with_ymd_and_hms(2019, 4, 1, 0, 0, 0).single().unwrap_or(at) { 1.0 } else { 0.0 }),
                ("23", if at >= Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).single().unwrap_or(at) { 0.2 } else { 0.0 }),
            ]
        } else {
            vec![("18", 72.0), ("14", 22.0), ("20", 3.0), ("19", if group == OffenceGroup::Fraud { 40.0 } else { 0.0 })]
        };
        Weighted::new(weights.into_iter().filter(|(_, w)| *w > 0.0)).pick(rng)
    }

    /// How many incidents are not crime reports ([`Generator::incident`] makes them): the rest of
    /// the spec's incidents come with their crimes.
    pub fn other_incidents(&self) -> usize {
        self.spec.incidents.saturating_sub((self.spec.crimes as f64 * LINKED_SHARE) as usize)
    }

    fn other_incident_time(&self, k: usize) -> DateTime<Utc> {
        let mut rng = Rng::for_item(self.spec.seed, INCIDENTS, k as u64);
        self.timeline.at((k as f64 + rng.unit()) / self.other_incidents().max(1) as f64)
    }

    /// The first index at or after which `time(index)` falls on or after `day` (London), over `n`.
    fn first_on(day: NaiveDate, n: usize, time: impl Fn(usize) -> DateTime<Utc>) -> usize {
        let (mut a, mut b) = (0, n);
        while a < b {
            let mid = (a + b) / 2;
            if london_day(time(mid)) < day { a = mid + 1 } else { b = mid }
        }
        a
    }

    /// An incident's reference: other incidents take a day's first numbers in order, crime reports
    /// the numbers after them (in the order of their crimes).
    fn incident_reference(&self, at: DateTime<Utc>, other: Option<usize>, crime: Option<usize>) -> String {
        let day = london_day(at);
        let n_other = self.other_incidents();
        let seq = match (other, crime) {
            (Some(k), _) => k - Self::first_on(day, n_other, |i| self.other_incident_time(i)) + 1,
            (None, Some(j)) => {
                let next = day.succ_opt().unwrap_or(day);
                let others = Self::first_on(next, n_other, |i| self.other_incident_time(i))
                    - Self::first_on(day, n_other, |i| self.other_incident_time(i));
                others + j - Self::first_on(day, self.spec.crimes, |i| self.recorded_at(i)) + 1
            }
            (None, None) => 0,
        };
        bluelamp_core::incident::format_reference(&self.spec.incident_reference_format, day, seq as i64)
    }

    /// The incident crime `j` was reported in, if it was.
    pub fn crime_incident(&self, j: usize, crime: &GenCrime) -> Option<GenIncident> {
        let id = crime.incident?;
        let mut rng = Rng::for_item(self.spec.seed, CRIMES ^ CHILD ^ 1, j as u64);
        let reference = self.incident_reference(crime.reported_at, None, Some(j));
        let category = data::crime_category(crime.offence.group.as_str());
        let place = crime.place.unwrap_or_else(|| {
            let l = &self.lsoas[*self.places.pick(&mut rng)];
            (l.latitude, l.longitude)
        });
        let mut qualifiers = Vec::new();
        if crime.flags.contains(&CrimeFlag::DomesticAbuse) {
            qualifiers.push("domestic-abuse");
        }
        if crime.flags.contains(&CrimeFlag::Alcohol) {
            qualifiers.push("alcohol");
        }
        if crime.flags.contains(&CrimeFlag::ChildVictim) {
            qualifiers.push("child");
        }
        let people = crime
            .people
            .iter()
            .filter_map(|(p, role)| match role {
                CrimeRole::Victim => Some((*p, IncidentRole::Victim)),
                CrimeRole::Suspect => Some((*p, IncidentRole::Suspect)),
                CrimeRole::Witness => Some((*p, IncidentRole::Witness)),
                _ => None,
            })
            .collect();
        let caller = crime.people.first().map(|(p, _)| self.person(*p));
        let mut incident = self.incident_common(
            &mut rng,
            id,
            reference,
            crime.reported_at,
            category,
            place,
            crime.location_text.clone(),
            crime.division.clone(),
            caller,
        );
        incident.qualifiers = qualifiers;
        incident.people = people;
        incident.crime = Some(j);
        if incident.status == IncidentStatus::Closed {
            incident.closed_at = incident.closed_at.map(|c| c.max(crime.recorded_at));
            incident.result = Some("Crime recorded");
        }
        Some(incident)
    }

    /// Other incident `k` (not a crime report): concern for safety, anti-social behaviour, road
    /// collisions and the rest, a few of them crime-related but found to be no crime.
    pub fn incident(&self, k: usize) -> GenIncident {
        let received_at = self.other_incident_time(k);
        let mut rng = Rng::for_item(self.spec.seed, INCIDENTS, k as u64);
        let _ = rng.unit(); // the draw the time used
        let id = rng.uuid_at(received_at);
        let reference = self.incident_reference(received_at, Some(k), None);
        let no_crime = rng.chance(0.03);
        let category = if no_crime {
            *rng.pick(&["CRM-THF", "CRM-DAM", "CRM-VIO", "CRM-BUR"])
        } else {
            *self.other_incidents.pick(&mut rng)
        };
        // A third happen at the home of someone who calls again and again.
        let caller_index = self.someone(&mut rng, 0.3, 2);
        let caller = self.person(caller_index);
        let lsoa = &self.lsoas[*self.places.pick(&mut rng)];
        let (place, location_text) = if rng.chance(0.3) {
            ((lsoa.latitude, lsoa.longitude), caller.address.clone())
        } else {
            street_point(lsoa, &mut rng)
        };
        let mut incident = self.incident_common(
            &mut rng,
            id,
            reference,
            received_at,
            category,
            place,
            location_text,
            lsoa.division.clone(),
            Some(caller),
        );
        let role = match category {
            "PSW-MIS" | "PSW-CFS" | "PSW-MHT" | "PSW-SUD" => IncidentRole::Subject,
            _ => IncidentRole::Caller,
        };
        incident.people = vec![(caller_index, role)];
        incident.qualifiers = match category {
            "PSW-DOM" => vec!["domestic-abuse"],
            "PSW-MHT" => vec!["mental-health"],
            "PSW-MIS" => vec!["missing-person"],
            _ if rng.chance(0.05) => vec!["alcohol"],
            _ => Vec::new(),
        };
        if no_crime {
            incident.ncrs_reason =
                Some("Caller confirmed no offence took place: property found, no crime (N100 check)");
        }
        incident
    }

    /// What every incident has: channel, handler, grade and due time, THRIVE, closure.
    #[allow(clippy::too_many_arguments)]
    fn incident_common(
        &self,
        rng: &mut Rng,
        id: Uuid,
        reference: String,
        received_at: DateTime<Utc>,
        category: &'static str,
        place: (f64, f64),
        location_text: String,
        division: String,
        caller: Option<GenPerson>,
    ) -> GenIncident {
        let channel = *Weighted::new([
            (Channel::Emergency999, 35.0),
            (Channel::NonEmergency101, 45.0),
            (Channel::Online, 12.0),
            (Channel::WalkIn, 3.0),
            (Channel::PartnerAgency, 3.0),
            (Channel::OfficerGenerated, 2.0),
        ])
        .pick(rng);
        let grade = *Weighted::new(if channel == Channel::Emergency999 {
            vec![
                (Grade::Emergency, 40.0),
                (Grade::Priority, 40.0),
                (Grade::Scheduled, 15.0),
                (Grade::ResolutionWithoutDeployment, 5.0),
            ]
        } else {
            vec![
                (Grade::Emergency, 3.0),
                (Grade::Priority, 22.0),
                (Grade::Scheduled, 45.0),
                (Grade::ResolutionWithoutDeployment, 30.0),
            ]
        })
        .pick(rng);
        let is_rural = rng.chance(0.2);
        let recorded_at = received_at + Duration::seconds(30 + rng.below(300) as i64);
        let due_at = GradeTargets::default().due_at(grade, received_at, is_rural);
        // Open if it came in during the last day (most of them), closed otherwise.
        let age = self.spec.until - received_at;
        let open = age < Duration::hours(24) && rng.chance(0.8);
        let closed_at = (!open).then(|| {
            let minutes = 20 + rng.below(if grade == Grade::Scheduled { 72 * 60 } else { 10 * 60 }) as i64;
            (recorded_at + Duration::minutes(minutes)).min(self.spec.until)
        });
        let result = closed_at.map(|_| {
            *rng.pick(&[
                "Attended; advice given",
                "Attended; no further police action",
                "Resolved by telephone",
                "Referred to partner agency",
                "Words of advice given to those involved",
            ])
        });
        let high = if grade == Grade::Emergency { "high" } else { "medium" };
        let thrive = [
            high,
            high,
            if rng.chance(0.5) { "medium" } else { "low" },
            "medium",
            if rng.chance(0.2) { "high" } else { "low" },
            "low",
        ];
        let (caller_name, caller_phone) = match caller {
            Some(p) => (format!("{} {}", p.forenames, p.surname), p.phone.unwrap_or_default()),
            None => ("Anonymous".to_string(), String::new()),
        };
        GenIncident {
            id,
            reference,
            channel,
            status: if open { IncidentStatus::Open } else { IncidentStatus::Closed },
            received_at,
            recorded_at,
            handler: self.handler(rng),
            caller_name,
            caller_phone,
            location_text,
            place,
            is_rural,
            division,
            category,
            qualifiers: Vec::new(),
            grade,
            due_at,
            closed_at,
            result,
            crime: None,
            ncrs_reason: None,
            thrive,
            people: Vec::new(),
        }
    }
}

/// The share of crimes reported in an incident (the rest come by the front counter, online or
/// from another force).
pub const LINKED_SHARE: f64 = 0.75;

/// A point within 450 m of an LSOA's centre and its "On or near" street, as data.police.uk gives them.
fn street_point(lsoa: &Lsoa, rng: &mut Rng) -> ((f64, f64), String) {
    let point = bluelamp_core::crime_search::destination(
        lsoa.latitude,
        lsoa.longitude,
        rng.unit() * 360.0,
        450.0 * rng.unit().sqrt(),
    );
    (point, format!("On or near {}, {}", rng.pick(&lsoa.streets), lsoa.town))
}

fn london_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::London).date_naive()
}

/// Offence codes weighted so that their data.police.uk crime types come in Kent's proportions, and
/// within a type in their usual proportions ([`OFFENCE_WEIGHTS`], with a small share for every
/// other code so each appears).
fn offence_weights(list: &OffenceList) -> Weighted<Offence> {
    let within = |o: &Offence| OFFENCE_WEIGHTS.iter().find(|(c, _)| *c == o.code).map(|(_, w)| *w).unwrap_or(0.0) + 0.5;
    let mut pairs = Vec::new();
    for (_, count, set) in KENT_CRIME_TYPES {
        let members: Vec<&Offence> = list.offences.iter().filter(|o| set.covers(&o.code, o.group.as_str())).collect();
        let sum: f64 = members.iter().map(|o| within(o)).sum();
        for o in members {
            pairs.push((o.clone(), f64::from(*count) * within(o) / sum.max(f64::MIN_POSITIVE)));
        }
    }
    Weighted::new(pairs)
}

#[cfg(test)]
mod tests;
