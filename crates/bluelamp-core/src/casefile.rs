//! Case-file quality review (issue 7, point 5). Supervisors and auditors draw a reproducible random or
//! stratified sample of finalised investigations, review each file against the inspectorate's rubric
//! (investigation standard, supervision, victim care, outcome correct), and get the figures an
//! inspection publishes, with trends by quarter. The Kent PEEL 2018/19 effectiveness report quotes
//! "investigation files of good standard: 43 of 62" and "files with good victim care: 52 of 62"
//! (`../shared/domain/INSPECTION-FIGURES.md`); [`statistics`] produces exactly those figures from
//! bluelamp's own reviews.
//!
//! Sampling is reproducible: the same candidates (in any order) and the same [`SampleSpec`] always
//! draw the same files in the same order, so an auditor can redraw a sample years later from its seed.
//! That is why the shuffle uses SplitMix64, written out here, rather than `rand`'s generators:
//! `rand` does not promise that a seeded `StdRng` gives the same numbers across its releases.
//!
//! Everything here is pure: no I/O, no clock, no database.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use crate::access::named_enum;
use crate::error::FieldError;

named_enum!(
    /// How a sample is spread.
    Stratify {
        None => "none", "Simple random sample";
        Team => "team", "By team";
        CrimeType => "crime-type", "By crime type";
        Outcome => "outcome", "By outcome";
    }
);

/// A finalised investigation that may be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub crime_id: Uuid,
    pub team: String,
    pub crime_type: String,
    pub outcome: String,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSpec {
    pub seed: u64,
    pub size: usize,
    pub stratify: Stratify,
}

/// The largest sample one draw may ask for.
const MAX_SAMPLE: usize = 500;

/// Checks a requested sample: size 1..=500 ("Draw between 1 and 500 files"); returns FieldError list
/// (crate::error::FieldError) naming the field ("size").
pub fn check_spec(spec: &SampleSpec) -> Result<(), Vec<FieldError>> {
    if (1..=MAX_SAMPLE).contains(&spec.size) {
        Ok(())
    } else {
        Err(vec![FieldError::new("size", format!("Draw between 1 and {MAX_SAMPLE} files"))])
    }
}

/// Sebastiano Vigna's SplitMix64 (public domain, <https://prng.di.unimi.it/splitmix64.c>): a 64-bit
/// counter advanced by the golden-ratio constant and passed through a fixed mixing function. Small,
/// fast, statistically sound for shuffling, and — unlike library generators — fixed here for good, so
/// a sample's seed redraws the same sample in every future version of bluelamp.
#[derive(Debug, Clone)]
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// A uniform number in `0..bound` (`bound` > 0), without modulo bias: draws at or above the
    /// largest multiple of `bound` that fits in a `u64` are rejected and drawn again.
    fn below(&mut self, bound: u64) -> u64 {
        let limit = u64::MAX - u64::MAX % bound;
        loop {
            let x = self.next_u64();
            if x < limit {
                return x % bound;
            }
        }
    }
}

/// SplitMix64's output function (also a good 64-bit hash finaliser).
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 64-bit FNV-1a of the stratum key: stable across Rust versions, unlike `DefaultHasher`.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3))
}

/// The seed for one stratum's shuffle: the sample's seed mixed with the stratum key, so each stratum's
/// draw depends only on the seed, its key and its own members.
fn stratum_seed(seed: u64, key: &str) -> u64 {
    seed ^ mix64(fnv1a(key))
}

/// Puts the first `take` items of `items` in a uniformly random order (the forward form of the
/// Fisher–Yates shuffle, stopped after `take` steps). The first `k` drawn are the same for any
/// `take ≥ k`, so a bigger sample from the same seed extends a smaller one.
fn shuffle_prefix<T>(items: &mut [T], take: usize, rng: &mut SplitMix64) {
    let len = items.len();
    for i in 0..take.min(len) {
        let remaining = (len - i) as u64;
        let j = i + rng.below(remaining) as usize;
        items.swap(i, j);
    }
}

/// The candidates sorted by crime id (then by their other fields, so the survivor of a duplicated
/// id does not depend on the input order), each crime once.
fn canonical(candidates: &[Candidate]) -> Vec<&Candidate> {
    let mut sorted: Vec<&Candidate> = candidates.iter().collect();
    sorted.sort_by(|a, b| {
        (a.crime_id, &a.team, &a.crime_type, &a.outcome).cmp(&(b.crime_id, &b.team, &b.crime_type, &b.outcome))
    });
    sorted.dedup_by_key(|c| c.crime_id);
    sorted
}

/// The stratum a candidate falls in.
fn stratum_key(candidate: &Candidate, stratify: Stratify) -> &str {
    match stratify {
        Stratify::None => "All",
        Stratify::Team => &candidate.team,
        Stratify::CrimeType => &candidate.crime_type,
        Stratify::Outcome => &candidate.outcome,
    }
}

/// The strata in key order, each with its members' ids in crime-id order.
fn strata<'a>(sorted: &[&'a Candidate], stratify: Stratify) -> BTreeMap<&'a str, Vec<Uuid>> {
    let mut out: BTreeMap<&'a str, Vec<Uuid>> = BTreeMap::new();
    for candidate in sorted {
        out.entry(stratum_key(candidate, stratify)).or_default().push(candidate.crime_id);
    }
    out
}

/// Splits `size` across strata of the given (non-zero) populations in proportion to them, by the
/// largest-remainder (Hamilton) method: each stratum gets the whole part of its quota
/// `size × population / total`, and the files left over go one each to the largest fractional
/// parts (ties to the bigger stratum, then the earlier key). When `size` is at least the number of
/// strata, any stratum left with none then takes one from the stratum furthest above its quota.
/// When `size` reaches the total, every file is drawn.
fn allocate(populations: &[usize], size: usize) -> Vec<usize> {
    let total: usize = populations.iter().sum();
    if size >= total {
        return populations.to_vec();
    }
    let (size_w, total_w) = (size as u128, total as u128);
    let mut drawn: Vec<usize> = populations.iter().map(|&p| (size_w * p as u128 / total_w) as usize).collect();
    let left = size - drawn.iter().sum::<usize>();
    let mut by_remainder: Vec<usize> = (0..populations.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        let remainder = |i: usize| size_w * populations[i] as u128 % total_w;
        remainder(b).cmp(&remainder(a)).then(populations[b].cmp(&populations[a])).then(a.cmp(&b))
    });
    for &i in by_remainder.iter().take(left) {
        drawn[i] += 1;
    }
    if size >= populations.len() {
        // How far a stratum's allocation sits above its exact quota, scaled by the total.
        let excess =
            |drawn: &[usize], i: usize| drawn[i] as i128 * total as i128 - (size_w * populations[i] as u128) as i128;
        while let Some(empty) = drawn.iter().position(|&d| d == 0) {
            // size ≥ strata and one stratum has none, so another has at least two.
            let donor = (0..drawn.len()).filter(|&i| drawn[i] >= 2).max_by(|&a, &b| {
                excess(&drawn, a).cmp(&excess(&drawn, b)).then(drawn[a].cmp(&drawn[b])).then(b.cmp(&a))
            });
            let Some(donor) = donor else { break };
            drawn[donor] -= 1;
            drawn[empty] += 1;
        }
    }
    drawn
}

/// The sample: the same candidates (in any order) and the same spec always give the same crimes in the
/// same order. Candidates are first sorted by crime_id, so the input order does not matter. Simple: a
/// seeded shuffle (Fisher–Yates with SplitMix64) and the first `size`. Stratified: proportional
/// allocation of `size` across strata (the stratum key is team / crime_type / outcome) by the
/// largest-remainder method, every non-empty stratum getting at least one file when size ≥ number of
/// strata; within each stratum a seeded shuffle (seed mixed with the stratum key, so one stratum's draw
/// does not depend on another's size). Result ordered by stratum key, then draw order. When size ≥
/// candidates, everything is drawn. A crime listed twice is drawn at most once.
pub fn draw(candidates: &[Candidate], spec: &SampleSpec) -> Vec<Uuid> {
    let sorted = canonical(candidates);
    if spec.stratify == Stratify::None {
        let mut ids: Vec<Uuid> = sorted.iter().map(|c| c.crime_id).collect();
        let take = spec.size.min(ids.len());
        shuffle_prefix(&mut ids, take, &mut SplitMix64::new(spec.seed));
        ids.truncate(take);
        return ids;
    }
    let strata = strata(&sorted, spec.stratify);
    let populations: Vec<usize> = strata.values().map(Vec::len).collect();
    let drawn = allocate(&populations, spec.size);
    let mut out = Vec::with_capacity(drawn.iter().sum());
    for ((key, mut ids), take) in strata.into_iter().zip(drawn) {
        shuffle_prefix(&mut ids, take, &mut SplitMix64::new(stratum_seed(spec.seed, key)));
        out.extend_from_slice(&ids[..take]);
    }
    out
}

/// The per-stratum counts a stratified draw gives (key, population, drawn), for showing the plan on
/// the page, in key order. For Stratify::None, one row with key "All".
pub fn allocation(candidates: &[Candidate], spec: &SampleSpec) -> Vec<(String, usize, usize)> {
    let sorted = canonical(candidates);
    if spec.stratify == Stratify::None {
        return vec![("All".to_string(), sorted.len(), spec.size.min(sorted.len()))];
    }
    let strata = strata(&sorted, spec.stratify);
    let populations: Vec<usize> = strata.values().map(Vec::len).collect();
    let drawn = allocate(&populations, spec.size);
    strata
        .into_keys()
        .zip(populations)
        .zip(drawn)
        .map(|((key, population), d)| (key.to_string(), population, d))
        .collect()
}

named_enum!(
    /// The rubric's criteria, in order (the inspectorate's case-file review headings).
    Criterion {
        InvestigationStandard => "investigation-standard", "Investigation of a good standard";
        Supervision => "supervision", "Effective supervision";
        VictimCare => "victim-care", "Good victim care";
        OutcomeCorrect => "outcome-correct", "Outcome correct";
    }
);

named_enum!(
    /// A reviewer's verdict on one criterion, or on the whole file.
    Judgement {
        Good => "good", "Good";
        NotGood => "not-good", "Not good";
    }
);

/// A reviewer's answers for one file: a judgement per criterion, an overall judgement, and notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub judgements: Vec<(Criterion, Judgement)>,
    pub overall: Option<Judgement>,
    pub notes: String,
}

/// The shortest note (in characters, after trimming) that explains a "not good".
const MIN_NOTES: usize = 10;

/// Checks answers: every criterion answered exactly once, overall answered, and notes required
/// (≥ 10 characters after trim) whenever any judgement — a criterion's or the overall one — is
/// NotGood ("Say what was wrong with the file"). Err lists every problem as FieldError with the field
/// `criterion.<name>`, `overall` or `notes`.
pub fn check_answers(answers: &Answers) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for criterion in Criterion::ALL {
        let field = format!("criterion.{}", criterion.as_str());
        match answers.judgements.iter().filter(|(c, _)| c == criterion).count() {
            1 => {}
            0 => errors.push(FieldError::new(field, format!("Answer good or not good: {}", criterion.label()))),
            _ => errors.push(FieldError::new(field, format!("Answer only once: {}", criterion.label()))),
        }
    }
    if answers.overall.is_none() {
        errors.push(FieldError::new("overall", "Give an overall judgement on the file"));
    }
    let any_not_good =
        answers.overall == Some(Judgement::NotGood) || answers.judgements.iter().any(|(_, j)| *j == Judgement::NotGood);
    if any_not_good && answers.notes.trim().chars().count() < MIN_NOTES {
        errors.push(FieldError::new("notes", "Say what was wrong with the file"));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// One completed review, as the statistics read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedFile {
    pub reviewed_at: DateTime<Utc>,
    pub team: String,
    pub crime_type: String,
    pub outcome: String,
    pub overall: Judgement,
    pub judgements: Vec<(Criterion, Judgement)>,
}

impl ReviewedFile {
    /// The judgement on one criterion (the first, should a file hold two).
    fn judgement(&self, criterion: Criterion) -> Option<Judgement> {
        self.judgements.iter().find(|(c, _)| *c == criterion).map(|(_, j)| *j)
    }
}

/// "43 of 62 files good": how many good of how many reviewed, and the percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub good: u32,
    pub reviewed: u32,
}

impl Tally {
    /// The share good, as a percentage; `None` when nothing was reviewed.
    pub fn percent(&self) -> Option<f64> {
        (self.reviewed > 0).then(|| 100.0 * f64::from(self.good) / f64::from(self.reviewed))
    }

    /// "43 of 62 files good (69%)" — exact wording "{good} of {reviewed} files good ({p}%)" with p
    /// rounded to a whole number; "No files reviewed" when reviewed = 0.
    pub fn sentence(&self) -> String {
        match self.percent() {
            Some(p) => format!("{} of {} files good ({:.0}%)", self.good, self.reviewed, p.round()),
            None => "No files reviewed".to_string(),
        }
    }

    fn count(&mut self, judgement: Judgement) {
        self.reviewed = self.reviewed.saturating_add(1);
        if judgement == Judgement::Good {
            self.good = self.good.saturating_add(1);
        }
    }
}

/// The published statistics for a set of reviews.
#[derive(Debug, Clone, PartialEq)]
pub struct Statistics {
    pub overall: Tally,
    pub by_criterion: Vec<(Criterion, Tally)>,
    pub by_team: Vec<(String, Tally)>,
    pub by_crime_type: Vec<(String, Tally)>,
    pub by_outcome: Vec<(String, Tally)>,
}

/// The overall judgements of `files` tallied per criterion, in Criterion::ALL order. A file counts
/// towards a criterion's tally only when it was judged on it.
fn tally_criteria<'a>(files: impl Iterator<Item = &'a ReviewedFile> + Clone) -> Vec<(Criterion, Tally)> {
    Criterion::ALL
        .iter()
        .map(|&criterion| {
            let mut tally = Tally::default();
            for judgement in files.clone().filter_map(|f| f.judgement(criterion)) {
                tally.count(judgement);
            }
            (criterion, tally)
        })
        .collect()
}

/// The overall judgements of `files` tallied by `key`, sorted by key.
fn tally_by(files: &[ReviewedFile], key: impl Fn(&ReviewedFile) -> &str) -> Vec<(String, Tally)> {
    let mut out: BTreeMap<&str, Tally> = BTreeMap::new();
    for file in files {
        out.entry(key(file)).or_default().count(file.overall);
    }
    out.into_iter().map(|(k, t)| (k.to_string(), t)).collect()
}

/// Tallies of the overall judgement; by_criterion in Criterion::ALL order; the breakdowns by key,
/// sorted by key.
pub fn statistics(files: &[ReviewedFile]) -> Statistics {
    let mut overall = Tally::default();
    for file in files {
        overall.count(file.overall);
    }
    Statistics {
        overall,
        by_criterion: tally_criteria(files.iter()),
        by_team: tally_by(files, |f| &f.team),
        by_crime_type: tally_by(files, |f| &f.crime_type),
        by_outcome: tally_by(files, |f| &f.outcome),
    }
}

/// Quarters counted from year 0: `year × 4 + (quarter − 1)`.
fn quarter_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 4 + i64::from(date.month0() / 3)
}

/// One quarter of the trend: its label ("2026 Q1"), its first day, the overall tally, and the tally
/// per criterion in Criterion::ALL order.
pub type TrendRow = (String, NaiveDate, Tally, Vec<(Criterion, Tally)>);

/// Quarterly trend: one row per calendar quarter (UK dates) from the first to the last quarter
/// holding a review, with empty quarters included as zero tallies; each row ("2026 Q1", its first
/// day, overall tally, tallies per criterion in Criterion::ALL order). No reviews, no rows.
pub fn trend(files: &[ReviewedFile]) -> Vec<TrendRow> {
    let mut by_quarter: BTreeMap<i64, Vec<&ReviewedFile>> = BTreeMap::new();
    for file in files {
        let day = file.reviewed_at.with_timezone(&chrono_tz::Europe::London).date_naive();
        by_quarter.entry(quarter_index(day)).or_default().push(file);
    }
    let (Some(&first), Some(&last)) = (by_quarter.keys().next(), by_quarter.keys().next_back()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for index in first..=last {
        let (year, quarter) = (index.div_euclid(4), index.rem_euclid(4) + 1);
        // Every quarter in the range lies between two review dates, so its first day exists.
        let Some(first_day) =
            i32::try_from(year).ok().and_then(|y| NaiveDate::from_ymd_opt(y, quarter as u32 * 3 - 2, 1))
        else {
            continue;
        };
        let quarter_files = by_quarter.get(&index).map(Vec::as_slice).unwrap_or_default();
        let mut overall = Tally::default();
        for file in quarter_files {
            overall.count(file.overall);
        }
        let criteria = tally_criteria(quarter_files.iter().copied());
        out.push((format!("{year} Q{quarter}"), first_day, overall, criteria));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn candidate(n: u128, team: &str, crime_type: &str, outcome: &str) -> Candidate {
        Candidate { crime_id: id(n), team: team.into(), crime_type: crime_type.into(), outcome: outcome.into() }
    }

    /// Strata of the given sizes, keyed "A", "B", "C" … in every field; ids numbered from `start`,
    /// with a large odd stride so id order and stratum order differ.
    fn population(sizes: &[usize], start: u128) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut n = start;
        for (s, &size) in sizes.iter().enumerate() {
            let key = ((b'A' + s as u8) as char).to_string();
            for _ in 0..size {
                n += 1;
                out.push(candidate(n.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835), &key, &key, &key));
            }
        }
        out
    }

    fn spec(seed: u64, size: usize, stratify: Stratify) -> SampleSpec {
        SampleSpec { seed, size, stratify }
    }

    /// A permutation of `items` that is neither the identity nor a reversal.
    fn scrambled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
        let mut out = items.to_vec();
        let len = out.len();
        shuffle_prefix(&mut out, len, &mut SplitMix64::new(seed));
        out
    }

    fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
        ids.sort();
        ids
    }

    #[test]
    fn splitmix64_matches_the_reference_generator() {
        // The first outputs of Vigna's splitmix64.c from state 0: the sample seed's meaning is fixed.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
        let mut rng = SplitMix64::new(7);
        assert!((0..1000).all(|_| rng.below(6) < 6));
    }

    #[test]
    fn the_same_seed_draws_the_same_sample_whatever_the_input_order() {
        let people = population(&[120, 50, 30], 0);
        for stratify in Stratify::ALL {
            let s = spec(2026, 25, *stratify);
            let first = draw(&people, &s);
            assert_eq!(first.len(), 25, "{stratify}");
            let mut reversed = people.clone();
            reversed.reverse();
            assert_eq!(draw(&reversed, &s), first, "{stratify}");
            assert_eq!(draw(&scrambled(&people, 99), &s), first, "{stratify}");
            assert_ne!(draw(&people, &spec(2027, 25, *stratify)), first, "{stratify}");
        }
    }

    #[test]
    fn a_simple_sample_is_not_the_input_order_and_a_bigger_one_extends_it() {
        let people = population(&[200], 0);
        let small = draw(&people, &spec(5, 10, Stratify::None));
        let big = draw(&people, &spec(5, 40, Stratify::None));
        assert_eq!(&big[..10], small.as_slice());
        let by_id: Vec<Uuid> = sorted(people.iter().map(|c| c.crime_id).collect());
        assert_ne!(small, by_id[..10].to_vec());
    }

    #[test]
    fn asking_for_at_least_the_population_draws_everyone_once() {
        let people = population(&[7, 3, 1], 0);
        let all = sorted(people.iter().map(|c| c.crime_id).collect());
        for stratify in Stratify::ALL {
            for size in [11, 12, 500] {
                let drawn = draw(&people, &spec(1, size, *stratify));
                assert_eq!(drawn.len(), 11);
                assert_eq!(sorted(drawn), all, "{stratify} {size}");
            }
        }
        assert!(draw(&[], &spec(1, 10, Stratify::Team)).is_empty());
        assert_eq!(allocation(&[], &spec(1, 10, Stratify::None)), vec![("All".to_string(), 0, 0)]);
        assert!(allocation(&[], &spec(1, 10, Stratify::Team)).is_empty());
    }

    #[test]
    fn a_crime_listed_twice_is_drawn_once() {
        let mut people = population(&[5, 5], 0);
        let copy = Candidate { team: "Z".into(), ..people[0].clone() };
        people.push(copy);
        people.push(people[1].clone());
        for stratify in Stratify::ALL {
            let drawn = draw(&people, &spec(3, 50, *stratify));
            assert_eq!(drawn.len(), 10, "{stratify}");
            let mut deduped = sorted(drawn.clone());
            deduped.dedup();
            assert_eq!(deduped.len(), 10, "{stratify}");
            assert_eq!(draw(&scrambled(&people, 4), &spec(3, 4, *stratify)), draw(&people, &spec(3, 4, *stratify)));
        }
    }

    #[test]
    fn stratified_allocation_is_proportional() {
        let people = population(&[50, 30, 20], 0);
        let s = spec(11, 10, Stratify::Team);
        assert_eq!(
            allocation(&people, &s),
            vec![("A".to_string(), 50, 5), ("B".to_string(), 30, 3), ("C".to_string(), 20, 2)]
        );
        // Ordered by stratum key, then draw order: five from A, three from B, two from C.
        let drawn = draw(&people, &s);
        let team = |u: &Uuid| people.iter().find(|c| c.crime_id == *u).map(|c| c.team.clone()).unwrap_or_default();
        let teams: Vec<String> = drawn.iter().map(team).collect();
        assert_eq!(teams, ["A", "A", "A", "A", "A", "B", "B", "B", "C", "C"]);
        // Largest remainder: quotas 3.5, 2.1, 1.4 for 7 give 3 + 2 + 1 and the one left goes to A (0.5).
        let plan: Vec<usize> = allocation(&people, &spec(11, 7, Stratify::Team)).iter().map(|r| r.2).collect();
        assert_eq!(plan, [4, 2, 1]);
        // The allocation is the same whichever field is the stratum, here all keyed alike.
        for stratify in [Stratify::CrimeType, Stratify::Outcome] {
            assert_eq!(allocation(&people, &spec(11, 10, stratify)), allocation(&people, &s));
        }
        assert_eq!(allocation(&people, &spec(11, 10, Stratify::None)), vec![("All".to_string(), 100, 10)]);
    }

    #[test]
    fn a_tiny_stratum_still_gets_one_file() {
        let people = population(&[97, 2, 1], 0);
        // Quotas 4.85, 0.10, 0.05: largest remainder alone would give 5, 0, 0.
        let plan: Vec<usize> = allocation(&people, &spec(1, 5, Stratify::Team)).iter().map(|r| r.2).collect();
        assert_eq!(plan, [3, 1, 1]);
        let plan: Vec<usize> = allocation(&people, &spec(1, 3, Stratify::Team)).iter().map(|r| r.2).collect();
        assert_eq!(plan, [1, 1, 1]);
        // Fewer files than strata: no minimum, the biggest quotas win.
        let plan: Vec<usize> = allocation(&people, &spec(1, 2, Stratify::Team)).iter().map(|r| r.2).collect();
        assert_eq!(plan, [2, 0, 0]);
    }

    #[test]
    fn the_files_drawn_add_up_to_the_size_or_the_population() {
        for sizes in [&[50, 30, 20][..], &[97, 2, 1], &[1, 1, 1, 1, 40], &[3], &[10, 10, 10]] {
            let people = population(sizes, 0);
            let total: usize = sizes.iter().sum();
            for size in 0..=total + 3 {
                let s = spec(8, size, Stratify::Team);
                let plan = allocation(&people, &s);
                assert_eq!(plan.iter().map(|r| r.2).sum::<usize>(), size.min(total), "{sizes:?} {size}");
                assert!(plan.iter().all(|(_, population, drawn)| drawn <= population), "{sizes:?} {size}");
                if size >= sizes.len() {
                    assert!(plan.iter().all(|r| r.2 >= 1), "{sizes:?} {size}");
                }
                assert_eq!(draw(&people, &s).len(), size.min(total), "{sizes:?} {size}");
            }
        }
    }

    #[test]
    fn one_stratums_draw_does_not_depend_on_another_strata_size() {
        // A has 50 in both; B grows from 50 to 150 while A's allocation stays at 5.
        let before = population(&[50, 50], 0);
        let mut after = before.clone();
        after.extend(population(&[0, 100], 10_000));
        let a_ids = |people: &[Candidate], size: usize| -> Vec<Uuid> {
            let drawn = draw(people, &spec(77, size, Stratify::Team));
            drawn.into_iter().filter(|u| people.iter().any(|c| c.crime_id == *u && c.team == "A")).collect()
        };
        assert_eq!(allocation(&before, &spec(77, 10, Stratify::Team))[0].2, 5);
        assert_eq!(allocation(&after, &spec(77, 20, Stratify::Team))[0].2, 5);
        let a_before = a_ids(&before, 10);
        assert_eq!(a_before.len(), 5);
        assert_eq!(a_ids(&after, 20), a_before);
        // And B's draw changed, as it must with three times the files.
        assert_ne!(
            draw(&after, &spec(77, 20, Stratify::Team))[5..10],
            draw(&before, &spec(77, 10, Stratify::Team))[5..]
        );
    }

    #[test]
    fn check_spec_names_the_size() {
        assert_eq!(check_spec(&spec(0, 1, Stratify::None)), Ok(()));
        assert_eq!(check_spec(&spec(0, 500, Stratify::Team)), Ok(()));
        for size in [0, 501, usize::MAX] {
            let errors = check_spec(&spec(0, size, Stratify::None)).expect_err("out of range");
            assert_eq!(errors, vec![FieldError::new("size", "Draw between 1 and 500 files")]);
        }
    }

    fn all_good() -> Answers {
        Answers {
            judgements: Criterion::ALL.iter().map(|c| (*c, Judgement::Good)).collect(),
            overall: Some(Judgement::Good),
            notes: String::new(),
        }
    }

    fn fields(result: Result<(), Vec<FieldError>>) -> Vec<String> {
        result.expect_err("invalid").into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn check_answers_names_every_problem() {
        assert_eq!(check_answers(&all_good()), Ok(()));

        let blank = Answers { judgements: Vec::new(), overall: None, notes: String::new() };
        assert_eq!(
            fields(check_answers(&blank)),
            [
                "criterion.investigation-standard",
                "criterion.supervision",
                "criterion.victim-care",
                "criterion.outcome-correct",
                "overall"
            ]
        );

        let mut twice = all_good();
        twice.judgements.push((Criterion::Supervision, Judgement::Good));
        let errors = check_answers(&twice).expect_err("answered twice");
        assert_eq!(errors, vec![FieldError::new("criterion.supervision", "Answer only once: Effective supervision")]);

        let mut poor_care = all_good();
        poor_care.judgements[2] = (Criterion::VictimCare, Judgement::NotGood);
        poor_care.notes = "   too short   ".into();
        let errors = check_answers(&poor_care).expect_err("notes needed");
        assert_eq!(errors, vec![FieldError::new("notes", "Say what was wrong with the file")]);
        poor_care.notes = "  Victim not updated for 6 weeks  ".into();
        assert_eq!(check_answers(&poor_care), Ok(()));

        let mut poor_overall = all_good();
        poor_overall.overall = Some(Judgement::NotGood);
        assert_eq!(fields(check_answers(&poor_overall)), ["notes"]);

        let mut missing = all_good();
        missing.judgements.retain(|(c, _)| *c != Criterion::OutcomeCorrect);
        missing.judgements[0].1 = Judgement::NotGood;
        missing.overall = None;
        assert_eq!(fields(check_answers(&missing)), ["criterion.outcome-correct", "overall", "notes"]);
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).single().expect("a valid test date")
    }

    fn reviewed(when: DateTime<Utc>, team: &str, overall: Judgement, victim_care: Judgement) -> ReviewedFile {
        ReviewedFile {
            reviewed_at: when,
            team: team.into(),
            crime_type: if team == "Alpha" { "burglary" } else { "assault" }.into(),
            outcome: "outcome-1".into(),
            overall,
            judgements: vec![
                (Criterion::InvestigationStandard, overall),
                (Criterion::Supervision, Judgement::Good),
                (Criterion::VictimCare, victim_care),
                (Criterion::OutcomeCorrect, Judgement::Good),
            ],
        }
    }

    fn good_if(yes: bool) -> Judgement {
        if yes { Judgement::Good } else { Judgement::NotGood }
    }

    #[test]
    fn statistics_reproduce_the_inspections_figures() {
        // 62 files: the first 43 good overall; victim care good in all but files 5..15 (52 good).
        let teams = ["Alpha", "Bravo", "Charlie"];
        let files: Vec<ReviewedFile> = (0..62)
            .map(|i| reviewed(at(2026, 2, 1), teams[i % 3], good_if(i < 43), good_if(!(5..15).contains(&i))))
            .collect();
        let stats = statistics(&files);
        assert_eq!(stats.overall, Tally { good: 43, reviewed: 62 });
        assert_eq!(stats.overall.sentence(), "43 of 62 files good (69%)");
        let care = stats.by_criterion.iter().find(|(c, _)| *c == Criterion::VictimCare).map(|(_, t)| *t);
        assert_eq!(care, Some(Tally { good: 52, reviewed: 62 }));
        assert_eq!(care.map(|t| t.sentence()), Some("52 of 62 files good (84%)".to_string()));
        let criteria: Vec<Criterion> = stats.by_criterion.iter().map(|(c, _)| *c).collect();
        assert_eq!(criteria, Criterion::ALL);
        assert_eq!(stats.by_criterion[0].1, Tally { good: 43, reviewed: 62 });
        assert_eq!(stats.by_criterion[1].1, Tally { good: 62, reviewed: 62 });

        // Files 0, 3, … 60 are Alpha (21, of which 0..=42 → 15 good); Bravo 21 (14 good); Charlie 20 (14).
        assert_eq!(
            stats.by_team,
            vec![
                ("Alpha".to_string(), Tally { good: 15, reviewed: 21 }),
                ("Bravo".to_string(), Tally { good: 14, reviewed: 21 }),
                ("Charlie".to_string(), Tally { good: 14, reviewed: 20 }),
            ]
        );
        for breakdown in [&stats.by_team, &stats.by_crime_type, &stats.by_outcome] {
            assert_eq!(breakdown.iter().map(|(_, t)| t.good).sum::<u32>(), 43);
            assert_eq!(breakdown.iter().map(|(_, t)| t.reviewed).sum::<u32>(), 62);
            assert!(breakdown.windows(2).all(|w| w[0].0 < w[1].0));
        }
        assert_eq!(stats.by_crime_type[0], ("assault".to_string(), Tally { good: 28, reviewed: 41 }));
        assert_eq!(stats.by_outcome, vec![("outcome-1".to_string(), Tally { good: 43, reviewed: 62 })]);
    }

    #[test]
    fn tallies_with_nothing_reviewed_say_so() {
        let none = Tally::default();
        assert_eq!(none.percent(), None);
        assert_eq!(none.sentence(), "No files reviewed");
        assert_eq!(Tally { good: 1, reviewed: 8 }.sentence(), "1 of 8 files good (13%)");
        assert_eq!(Tally { good: 1, reviewed: 3 }.percent().map(|p| (p * 100.0).round()), Some(3333.0));
        let stats = statistics(&[]);
        assert_eq!(stats.overall, none);
        assert!(stats.by_criterion.iter().all(|(_, t)| *t == none));
        assert!(stats.by_team.is_empty() && stats.by_crime_type.is_empty() && stats.by_outcome.is_empty());
    }

    #[test]
    fn a_criterion_left_unjudged_is_not_counted_against_it() {
        let mut file = reviewed(at(2026, 1, 1), "Alpha", Judgement::Good, Judgement::Good);
        file.judgements.retain(|(c, _)| *c != Criterion::Supervision);
        let stats = statistics(&[file]);
        assert_eq!(stats.by_criterion[1], (Criterion::Supervision, Tally::default()));
        assert_eq!(stats.by_criterion[2], (Criterion::VictimCare, Tally { good: 1, reviewed: 1 }));
    }

    #[test]
    fn the_trend_counts_a_review_in_its_uk_quarter() {
        use chrono::TimeZone;
        // 23:30 UTC on 30 June is 00:30 BST on 1 July: the third quarter.
        let late = Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).single().expect("a valid time");
        let rows = trend(&[reviewed(late, "Alpha", Judgement::Good, Judgement::Good)]);
        assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["2026 Q3"]);
    }

    #[test]
    fn the_trend_runs_quarter_by_quarter_including_empty_ones() {
        let files = vec![
            reviewed(at(2026, 4, 1), "Alpha", Judgement::NotGood, Judgement::NotGood),
            reviewed(at(2025, 12, 31), "Alpha", Judgement::Good, Judgement::NotGood),
            reviewed(at(2025, 10, 1), "Bravo", Judgement::NotGood, Judgement::Good),
            reviewed(at(2026, 6, 30), "Bravo", Judgement::Good, Judgement::Good),
        ];
        let rows = trend(&files);
        let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(labels, ["2025 Q4", "2026 Q1", "2026 Q2"]);
        let first_days: Vec<NaiveDate> = rows.iter().map(|r| r.1).collect();
        assert_eq!(
            first_days,
            [
                NaiveDate::from_ymd_opt(2025, 10, 1),
                NaiveDate::from_ymd_opt(2026, 1, 1),
                NaiveDate::from_ymd_opt(2026, 4, 1)
            ]
            .map(|d| d.expect("a valid date"))
        );
        assert_eq!(rows[0].2, Tally { good: 1, reviewed: 2 });
        assert_eq!(rows[1].2, Tally::default());
        assert_eq!(rows[1].3.len(), Criterion::ALL.len());
        assert!(rows[1].3.iter().all(|(_, t)| *t == Tally::default()));
        assert_eq!(rows[2].2, Tally { good: 1, reviewed: 2 });
        let care = |row: usize| rows[row].3.iter().find(|(c, _)| *c == Criterion::VictimCare).map(|(_, t)| *t);
        assert_eq!(care(0), Some(Tally { good: 1, reviewed: 2 }));
        assert_eq!(care(2), Some(Tally { good: 1, reviewed: 2 }));
        let criteria: Vec<Criterion> = rows[2].3.iter().map(|(c, _)| *c).collect();
        assert_eq!(criteria, Criterion::ALL);
        assert!(trend(&[]).is_empty());
        let one = trend(&files[..1]);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0, "2026 Q2");
    }

    #[test]
    fn names_round_trip() {
        for s in Stratify::ALL {
            assert_eq!(s.as_str().parse::<Stratify>(), Ok(*s));
        }
        for c in Criterion::ALL {
            assert_eq!(c.as_str().parse::<Criterion>(), Ok(*c));
        }
        for j in Judgement::ALL {
            assert_eq!(j.as_str().parse::<Judgement>(), Ok(*j));
        }
        assert!("random".parse::<Stratify>().is_err());
    }

    fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec((0u128..400, 0u8..4, 0u8..3, 0u8..5), 0..120).prop_map(|rows| {
            rows.into_iter()
                .map(|(n, t, c, o)| candidate(n, &format!("team-{t}"), &format!("type-{c}"), &format!("outcome-{o}")))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn draws_are_distinct_complete_and_order_free(
            (people, shuffled) in candidates().prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            seed in any::<u64>(),
            size in 0usize..150,
            stratify in prop::sample::select(Stratify::ALL),
        ) {
            let s = spec(seed, size, stratify);
            let drawn = draw(&people, &s);
            let mut distinct: Vec<Uuid> = people.iter().map(|c| c.crime_id).collect();
            distinct.sort();
            distinct.dedup();
            prop_assert_eq!(drawn.len(), size.min(distinct.len()));
            let mut unique = drawn.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), drawn.len());
            prop_assert!(drawn.iter().all(|u| distinct.binary_search(u).is_ok()));
            prop_assert_eq!(draw(&shuffled, &s), drawn);
            prop_assert_eq!(allocation(&shuffled, &s), allocation(&people, &s));
            prop_assert_eq!(allocation(&people, &s).iter().map(|r| r.2).sum::<usize>(), size.min(distinct.len()));
        }
    }
}
