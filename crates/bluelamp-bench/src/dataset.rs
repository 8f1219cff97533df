//! A force-sized data set, generated from a seed and bulk-loaded: people (names with a realistic
//! surname frequency, aliases, dates of birth, addresses now and before, mobile numbers) and crimes
//! (Home Office offence codes in realistic proportions, flags, places round Kent's LSOAs, five years
//! of recording, victims, suspects and witnesses among the people, the officers who recorded them).
//!
//! Everything about person `i` or crime `j` comes from a generator seeded by (seed, i) or (seed, j),
//! so any one can be made again without the rest ([`Generator::person`], [`Generator::crime`]): the
//! search benchmark asks about people and crimes it knows exist. The same seed and spec give the
//! same data. Search keys are computed with the core's own functions (`person::name_key`,
//! `person::soundex`, `incident::address_key`, `incident::phone_key`), as the stores do.
//!
//! Loading is COPY on PostgreSQL and large multi-row INSERTs in a few transactions on SQLite, then
//! `ANALYZE`. Officers are created through `Core::create_user`, and the load is one audit event.
//! Generated rows say so where a column allows: people and links are "created by"
//! [`GENERATED_BY`], crimes carry [`GENERATED_MO`] as their method.
//!
//! This is meant to become `bluelamp generate` (issue 5); it depends only on the core and sqlx.

use std::time::Instant;

use bluelamp_core::audit::{Actor, AuditCategory, NewAuditEvent, RequestContext};
use bluelamp_core::core::By;
use bluelamp_core::crime::{CrimeFlag, CrimeRole, CrimeStatus, HateStrand};
use bluelamp_core::incident::{address_key, phone_key};
use bluelamp_core::offence::{Offence, OffenceGroup, OffenceList};
use bluelamp_core::person::{forename_key, name_key, soundex};
use bluelamp_core::user::NewUser;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

/// Who generated people and links ("created by" / "linked by").
pub const GENERATED_BY: &str = "generated";
/// The method recorded on every generated crime.
pub const GENERATED_MO: &str = "[generated]";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub people: usize,
    pub crimes: usize,
    /// Officers who record the crimes.
    pub officers: usize,
    pub seed: u64,
    /// Crimes are recorded over `years` years up to this instant.
    pub until: DateTime<Utc>,
    pub years: i64,
    /// The force's crime-number format (`Settings::crime_number_format`).
    pub crime_number_format: String,
}

impl Spec {
    /// A force of Kent's size: about two million people and a million crimes over five years.
    pub fn force(people: usize, crimes: usize, seed: u64, until: DateTime<Utc>) -> Spec {
        Spec {
            people,
            crimes,
            officers: (crimes / 800).clamp(10, 3000),
            seed,
            until,
            years: 5,
            crime_number_format: bluelamp_core::Settings::default().crime_number_format,
        }
    }
}

// ---- Randomness ---------------------------------------------------------------------------------------

/// SplitMix64: small, fast and the same everywhere for a seed. Not for secrets.
pub struct Rng(u64);

impl Rng {
    /// A generator for one item: `stream` names the kind of item, `index` which one.
    pub fn for_item(seed: u64, stream: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.0 ^= r.next_u64().wrapping_add(index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64 }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn bytes(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }

    /// A UUIDv7 for `at`, its random bits from this generator.
    fn uuid_at(&mut self, at: DateTime<Utc>) -> Uuid {
        let bytes = self.bytes();
        let mut rand = [0u8; 10];
        rand.copy_from_slice(&bytes[..10]);
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &rand).into_uuid()
    }
}

/// Items with weights, drawn in proportion.
pub struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T> Weighted<T> {
    pub fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Weighted<T> {
        let (mut items, mut cumulative, mut sum) = (Vec::new(), Vec::new(), 0.0);
        for (item, weight) in pairs {
            sum += weight.max(0.0);
            items.push(item);
            cumulative.push(sum);
        }
        Weighted { items, cumulative }
    }

    pub fn pick(&self, rng: &mut Rng) -> &T {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|c| *c <= x).min(self.items.len().saturating_sub(1));
        &self.items[i]
    }
}

// ---- Reference tables ---------------------------------------------------------------------------------

/// Common surnames of England and Wales with their approximate share per 100,000 people (Smith about
/// 1.3%); the rest of the population gets [`tail_surnames`].
const SURNAMES: &str = "Smith 1260 Jones 750 Williams 620 Taylor 530 Brown 520 Davies 480 Evans 400 Wilson 340 \
Thomas 330 Johnson 330 Roberts 320 Robinson 270 Thompson 270 Wright 270 Walker 260 White 250 Edwards 250 Hughes 240 \
Green 240 Hall 240 Lewis 230 Harris 230 Clarke 230 Patel 230 Jackson 220 Wood 220 Turner 210 Martin 210 Cooper 210 \
Hill 210 Ward 200 Morris 200 Moore 200 Clark 200 Lee 190 King 190 Baker 190 Harrison 190 Morgan 180 Allen 180 \
James 180 Scott 180 Phillips 170 Watson 170 Davis 170 Parker 170 Price 170 Bennett 160 Young 160 Griffiths 160 \
Mitchell 160 Kelly 160 Cook 160 Carter 160 Richardson 150 Bailey 150 Collins 150 Bell 150 Shaw 150 Murphy 150 \
Miller 150 Cox 140 Richards 140 Khan 140 Marshall 140 Anderson 140 Simpson 140 Ellis 140 Adams 130 Singh 130 \
Begum 130 Wilkinson 130 Foster 130 Chapman 130 Powell 130 Webb 130 Rogers 130 Gray 130 Mason 120 Ali 120 Hunt 120 \
Hussain 120 Campbell 120 Matthews 120 Owen 120 Palmer 120 Holmes 120 Mills 120 Barnes 120 Knight 120 Lloyd 120 \
Butler 110 Russell 110 Barker 110 Fisher 110 Stevens 110 Jenkins 110 Murray 110 Dixon 110 Harvey 110 Graham 110 \
Pearson 110 Ahmed 110 Fletcher 110 Walsh 100 Kaur 100 Gibson 100 Howard 100 Andrews 100 Stewart 100 Elliott 100 \
Reynolds 100 Saunders 100 Payne 100 Fox 100 Ford 100 Pearce 100 Day 100 Brooks 100 West 100 Lawrence 100 Cole 100 \
Atkinson 100 Bradley 100 Spencer 100 Gill 90 Dawson 90 Ball 90 Burton 90 O'Brien 90 Watts 90 Rose 90 Booth 90 \
Perry 90 Ryan 90 Grant 90 Wells 90 Armstrong 90 Francis 90 Rees 90 Hayes 90 Hart 90 Hudson 90 Newman 90 Barrett 90 \
Webster 90 Hunter 90 Gregory 90 Carr 90 Lowe 90 Page 90 Marsh 90 Riley 90 Dunn 90 Woods 90 Parsons 90 Berry 90 \
Stone 80 Reid 80 Holland 80 Hawkins 80 Harding 80 Porter 80 Robertson 80 Newton 80 Oliver 80 Reed 80 Kennedy 80 \
Williamson 80 Bird 80 Gardner 80 Shah 80 Dean 80 Lane 80 Cooke 80 Bates 80 Henderson 80 Parry 80 Burgess 80 \
Bishop 80 Walton 80 Burns 80 Nicholson 80 Shepherd 80 Ross 80 Cross 80 Long 80 Freeman 80 Warren 80 Nicholls 80 \
Hamilton 80 Byrne 80 Sutton 80 McDonald 80 Yates 80 Hodgson 80 Robson 80 Curtis 80 Hopkins 80 O'Connor 80 \
Harper 80 Coleman 80 Watkins 80 Moss 80 McCarthy 70 Chambers 70 O'Neill 70 Griffin 70 Sharp 70 Hardy 70 \
Wheeler 70 Potter 70 Osborne 70 Johnston 70 Gordon 70 Doyle 70 Wallace 70 George 70 Jordan 70 Hutchinson 70 \
Rowe 70 Burke 70 May 70 Pritchard 70 Gilbert 70 Willis 70 Higgins 70 Read 70 Miles 70 Stevenson 70 Stephenson 70 \
Hammond 70 Arnold 70 Buckley 70 Walters 70 Hewitt 70 Barber 70 Nelson 70 Slater 70 Austin 70 Sullivan 70 \
Whitehead 70 Mann 70 Frost 70 Lambert 70 Stephens 70 Blake 70 Akhtar 70 Lynch 70 Goodwin 70 Barton 70 Woodward 70 \
Thomson 70 Cunningham 70 Quinn 70 Barnett 70 Baxter 70 Bibi 70 Clayton 70 Nash 70 Greenwood 70 Jennings 70 Holt 70 \
Kemp 70 Poole 70 Gallagher 70 Bond 70 Stokes 70 Tucker 70 Davidson 70 Fowler 70 Heath 60 Norman 60 Middleton 60 \
Lawson 60 Banks 60 French 60 Stanley 60 Jarvis 60 Gibbs 60 Ferguson 60 Hayward 60 Carroll 60 Douglas 60 \
Dickinson 60 Todd 60 Barlow 60 Peters 60 Lucas 60 Knowles 60 Hartley 60 Miah 60 Simmons 60 Morton 60 Alexander 60 \
Field 60 Morrison 60 Norris 60 Townsend 60 Preston 60 Hancock 60 Thornton 60 Baldwin 60 Burrows 60 Briggs 60 \
Storey 60 Pollard 60 Howell 60 Hobbs 60 Nowak 40 Kowalski 30 Okafor 30 Adeyemi 30 Nguyen 30 Chen 30 Silva 30 \
Popescu 30 Mensah 25 Kaya 20 Sharma 40 Begum 30 Rahman 30 Ansah 15 Kaczmarek 15";

const TAIL_PREFIXES: &[&str] = &[
    "Ash", "Brad", "Brom", "Carl", "Chel", "Dar", "Elm", "Fair", "Gold", "Hart", "Hol", "Kings", "Lang", "Mar", "New",
    "Oak", "Pen", "Red", "Ring", "Shel", "Stan", "Thorn", "Wal", "Whit", "Wins", "Crom", "Dun", "Far", "Glen", "Hay",
    "Lind", "Mel", "Nor", "Pem", "Rad", "Sand", "Tam", "Wood", "Bur", "Cal", "Ather", "Blen", "Cord", "Dray", "Ever",
    "Fen", "Gris", "Hux", "Ire", "Kel",
];
const TAIL_SUFFIXES: &[&str] = &[
    "ton", "ley", "ford", "well", "field", "wood", "worth", "by", "ham", "man", "son", "er", "more", "bridge", "combe",
    "dale", "gate", "hurst", "stead", "wick",
];

/// About a thousand rarer surnames ("Ashton", "Bromwick"…), Zipf-weighted, for the two-thirds of
/// people not named by [`SURNAMES`].
fn tail_surnames() -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (i, p) in TAIL_PREFIXES.iter().enumerate() {
        for (j, s) in TAIL_SUFFIXES.iter().enumerate() {
            let rank = 1 + (i * TAIL_SUFFIXES.len() + j * 7) % 1000;
            out.push((format!("{p}{s}"), 1.0 / rank as f64));
        }
    }
    out
}

const FEMALE: &[&str] = &[
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Emily",
    "Sophie",
    "Grace",
    "Lily",
    "Ella",
    "Jessica",
    "Chloe",
    "Lucy",
    "Charlotte",
    "Hannah",
    "Emma",
    "Sarah",
    "Laura",
    "Rebecca",
    "Amy",
    "Gemma",
    "Rachel",
    "Claire",
    "Nicola",
    "Louise",
    "Michelle",
    "Kelly",
    "Helen",
    "Lisa",
    "Joanne",
    "Karen",
    "Julie",
    "Susan",
    "Elizabeth",
    "Jane",
    "Margaret",
    "Patricia",
    "Mary",
    "Jean",
    "Linda",
    "Ann",
    "Sandra",
    "Deborah",
    "Tracey",
    "Natalie",
    "Zoe",
    "Holly",
    "Megan",
    "Katie",
    "Aisha",
    "Fatima",
    "Priya",
    "Agnieszka",
    "Chioma",
    "Maria",
    "Anna",
    "Victoria",
    "Jennifer",
    "Alice",
    "Ruby",
];
const MALE: &[&str] = &[
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Oscar",
    "Charlie",
    "Jacob",
    "Thomas",
    "James",
    "William",
    "Daniel",
    "Joshua",
    "Samuel",
    "Matthew",
    "Ryan",
    "Luke",
    "Adam",
    "Benjamin",
    "David",
    "Michael",
    "Christopher",
    "Andrew",
    "Mark",
    "Paul",
    "Richard",
    "Stephen",
    "Robert",
    "John",
    "Peter",
    "Ian",
    "Gary",
    "Simon",
    "Anthony",
    "Kevin",
    "Lee",
    "Craig",
    "Dean",
    "Wayne",
    "Brian",
    "Alan",
    "Keith",
    "Kenneth",
    "Colin",
    "Ahmed",
    "Mohammed",
    "Tomasz",
    "Chinedu",
    "Raj",
    "Jamie",
    "Lewis",
    "Callum",
    "Kieran",
    "Connor",
    "Liam",
    "Nathan",
    "Aaron",
    "Alexander",
    "Edward",
];

/// One lower-layer super output area of Kent (see `data/kent-lsoas.csv`).
#[derive(Debug, Clone)]
pub struct Lsoa {
    pub division: String,
    pub town: String,
    pub latitude: f64,
    pub longitude: f64,
    pub crimes: u32,
    pub streets: Vec<String>,
}

const LSOAS: &str = include_str!("../data/kent-lsoas.csv");

pub fn lsoas() -> Vec<Lsoa> {
    LSOAS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("code,"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let streets: Vec<String> = f.get(7)?.split('|').filter(|s| !s.is_empty()).map(str::to_string).collect();
            Some(Lsoa {
                division: f.get(2)?.to_string(),
                town: f.get(3)?.to_string(),
                latitude: f.get(4)?.parse().ok()?,
                longitude: f.get(5)?.parse().ok()?,
                crimes: f.get(6)?.parse().ok()?,
                streets: if streets.is_empty() { vec!["High Street".into()] } else { streets },
            })
        })
        .collect()
}

/// Offence codes in roughly the proportions England and Wales record them (per thousand crimes);
/// every other code in the list shares a small remainder so that each appears.
const OFFENCE_WEIGHTS: &[(&str, f64)] = &[
    ("105A", 140.0),
    ("8N", 80.0),
    ("8L", 60.0),
    ("8R", 60.0),
    ("8U", 25.0),
    ("8Q", 15.0),
    ("3B", 10.0),
    ("104", 5.0),
    ("5D", 5.0),
    ("8P", 3.0),
    ("105B", 4.0),
    ("20A", 12.0),
    ("19C", 8.0),
    ("22B", 3.0),
    ("88E", 3.0),
    ("34B", 8.0),
    ("34A", 2.0),
    ("28E", 25.0),
    ("30C", 12.0),
    ("28F", 5.0),
    ("45", 20.0),
    ("48", 12.0),
    ("126", 5.0),
    ("46", 60.0),
    ("49", 50.0),
    ("44", 12.0),
    ("39", 8.0),
    ("40", 6.0),
    ("49A", 6.0),
    ("58A", 25.0),
    ("58C", 25.0),
    ("58D", 20.0),
    ("58B", 10.0),
    ("56B", 5.0),
    ("92E", 15.0),
    ("92D", 5.0),
    ("92A", 5.0),
    ("9A", 60.0),
    ("9B", 8.0),
    ("10D", 8.0),
    ("10C", 3.0),
    ("54", 3.0),
    ("99", 3.0),
];

// ---- Generated people and crimes ---------------------------------------------------------------------

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
    /// The current address, and for some an earlier one: (text, from, to).
    pub address: String,
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
    /// (person index, role).
    pub people: Vec<(usize, CrimeRole)>,
}

const PEOPLE: u64 = 1;
const CRIMES: u64 = 2;
const OFFICERS: u64 = 3;

/// Makes person `i` or crime `j` of a spec, each on its own.
pub struct Generator {
    pub spec: Spec,
    surnames: Weighted<String>,
    lsoas: Vec<Lsoa>,
    /// LSOA indexes weighted by their crimes.
    crime_places: Weighted<usize>,
    offences: Weighted<Offence>,
    /// Each year's first crime index, for numbers that restart each year.
    year_starts: Vec<(i32, usize)>,
    crimes_from: DateTime<Utc>,
    people_from: DateTime<Utc>,
    /// The officers' usernames and divisions, by index.
    pub officers: Vec<(String, String)>,
}

impl Generator {
    pub fn new(spec: Spec) -> Generator {
        let common: Vec<(String, f64)> = SURNAMES
            .split_whitespace()
            .collect::<Vec<_>>()
            .chunks(2)
            .filter_map(|p| Some((p.first()?.to_string(), p.get(1)?.parse::<f64>().ok()?)))
            .collect();
        let common_share: f64 = common.iter().map(|(_, w)| w).sum();
        let tail = tail_surnames();
        let tail_sum: f64 = tail.iter().map(|(_, w)| w).sum();
        // The named surnames cover their share per 100,000; the tail the rest.
        let scale = (100_000.0 - common_share).max(0.0) / tail_sum;
        let surnames = Weighted::new(common.into_iter().chain(tail.into_iter().map(|(s, w)| (s, w * scale))));
        let lsoas = lsoas();
        let crime_places = Weighted::new(lsoas.iter().enumerate().map(|(i, l)| (i, f64::from(l.crimes))));
        let list = OffenceList::builtin();
        let spread = 20.0 / list.offences.len().max(1) as f64;
        let offences = Weighted::new(list.offences.iter().map(|o| {
            let weight = OFFENCE_WEIGHTS.iter().find(|(c, _)| *c == o.code).map(|(_, w)| *w).unwrap_or(0.0);
            (o.clone(), weight + spread)
        }));
        let crimes_from = spec.until - Duration::days(365 * spec.years);
        let people_from = crimes_from - Duration::days(730);
        let divisions = ["North", "East", "West"];
        let officers = (0..spec.officers)
            .map(|k| (format!("pc.{}", 20_000 + k), divisions[k % divisions.len()].to_string()))
            .collect();
        let mut g = Generator {
            spec,
            surnames,
            lsoas,
            crime_places,
            offences,
            year_starts: Vec::new(),
            crimes_from,
            people_from,
            officers,
        };
        g.year_starts = g.year_starts();
        g
    }

    fn recorded_at(&self, j: usize) -> DateTime<Utc> {
        let mut rng = Rng::for_item(self.spec.seed, CRIMES, j as u64);
        let span = (self.spec.until - self.crimes_from).num_milliseconds() as f64;
        let at = (j as f64 + rng.unit()) / self.spec.crimes.max(1) as f64 * span;
        self.crimes_from + Duration::milliseconds(at as i64)
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

    /// Person `i`.
    pub fn person(&self, i: usize) -> GenPerson {
        let mut rng = Rng::for_item(self.spec.seed, PEOPLE, i as u64);
        let span = (self.crimes_from - self.people_from).num_milliseconds() as f64;
        let created_at = self.people_from
            + Duration::milliseconds(((i as f64 + rng.unit()) / self.spec.people.max(1) as f64 * span) as i64);
        let id = rng.uuid_at(created_at);
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
            let list = if female { FEMALE } else { MALE };
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
        let recorded_at = self.recorded_at(j);
        let mut rng = Rng::for_item(self.spec.seed, CRIMES, j as u64);
        let _ = rng.unit(); // the draw recorded_at used
        let id = rng.uuid_at(recorded_at);
        let year = Self::london_year(recorded_at);
        let first = self.year_starts.iter().rev().find(|(y, _)| *y == year).map(|(_, s)| *s).unwrap_or(0);
        let number =
            bluelamp_core::crime::format_crime_number(&self.spec.crime_number_format, year, (j - first + 1) as i64);
        let offence = self.offences.pick(&mut rng).clone();
        let violent = offence.group == OffenceGroup::ViolenceAgainstThePerson;
        let online = offence.code == "8R" || offence.code == "8L" && rng.chance(0.4) || rng.chance(0.02);
        let delay = if rng.chance(0.95) { rng.below(20 * 60) } else { 20 * 60 + rng.below(52 * 60) };
        let reported_at = recorded_at - Duration::minutes(delay as i64);
        let occurred_from = reported_at - Duration::minutes(rng.below(72 * 60) as i64);
        let occurred_to = rng.chance(0.2).then(|| occurred_from + Duration::minutes(rng.below(48 * 60) as i64));
        let occurred_to = occurred_to.map(|t| t.min(reported_at));
        let lsoa = &self.lsoas[*self.crime_places.pick(&mut rng)];
        let (place, location_text, division) = if online && rng.chance(0.8) {
            (None, "Online".to_string(), lsoa.division.clone())
        } else {
            let (lat, lon) = bluelamp_core::crime_search::destination(
                lsoa.latitude,
                lsoa.longitude,
                rng.unit() * 360.0,
                450.0 * rng.unit().sqrt(),
            );
            (Some((lat, lon)), format!("On or near {}, {}", rng.pick(&lsoa.streets), lsoa.town), lsoa.division.clone())
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
                (CrimeStatus::UnderInvestigation, 25.0),
                (CrimeStatus::Allocated, 10.0),
                (CrimeStatus::AwaitingTriage, 5.0),
            ],
            _ => vec![
                (CrimeStatus::Recorded, 20.0),
                (CrimeStatus::AwaitingTriage, 25.0),
                (CrimeStatus::Allocated, 25.0),
                (CrimeStatus::UnderInvestigation, 20.0),
                (CrimeStatus::Finalised, 10.0),
            ],
        })
        .pick(&mut rng);
        let finalised_at = (status == CrimeStatus::Finalised).then(|| {
            let room = (self.spec.until - recorded_at).num_minutes().max(1) as u64;
            recorded_at + Duration::minutes(rng.below(room.min(120 * 24 * 60)) as i64)
        });
        let officer = {
            let in_division: Vec<usize> =
                (0..self.officers.len()).filter(|k| self.officers[*k].1 == division).collect();
            if in_division.is_empty() || rng.chance(0.1) {
                rng.below(self.officers.len() as u64) as usize
            } else {
                *rng.pick(&in_division)
            }
        };
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
        GenCrime {
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
            people,
        }
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
}

// ---- Rows and where they go ---------------------------------------------------------------------------

/// One value of a row.
#[derive(Debug, Clone)]
pub enum Cell {
    Null,
    Text(String),
    Id(Uuid),
    Int(i64),
    Real(f64),
    Bool(bool),
    Time(DateTime<Utc>),
    Date(NaiveDate),
}

impl From<Option<Uuid>> for Cell {
    fn from(v: Option<Uuid>) -> Cell {
        v.map(Cell::Id).unwrap_or(Cell::Null)
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_time(t: Option<DateTime<Utc>>) -> Cell {
    t.map(Cell::Time).unwrap_or(Cell::Null)
}

/// Rows for one table.
pub struct Rows {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows { table, columns, rows: Vec::new() }
    }
}

/// The people rows of persons `range`.
pub fn people_rows(g: &Generator, range: std::ops::Range<usize>) -> Vec<Rows> {
    let mut person = Rows::new("person", &["id", "version", "date_of_birth", "sex", "created_at", "created_by_name"]);
    let mut names = Rows::new(
        "person_name",
        &["person_id", "position", "kind", "forenames", "surname", "surname_key", "soundex", "forename_key"],
    );
    let mut addresses = Rows::new(
        "person_address",
        &["id", "person_id", "text", "address_key", "valid_from", "valid_to", "recorded_at"],
    );
    let mut phones = Rows::new("person_phone", &["id", "person_id", "number", "phone_key", "recorded_at"]);
    for i in range {
        let p = g.person(i);
        let mut rng = Rng::for_item(g.spec.seed, PEOPLE ^ 0xFF, i as u64);
        person.rows.push(vec![
            Cell::Id(p.id),
            Cell::Int(1),
            Cell::Date(p.date_of_birth),
            text(p.sex),
            Cell::Time(p.created_at),
            text(GENERATED_BY),
        ]);
        let mut all_names = vec![("primary", p.forenames.clone(), p.surname.clone())];
        all_names.extend(p.other_name.clone());
        for (position, (kind, forenames, surname)) in all_names.into_iter().enumerate() {
            let first = forename_key(&forenames);
            names.rows.push(vec![
                Cell::Id(p.id),
                Cell::Int(position as i64),
                text(kind),
                text(forenames),
                Cell::Text(surname.clone()),
                text(name_key(&surname)),
                text(soundex(&surname)),
                text(first),
            ]);
        }
        let current_from = p.previous_address.as_ref().map(|(_, moved)| *moved);
        if let Some((before, moved)) = &p.previous_address {
            addresses.rows.push(vec![
                Cell::Id(rng.uuid_at(p.created_at)),
                Cell::Id(p.id),
                text(before.clone()),
                text(address_key(before)),
                Cell::Null,
                Cell::Date(moved.pred_opt().unwrap_or(*moved)),
                Cell::Time(p.created_at),
            ]);
        }
        addresses.rows.push(vec![
            Cell::Id(rng.uuid_at(p.created_at)),
            Cell::Id(p.id),
            text(p.address.clone()),
            text(address_key(&p.address)),
            current_from.map(Cell::Date).unwrap_or(Cell::Null),
            Cell::Null,
            Cell::Time(p.created_at),
        ]);
        if let Some(number) = &p.phone {
            phones.rows.push(vec![
                Cell::Id(rng.uuid_at(p.created_at)),
                Cell::Id(p.id),
                text(number.clone()),
                text(phone_key(number)),
                Cell::Time(p.created_at),
            ]);
        }
    }
    vec![person, names, addresses, phones]
}

/// The crime rows of crimes `range`; `people` are every person's id, `officers` every officer's
/// (id, username).
pub fn crime_rows(
    g: &Generator,
    range: std::ops::Range<usize>,
    people: &[Uuid],
    officers: &[(Uuid, String)],
) -> Vec<Rows> {
    let mut crimes = Rows::new(
        "crime",
        &[
            "id",
            "number",
            "version",
            "status",
            "offence_code",
            "offence_label",
            "offence_group",
            "offence_list_version",
            "occurred_from",
            "occurred_to",
            "reported_at",
            "recorded_at",
            "recorded_by_name",
            "recorded_by",
            "location_text",
            "latitude",
            "longitude",
            "division",
            "modus_operandi",
            "flags",
            "hate_strands",
            "injury_recorded",
            "incident_id",
            "finalised_at",
        ],
    );
    let mut links = Rows::new("crime_person", &["crime_id", "person_id", "role", "linked_at", "linked_by_name"]);
    let mut history = Rows::new(
        "crime_classification",
        &[
            "id",
            "crime_id",
            "offence_code",
            "offence_label",
            "offence_list_version",
            "reason",
            "decided_by_name",
            "decided_at",
        ],
    );
    let version = bluelamp_core::offence::BUILTIN_VERSION;
    for j in range {
        let c = g.crime(j);
        let (officer_id, officer_name) = &officers[c.officer % officers.len().max(1)];
        let join = |codes: Vec<&str>| codes.join(",");
        crimes.rows.push(vec![
            Cell::Id(c.id),
            text(c.number.clone()),
            Cell::Int(if c.status == CrimeStatus::Recorded { 1 } else { 2 }),
            text(c.status.as_str()),
            text(c.offence.code.clone()),
            text(c.offence.label.clone()),
            text(c.offence.group.as_str()),
            text(version),
            Cell::Time(c.occurred_from),
            opt_time(c.occurred_to),
            Cell::Time(c.reported_at),
            Cell::Time(c.recorded_at),
            text(officer_name.clone()),
            Cell::Id(*officer_id),
            text(c.location_text.clone()),
            c.place.map(|p| Cell::Real(p.0)).unwrap_or(Cell::Null),
            c.place.map(|p| Cell::Real(p.1)).unwrap_or(Cell::Null),
            text(c.division.clone()),
            text(GENERATED_MO),
            text(join(c.flags.iter().map(|f| f.as_str()).collect())),
            text(join(c.hate_strands.iter().map(|h| h.as_str()).collect())),
            Cell::Bool(c.injury_recorded),
            Cell::Null,
            opt_time(c.finalised_at),
        ]);
        for (person, role) in &c.people {
            links.rows.push(vec![
                Cell::Id(c.id),
                Cell::Id(people[*person]),
                text(role.as_str()),
                Cell::Time(c.recorded_at),
                text(GENERATED_BY),
            ]);
        }
        let mut rng = Rng::for_item(g.spec.seed, CRIMES ^ 0xFF, j as u64);
        history.rows.push(vec![
            Cell::Id(rng.uuid_at(c.recorded_at)),
            Cell::Id(c.id),
            text(c.offence.code.clone()),
            text(c.offence.label.clone()),
            text(version),
            text(""),
            text(officer_name.clone()),
            Cell::Time(c.recorded_at),
        ]);
    }
    vec![crimes, links, history]
}

/// The database to load.
pub enum Target {
    Postgres(sqlx::PgPool),
    Sqlite(sqlx::SqlitePool),
}

fn copy_field(out: &mut String, cell: &Cell) {
    use std::fmt::Write;
    match cell {
        Cell::Null => out.push_str("\\N"),
        Cell::Text(t) => {
            for c in t.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
        Cell::Id(id) => {
            let _ = write!(out, "{id}");
        }
        Cell::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Cell::Real(r) => {
            let _ = write!(out, "{r}");
        }
        Cell::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Cell::Time(t) => {
            let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
        }
        Cell::Date(d) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
    }
}

/// SQLite's instant text (see the SQLite store: fixed width, sorts as time does).
fn sqlite_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl Target {
    /// Writes the rows: COPY on PostgreSQL; on SQLite multi-row INSERTs, all of one call in one
    /// transaction.
    pub async fn write(&self, batches: &[Rows]) -> anyhow::Result<()> {
        match self {
            Target::Postgres(pool) => {
                use sqlx::postgres::PgPoolCopyExt;
                for rows in batches.iter().filter(|r| !r.rows.is_empty()) {
                    let statement =
                        format!("COPY {} ({}) FROM STDIN (FORMAT text)", rows.table, rows.columns.join(", "));
                    let mut copy = pool.copy_in_raw(&statement).await?;
                    let mut buffer = String::with_capacity(1 << 20);
                    for row in &rows.rows {
                        for (k, cell) in row.iter().enumerate() {
                            if k > 0 {
                                buffer.push('\t');
                            }
                            copy_field(&mut buffer, cell);
                        }
                        buffer.push('\n');
                        if buffer.len() >= 1 << 20 {
                            copy.send(buffer.as_bytes()).await?;
                            buffer.clear();
                        }
                    }
                    if !buffer.is_empty() {
                        copy.send(buffer.as_bytes()).await?;
                    }
                    copy.finish().await?;
                }
            }
            Target::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                // A bulk load: no fsync per transaction (the file is flushed at the end), a big cache.
                sqlx::raw_sql("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN IMMEDIATE")
                    .execute(&mut *conn)
                    .await?;
                for rows in batches.iter().filter(|r| !r.rows.is_empty()) {
                    // SQLite allows 32,766 bound values per statement.
                    let per_statement = (32_000 / rows.columns.len()).max(1);
                    for chunk in rows.rows.chunks(per_statement) {
                        let one = format!("({})", vec!["?"; rows.columns.len()].join(", "));
                        let sql = format!(
                            "INSERT INTO {} ({}) VALUES {}",
                            rows.table,
                            rows.columns.join(", "),
                            vec![one.as_str(); chunk.len()].join(", ")
                        );
                        // The table and column names are the constants above; values are bound.
                        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for row in chunk {
                            for cell in row {
                                q = match cell {
                                    Cell::Null => q.bind(Option::<String>::None),
                                    Cell::Text(t) => q.bind(t.as_str()),
                                    Cell::Id(id) => q.bind(*id),
                                    Cell::Int(n) => q.bind(*n),
                                    Cell::Real(r) => q.bind(*r),
                                    Cell::Bool(b) => q.bind(i64::from(*b)),
                                    Cell::Time(t) => q.bind(sqlite_time(*t)),
                                    Cell::Date(d) => q.bind(d.format("%Y-%m-%d").to_string()),
                                };
                            }
                        }
                        q.execute(&mut *conn).await?;
                    }
                }
                sqlx::raw_sql("COMMIT; PRAGMA synchronous = FULL").execute(&mut *conn).await?;
            }
        }
        Ok(())
    }

    async fn exec(&self, sql: &str) -> anyhow::Result<()> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Target::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ())?,
            Target::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ())?,
        }
        Ok(())
    }
}

/// What a load made, for asking about it afterwards.
pub struct Loaded {
    /// Every person's id, by index.
    pub people: Vec<Uuid>,
    /// Every officer's (user id, username), by index.
    pub officers: Vec<(Uuid, String)>,
    pub seconds: f64,
}

/// Rows per batch.
const BATCH: usize = 25_000;

/// Fills a fresh, migrated database: officers through the use case, then people and crimes in
/// bulk, then statistics for the planner, and one audit event saying what was generated.
pub async fn load(core: &bluelamp_core::Core, target: &Target, g: &Generator) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let ctx = RequestContext::default();
    let mut officers = Vec::with_capacity(g.officers.len());
    for (k, (username, division)) in g.officers.iter().enumerate() {
        let mut rng = Rng::for_item(g.spec.seed, OFFICERS, k as u64);
        let surname = g.surnames.pick(&mut rng).clone();
        let new = NewUser {
            username: username.clone(),
            display_name: format!("PC {surname}"),
            collar_number: (20_000 + k).to_string(),
            rank: "constable".into(),
            team: format!("{division} CID"),
            station: division.clone(),
            division: division.clone(),
            pip_level: "pip1".into(),
            specialisms: Vec::new(),
            roles: vec!["investigator".into()],
        };
        let user = core
            .create_user(By::System(GENERATED_BY), &new, None, &ctx)
            .await
            .map_err(|e| anyhow::anyhow!("officer {username}: {e:?}"))?;
        officers.push((user.id, user.username));
    }
    eprintln!("  {} officers in {:.0} s", officers.len(), started.elapsed().as_secs_f64());
    let mut people = Vec::with_capacity(g.spec.people);
    let phase = Instant::now();
    for start in (0..g.spec.people).step_by(BATCH) {
        let rows = people_rows(g, start..(start + BATCH).min(g.spec.people));
        people.extend(rows[0].rows.iter().filter_map(|r| match r.first() {
            Some(Cell::Id(id)) => Some(*id),
            _ => None,
        }));
        target.write(&rows).await?;
        let done = people.len();
        if done.is_multiple_of(BATCH * 20) || done == g.spec.people {
            eprintln!(
                "  people {done}/{} ({:.0} s, {:.0}/s)",
                g.spec.people,
                phase.elapsed().as_secs_f64(),
                done as f64 / phase.elapsed().as_secs_f64().max(0.001)
            );
        }
    }
    let phase = Instant::now();
    for start in (0..g.spec.crimes).step_by(BATCH) {
        let end = (start + BATCH).min(g.spec.crimes);
        target.write(&crime_rows(g, start..end, &people, &officers)).await?;
        if end.is_multiple_of(BATCH * 20) || end == g.spec.crimes {
            eprintln!(
                "  crimes {end}/{} ({:.0} s, {:.0}/s)",
                g.spec.crimes,
                phase.elapsed().as_secs_f64(),
                end as f64 / phase.elapsed().as_secs_f64().max(0.001)
            );
        }
    }
    // The year counters, so that the next crime recorded takes the next number.
    for (year, last) in g.year_counters() {
        let sql = format!(
            "INSERT INTO reference_counter (scope, last) VALUES ('crime:{year}', {last}) \
             ON CONFLICT (scope) DO UPDATE SET last = excluded.last"
        );
        target.exec(&sql).await?;
    }
    let phase = Instant::now();
    target.exec(if matches!(target, Target::Postgres(_)) { "VACUUM ANALYZE" } else { "ANALYZE" }).await?;
    eprintln!("  statistics in {:.0} s", phase.elapsed().as_secs_f64());
    let event =
        NewAuditEvent::new(core.now(), &Actor::system(GENERATED_BY), "data.generate", AuditCategory::Collect, &ctx)
            .after(&serde_json::json!({
                "people": g.spec.people, "crimes": g.spec.crimes, "officers": officers.len(), "seed": g.spec.seed,
                "until": g.spec.until, "years": g.spec.years,
            }));
    core.store.append_audit(&event).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(Loaded { people, officers, seconds: started.elapsed().as_secs_f64() })
}

/// What [`load`] returned, for a database it loaded earlier with the same spec: the ids again from
/// the generator, the officers by username.
pub async fn regenerate(core: &bluelamp_core::Core, g: &Generator) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let people = (0..g.spec.people).map(|i| g.person(i).id).collect();
    let mut officers = Vec::with_capacity(g.officers.len());
    for (username, _) in &g.officers {
        let user = core
            .store
            .find_user_by_username(username)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
            .ok_or_else(|| anyhow::anyhow!("no officer {username}: was the database loaded with this spec?"))?;
        officers.push((user.id, user.username));
    }
    Ok(Loaded { people, officers, seconds: started.elapsed().as_secs_f64() })
}

/// The generator's idea of "now" for a run: the start of today (UTC), so a day's runs agree.
pub fn today() -> DateTime<Utc> {
    let d = Utc::now().date_naive();
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Generator {
        let until = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).single().expect("a valid instant");
        Generator::new(Spec::force(5_000, 3_000, 7, until))
    }

    #[test]
    fn the_same_seed_makes_the_same_people_and_crimes() {
        let (a, b) = (small(), small());
        assert_eq!(a.person(123).id, b.person(123).id);
        assert_eq!((a.person(123).forenames, a.person(123).surname), (b.person(123).forenames, b.person(123).surname));
        assert_eq!(a.crime(2_999).number, b.crime(2_999).number);
        assert_ne!(a.person(1).id, a.person(2).id);
    }

    #[test]
    fn crime_numbers_restart_each_year_and_counters_cover_them() {
        let g = small();
        let counters = g.year_counters();
        assert_eq!(counters.iter().map(|(_, n)| *n as usize).sum::<usize>(), 3_000);
        assert!(counters.len() >= 5, "{counters:?}");
        let (first_year, _) = counters[1];
        let first = (0..3_000)
            .find(|j| g.crime(*j).recorded_at.year() == first_year && g.crime(*j).number.ends_with("-000001"));
        assert!(first.is_some(), "the second year starts again at 1");
        assert!((1..3_000).all(|j| g.crime(j - 1).recorded_at <= g.crime(j).recorded_at));
    }

    #[test]
    fn smith_is_about_one_in_eighty() {
        let g = small();
        let smiths = (0..5_000).filter(|i| g.person(*i).surname == "Smith").count();
        assert!((30..100).contains(&smiths), "{smiths} Smiths in 5,000");
    }
}
