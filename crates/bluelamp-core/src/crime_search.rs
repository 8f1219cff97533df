//! Crime search (issue 4): by crime number, person (an id, or a name the person search resolves),
//! location (a radius round a point, or a division), offence code or group, flags, dates recorded
//! and occurred, the officer who recorded it, and status; newest recorded first, paged, with a
//! total. Everything here is pure except the use case at the bottom.
//!
//! What was typed arrives as [`CrimeSearchInput`] (text, from the page's GET form or the API's
//! query string); [`CrimeSearchInput::parse`] checks it and names every broken rule by field; the
//! use case resolves the officer and the name and hands a [`CrimeSearch`] to
//! [`crate::store::Store::search_crimes`]. Each filter is one field of `CrimeSearch` and one
//! condition in each store's query builder, so another filter is added in the same three places.
//!
//! A radius is found in two steps: the store selects the crimes inside the circle's bounding box
//! (an index range), then keeps those [`Radius::contains`] says are within the distance (haversine
//! on the mean Earth radius), so both databases agree to the metre.
//!
//! Totals are counted up to [`TOTAL_CAP`]: past that a force-sized table would be counted row by
//! row on every search, and "more than 10,000" tells the user to narrow the search just as well.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::access::{Permission, Principal};
use crate::audit::{AuditCategory, RequestContext};
use crate::core::{By, Core};
use crate::crime::{Crime, CrimeFlag, CrimeRole, CrimeStatus};
use crate::error::FieldError;
use crate::offence::{OffenceGroup, OffenceList};
use crate::person::{PersonMatch, PersonSearch};
use crate::{Error, Result};

/// Rows per page when none is asked for.
pub const DEFAULT_LIMIT: u32 = 25;
/// The most rows one page may ask for.
pub const MAX_LIMIT: u32 = 100;
/// Matches are counted up to this many; a store reports `TOTAL_CAP + 1` for "more than this".
pub const TOTAL_CAP: u64 = 10_000;
/// The furthest a page may start: the counted matches.
pub const MAX_OFFSET: u32 = TOTAL_CAP as u32;
/// The largest radius searched round a point.
pub const MAX_RADIUS_METRES: f64 = 10_000.0;
/// The most people a name is taken to mean.
pub const MAX_PEOPLE_FOR_NAME: usize = 50;
/// A name means the people whose match scores at least this share (in percent) of the best match:
/// "Jane Smith" finds Jane Smith and Jane Smyth, not every Smith.
pub const NAME_MATCH_SHARE_PERCENT: u32 = 80;
/// The mean Earth radius (IUGG), in metres.
pub const EARTH_RADIUS_METRES: f64 = 6_371_008.8;

// ---- Distance --------------------------------------------------------------------------------------

/// The great-circle distance in metres between two points given in degrees (haversine).
pub fn haversine_metres(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_METRES * a.sqrt().min(1.0).asin()
}

/// The point `metres` from (lat, lon) on a bearing (degrees clockwise from north), on the sphere:
/// the inverse of [`haversine_metres`] for tests and generated data.
pub fn destination(lat: f64, lon: f64, bearing: f64, metres: f64) -> (f64, f64) {
    let (p1, l1, b, d) = (lat.to_radians(), lon.to_radians(), bearing.to_radians(), metres / EARTH_RADIUS_METRES);
    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * b.cos()).asin();
    let l2 = l1 + (b.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
    (p2.to_degrees(), l2.to_degrees())
}

/// A box of latitudes and longitudes, in degrees, edges included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

impl BoundingBox {
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lon..=self.max_lon).contains(&lon)
    }
}

/// Every crime within `metres` of a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Radius {
    pub latitude: f64,
    pub longitude: f64,
    pub metres: f64,
}

impl Radius {
    /// Whether a point is within the radius (the exact test).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        haversine_metres(self.latitude, self.longitude, lat, lon) <= self.metres
    }

    /// The smallest latitude/longitude box holding the whole circle (J. P. Matuschek, "Finding
    /// points within a distance of a latitude/longitude using bounding coordinates"), widened by a
    /// hair for rounding: the store's index prefilter. Near a pole, or across the antimeridian, the
    /// box takes every longitude.
    pub fn bounding_box(&self) -> BoundingBox {
        const HAIR: f64 = 1e-9;
        let angle = self.metres / EARTH_RADIUS_METRES;
        let lat = self.latitude.to_radians();
        let (min_lat, max_lat) = (lat - angle, lat + angle);
        let half_pi = std::f64::consts::FRAC_PI_2;
        let (min_lon, max_lon) = if min_lat > -half_pi && max_lat < half_pi {
            let delta = (angle.sin() / lat.cos()).clamp(-1.0, 1.0).asin().to_degrees();
            let (lo, hi) = (self.longitude - delta, self.longitude + delta);
            if lo < -180.0 || hi > 180.0 { (-180.0, 180.0) } else { (lo - HAIR, hi + HAIR) }
        } else {
            (-180.0, 180.0)
        };
        BoundingBox {
            min_lat: (min_lat.to_degrees() - HAIR).max(-90.0),
            max_lat: (max_lat.to_degrees() + HAIR).min(90.0),
            min_lon,
            max_lon,
        }
    }
}

// ---- Crime numbers ---------------------------------------------------------------------------------

/// Whether `text` is a whole crime number in the force's format (`crime::format_crime_number`):
/// `{yyyy}` is four digits, `{yy}` two, `{seq:N}` at least N (and `{seq}` at least one), anything
/// else itself, letters in either case. A whole number is searched exactly; anything else is the
/// start of a number.
pub fn is_whole_crime_number(pattern: &str, text: &str) -> bool {
    #[derive(Debug)]
    enum Part {
        Digits { min: usize, max: usize },
        Literal(char),
    }
    let mut parts = Vec::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        let token = [("{yyyy}", 4, 4), ("{yy}", 2, 2)].into_iter().find(|(t, _, _)| rest.starts_with(t));
        if let Some((t, min, max)) = token {
            parts.push(Part::Digits { min, max });
            rest = &rest[t.len()..];
        } else if rest.starts_with("{seq")
            && let Some(end) = rest.find('}')
        {
            let width: usize = rest[4..end].trim_start_matches(':').parse().unwrap_or(0);
            parts.push(Part::Digits { min: width.max(1), max: usize::MAX });
            rest = &rest[end + 1..];
        } else {
            parts.push(Part::Literal(c));
            rest = &rest[c.len_utf8()..];
        }
    }
    fn matches(parts: &[Part], text: &[char]) -> bool {
        match parts.split_first() {
            None => text.is_empty(),
            Some((Part::Literal(c), more)) => {
                text.split_first().is_some_and(|(t, tail)| t.to_uppercase().eq(c.to_uppercase()) && matches(more, tail))
            }
            Some((Part::Digits { min, max }, more)) => {
                let run = text.iter().take_while(|c| c.is_ascii_digit()).count().min(*max);
                (*min..=run).rev().any(|n| matches(more, &text[n..]))
            }
        }
    }
    let text: Vec<char> = text.trim().chars().collect();
    !text.is_empty() && matches(&parts, &text)
}

/// How a crime number is matched: the whole number, or numbers starting with what was typed. Both
/// ignore case (the text is upper-cased; stores compare it with the upper-cased number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberMatch {
    Exact(String),
    Prefix(String),
}

// ---- The query ---------------------------------------------------------------------------------------

/// An instant range `[from, to)`; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

/// A checked crime search, for [`crate::store::Store::search_crimes`]. Every filter present must
/// hold (AND); an absent one does not filter. Results are ordered newest recorded first (then by
/// id, newest first), and `offset` rows are skipped before `limit` are returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrimeSearch {
    pub number: Option<NumberMatch>,
    /// Crimes linking any of these people (an empty list matches nothing)…
    pub people: Option<Vec<Uuid>>,
    /// …in this role (any role when `None`).
    pub role: Option<CrimeRole>,
    /// Crimes linking an object stored under any of these identifier keys
    /// ([`crate::pole::identifier_search_keys`]: "vrm:AB12CDE", "imei:356938035643809"…).
    pub object_keys: Option<Vec<String>>,
    pub radius: Option<Radius>,
    pub division: Option<String>,
    pub offence_code: Option<String>,
    pub offence_group: Option<OffenceGroup>,
    /// Every one of these flags is on the crime.
    pub flags: Vec<CrimeFlag>,
    /// Recorded within the range.
    pub recorded: TimeRange,
    /// When it happened overlaps the range: it began before the range ends and ended (or, with no
    /// end, began) at or after the range starts.
    pub occurred: TimeRange,
    /// Recorded by this user. (The officer in the case joins this when crimes are allocated.)
    pub recorded_by: Option<Uuid>,
    pub status: Option<CrimeStatus>,
    pub limit: u32,
    pub offset: u32,
}

impl CrimeSearch {
    /// Whether `crime` passes every filter but the people and objects (which need the links). The stores' SQL
    /// does the same; the contract suite holds them to this on a fixed data set.
    pub fn matches(&self, crime: &Crime) -> bool {
        let in_range = |t: DateTime<Utc>, r: &TimeRange| r.from.is_none_or(|f| t >= f) && r.to.is_none_or(|e| t < e);
        let upper = crime.number.to_uppercase();
        self.number.as_ref().is_none_or(|n| match n {
            NumberMatch::Exact(n) => upper == *n,
            NumberMatch::Prefix(p) => upper.starts_with(p.as_str()),
        }) && self.radius.is_none_or(|r| match (crime.latitude, crime.longitude) {
            (Some(lat), Some(lon)) => r.contains(lat, lon),
            _ => false,
        }) && self.division.as_ref().is_none_or(|d| crime.division == *d)
            && self.offence_code.as_ref().is_none_or(|c| crime.offence_code == *c)
            && self.offence_group.is_none_or(|g| crime.offence_group == g)
            && self.flags.iter().all(|f| crime.flags.contains(f))
            && in_range(crime.recorded_at, &self.recorded)
            && self.occurred.to.is_none_or(|end| crime.occurred_from < end)
            && self.occurred.from.is_none_or(|start| crime.occurred_to.unwrap_or(crime.occurred_from) >= start)
            && self.recorded_by.is_none_or(|u| crime.recorded_by == Some(u))
            && self.status.is_none_or(|s| crime.status == s)
    }
}

/// What someone typed to search crimes: every part optional text, as a GET form or query string
/// gives it. [`CrimeSearchInput::parse`] checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrimeSearchInput {
    /// A whole crime number (any case) or its start.
    pub number: String,
    /// A person's id.
    pub person: String,
    /// A person's name, as the person search takes it ("Jane Smith", "Smith, Jane").
    pub name: String,
    /// The person's part: victim, suspect, offender, witness or reporting-person.
    pub role: String,
    /// An object's identifier as typed: a registration mark, VIN, IMEI, serial or frame number.
    pub object: String,
    /// A point (decimal degrees) and a radius in metres round it.
    pub lat: String,
    pub lon: String,
    pub radius_m: String,
    pub division: String,
    /// A Home Office offence code (8N, 105A…).
    pub offence: String,
    pub offence_group: String,
    pub flags: Vec<String>,
    /// A UK day (YYYY-MM-DD; a "to" day is included whole) or an RFC 3339 instant.
    pub recorded_from: String,
    pub recorded_to: String,
    pub occurred_from: String,
    pub occurred_to: String,
    /// The user who recorded it: a username or a user id.
    pub officer: String,
    pub status: String,
    pub limit: String,
    pub offset: String,
}

/// What [`CrimeSearchInput::parse`] leaves for the use case to look up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookups {
    /// A username or user id, trimmed.
    pub officer: Option<String>,
    /// A person's name, trimmed.
    pub name: Option<String>,
}

fn text(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|t| !t.is_empty())
}

/// An instant from a UK day or an RFC 3339 time; `end` makes a day mean the start of the next day.
fn instant(field: &str, s: &str, end: bool, errors: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let s = text(s)?;
    let found = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| crate::time::london_day_start(s, end));
    if found.is_none() {
        errors.push(FieldError::new(field, "Enter a date as YYYY-MM-DD (or a time as 2026-11-26T09:40:00Z)"));
    }
    found
}

fn range(fields: (&str, &str), texts: (&str, &str), what: &str, errors: &mut Vec<FieldError>) -> TimeRange {
    let from = instant(fields.0, texts.0, false, errors);
    let to = instant(fields.1, texts.1, true, errors);
    if let (Some(f), Some(t)) = (from, to)
        && t <= f
    {
        errors.push(FieldError::new(fields.1, format!("The end of the {what} period must be after its start")));
    }
    TimeRange { from, to }
}

fn number<T: std::str::FromStr>(field: &str, s: &str, rule: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    let s = text(s)?;
    let parsed = s.parse::<T>().ok();
    if parsed.is_none() {
        errors.push(FieldError::new(field, rule));
    }
    parsed
}

impl CrimeSearchInput {
    /// Whether nothing was typed to search by (paging aside).
    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|(field, value)| matches!(*field, "limit" | "offset") || value.trim().is_empty())
            && self.flags.iter().all(|f| f.trim().is_empty())
    }

    /// (field, value) of every single-valued field, for the audit trail and for forms.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("number", &self.number),
            ("person", &self.person),
            ("name", &self.name),
            ("role", &self.role),
            ("object", &self.object),
            ("lat", &self.lat),
            ("lon", &self.lon),
            ("radius_m", &self.radius_m),
            ("division", &self.division),
            ("offence", &self.offence),
            ("offence_group", &self.offence_group),
            ("recorded_from", &self.recorded_from),
            ("recorded_to", &self.recorded_to),
            ("occurred_from", &self.occurred_from),
            ("occurred_to", &self.occurred_to),
            ("officer", &self.officer),
            ("status", &self.status),
            ("limit", &self.limit),
            ("offset", &self.offset),
        ]
    }

    /// The checked search and what is left to look up, or every broken rule named by field.
    pub fn parse(
        &self,
        offences: &OffenceList,
        number_format: &str,
    ) -> Result<(CrimeSearch, Lookups), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut search = CrimeSearch { limit: DEFAULT_LIMIT, ..Default::default() };

        if let Some(n) = text(&self.number) {
            if n.chars().count() > 40 {
                errors.push(FieldError::new("number", "A crime number is at most 40 characters"));
            } else if n.chars().count() < 2 {
                errors.push(FieldError::new("number", "Type at least two characters of the crime number"));
            } else if is_whole_crime_number(number_format, n) {
                search.number = Some(NumberMatch::Exact(n.to_uppercase()));
            } else {
                search.number = Some(NumberMatch::Prefix(n.to_uppercase()));
            }
        }

        let name = text(&self.name).map(str::to_string);
        if let Some(p) = text(&self.person) {
            match Uuid::parse_str(p) {
                Ok(id) => search.people = Some(vec![id]),
                Err(_) => errors.push(FieldError::new("person", "Choose a person from the person search")),
            }
            if name.is_some() {
                errors.push(FieldError::new("name", "Search by the chosen person or by a name, not both"));
            }
        }
        if let Some(n) = &name
            && (PersonSearch { name: n.clone(), ..Default::default() }).is_empty()
        {
            errors.push(FieldError::new("name", "Type at least two letters of the name"));
        }
        if let Some(r) = text(&self.role) {
            match r.parse::<CrimeRole>() {
                Ok(role) => search.role = Some(role),
                Err(_) => {
                    errors.push(FieldError::new("role", "Use victim, suspect, offender, witness or reporting-person"))
                }
            }
            if text(&self.person).is_none() && name.is_none() {
                errors.push(FieldError::new("role", "Give a person or a name for the role to apply to"));
            }
        }

        if let Some(o) = text(&self.object) {
            let keys = crate::pole::identifier_search_keys(o);
            if o.chars().count() > 60 {
                errors.push(FieldError::new("object", "An identifier is at most 60 characters"));
            } else if keys.is_empty() {
                errors.push(FieldError::new(
                    "object",
                    "Type a registration mark, VIN, IMEI, serial or frame number (letters and digits)",
                ));
            } else {
                search.object_keys = Some(keys);
            }
        }

        let lat = number::<f64>("lat", &self.lat, "Give the latitude in decimal degrees, e.g. 51.2718", &mut errors);
        let lon = number::<f64>("lon", &self.lon, "Give the longitude in decimal degrees, e.g. 0.5237", &mut errors);
        let metres = number::<f64>("radius_m", &self.radius_m, "Give the radius in metres, e.g. 500", &mut errors);
        let lat = lat.filter(|l| {
            let ok = (-90.0..=90.0).contains(l);
            if !ok {
                errors.push(FieldError::new("lat", "A latitude is between -90 and 90"));
            }
            ok
        });
        let lon = lon.filter(|l| {
            let ok = (-180.0..=180.0).contains(l);
            if !ok {
                errors.push(FieldError::new("lon", "A longitude is between -180 and 180"));
            }
            ok
        });
        let metres = metres.filter(|m| {
            let ok = m.is_finite() && *m > 0.0 && *m <= MAX_RADIUS_METRES;
            if !ok {
                errors.push(FieldError::new(
                    "radius_m",
                    format!("The radius is more than 0 and at most {MAX_RADIUS_METRES:.0} metres"),
                ));
            }
            ok
        });
        let point_given = text(&self.lat).is_some() || text(&self.lon).is_some();
        match (lat, lon, metres) {
            (Some(latitude), Some(longitude), Some(metres)) => {
                search.radius = Some(Radius { latitude, longitude, metres });
            }
            _ if text(&self.radius_m).is_some() && (text(&self.lat).is_none() || text(&self.lon).is_none()) => {
                errors.push(FieldError::new("lat", "A radius needs a point: give its latitude and longitude"));
            }
            _ if point_given && text(&self.radius_m).is_none() => {
                errors.push(FieldError::new("radius_m", "Give the radius in metres round the point"));
            }
            _ => {}
        }

        if let Some(d) = text(&self.division) {
            search.division = Some(d.to_string());
        }
        if let Some(code) = text(&self.offence) {
            match offences.offence(code) {
                Some(o) => search.offence_code = Some(o.code.clone()),
                None => errors.push(FieldError::new(
                    "offence",
                    format!("No offence {code} in the Home Office list ({})", offences.version),
                )),
            }
        }
        if let Some(g) = text(&self.offence_group) {
            match g.parse::<OffenceGroup>() {
                Ok(group) => search.offence_group = Some(group),
                Err(_) => errors.push(FieldError::new("offence_group", format!("Unknown offence group \"{g}\""))),
            }
        }
        for f in self.flags.iter().filter_map(|f| text(f)) {
            match f.parse::<CrimeFlag>() {
                Ok(flag) if !search.flags.contains(&flag) => search.flags.push(flag),
                Ok(_) => {}
                Err(_) => errors.push(FieldError::new("flags", format!("Unknown flag \"{f}\""))),
            }
        }
        search.flags.sort();
        search.recorded =
            range(("recorded_from", "recorded_to"), (&self.recorded_from, &self.recorded_to), "recorded", &mut errors);
        search.occurred =
            range(("occurred_from", "occurred_to"), (&self.occurred_from, &self.occurred_to), "occurred", &mut errors);
        if let Some(s) = text(&self.status) {
            match s.parse::<CrimeStatus>() {
                Ok(status) => search.status = Some(status),
                Err(_) => errors.push(FieldError::new("status", format!("Unknown status \"{s}\""))),
            }
        }
        let limit_rule = format!("Ask for 1 to {MAX_LIMIT} crimes a page");
        if let Some(limit) = number::<u32>("limit", &self.limit, &limit_rule, &mut errors) {
            if (1..=MAX_LIMIT).contains(&limit) {
                search.limit = limit;
            } else {
                errors.push(FieldError::new("limit", limit_rule));
            }
        }
        let offset_rule = format!("Start at most {MAX_OFFSET} crimes in: narrow the search instead");
        if let Some(offset) = number::<u32>("offset", &self.offset, &offset_rule, &mut errors) {
            if offset <= MAX_OFFSET {
                search.offset = offset;
            } else {
                errors.push(FieldError::new("offset", offset_rule));
            }
        }
        let lookups = Lookups { officer: text(&self.officer).map(str::to_string), name };
        if errors.is_empty() { Ok((search, lookups)) } else { Err(errors) }
    }
}

/// The people a name means: those matching at least [`NAME_MATCH_SHARE_PERCENT`] as well as the
/// best match, at most [`MAX_PEOPLE_FOR_NAME`], best first (`ranked` comes from `person::rank`).
pub fn people_for_name(ranked: Vec<PersonMatch>) -> Vec<PersonMatch> {
    let best = ranked.first().map(|m| m.score).unwrap_or(0);
    ranked.into_iter().filter(|m| m.score * 100 >= best * NAME_MATCH_SHARE_PERCENT).take(MAX_PEOPLE_FOR_NAME).collect()
}

/// One page of a crime search.
#[derive(Debug, Clone, PartialEq)]
pub struct CrimeSearchResult {
    pub crimes: Vec<Crime>,
    /// How many crimes match, up to [`TOTAL_CAP`].
    pub total: u64,
    /// More than [`TOTAL_CAP`] match (`total` is then the cap).
    pub more: bool,
    pub limit: u32,
    pub offset: u32,
    /// Who a name was taken to mean, best first, with the reasons.
    pub people: Vec<PersonMatch>,
    /// The officer searched for: (user id, username).
    pub officer: Option<(Uuid, String)>,
}

impl Core {
    /// Searches crimes. Bad input is a 422 naming each field; the search is audited (its criteria)
    /// before any result is returned. A person or a name also needs `person.view`.
    pub async fn search_crimes(
        &self,
        by: &Principal,
        input: &CrimeSearchInput,
        ctx: &RequestContext,
    ) -> Result<CrimeSearchResult> {
        by.require(Permission::CrimeView)?;
        let (mut search, lookups) =
            input.parse(&self.settings.offences, &self.settings.crime_number_format).map_err(Error::Invalid)?;
        if search.people.is_some() || lookups.name.is_some() {
            by.require(Permission::PersonView)?;
        }
        let officer = match &lookups.officer {
            None => None,
            Some(who) => {
                let user = match Uuid::parse_str(who) {
                    Ok(id) => self.store.find_user(id).await?,
                    Err(_) => self.store.find_user_by_username(&who.to_lowercase()).await?,
                };
                match user {
                    Some(u) => Some((u.id, u.username)),
                    None => return Err(Error::invalid("officer", format!("No officer or staff member \"{who}\""))),
                }
            }
        };
        search.recorded_by = officer.as_ref().map(|(id, _)| *id);
        let mut people = Vec::new();
        if let Some(name) = &lookups.name {
            let person_search = PersonSearch { name: name.clone(), ..Default::default() };
            let candidates =
                self.store.find_person_candidates(&person_search.keys(), crate::person::CANDIDATES).await?;
            people = people_for_name(crate::person::rank(candidates, &person_search));
            search.people = Some(people.iter().map(|m| m.person.id).collect());
        }
        let criteria: serde_json::Map<String, serde_json::Value> = input
            .fields()
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(v.trim())))
            .chain((!search.flags.is_empty()).then(|| {
                ("flags".to_string(), serde_json::json!(search.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>()))
            }))
            .collect();
        let audit = self.event(&By::User(by).actor(), "crime.search", AuditCategory::Consult, ctx).after(
            &serde_json::json!({ "criteria": criteria, "people": search.people, "officer": search.recorded_by }),
        );
        self.store.append_audit(&audit).await?;
        let (crimes, total) = if search.people.as_ref().is_some_and(Vec::is_empty) {
            (Vec::new(), 0)
        } else {
            self.store.search_crimes(&search).await?
        };
        Ok(CrimeSearchResult {
            crimes,
            total: total.min(TOTAL_CAP),
            more: total > TOTAL_CAP,
            limit: search.limit,
            offset: search.offset,
            people,
            officer,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(input: CrimeSearchInput) -> Result<(CrimeSearch, Lookups), Vec<FieldError>> {
        input.parse(&OffenceList::builtin(), "CR-{yyyy}-{seq:6}")
    }

    fn fields(input: CrimeSearchInput) -> Vec<String> {
        parse(input).expect_err("invalid").into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn haversine_agrees_with_known_distances() {
        assert_eq!(haversine_metres(51.0, 1.0, 51.0, 1.0), 0.0);
        // A degree of latitude, and of longitude on the equator, is R·π/180 = 111,195.08 m.
        assert!((haversine_metres(51.0, 0.0, 52.0, 0.0) - 111_195.08).abs() < 0.01);
        assert!((haversine_metres(0.0, 10.0, 0.0, 11.0) - 111_195.08).abs() < 0.01);
        // At 60°N a degree of longitude is about half as long.
        assert!((haversine_metres(60.0, 0.0, 60.0, 1.0) - 55_597.0).abs() < 5.0);
    }

    #[test]
    fn a_radius_keeps_just_inside_and_drops_just_outside() {
        let r = Radius { latitude: 51.2718, longitude: 0.5237, metres: 500.0 };
        let (lat, lon) = destination(51.2718, 0.5237, 45.0, 499.5);
        assert!(r.contains(lat, lon) && r.bounding_box().contains(lat, lon));
        let (lat, lon) = destination(51.2718, 0.5237, 45.0, 500.5);
        assert!(!r.contains(lat, lon));
    }

    #[test]
    fn whole_numbers_are_exact_and_partial_ones_prefixes() {
        let format = "CR-{yyyy}-{seq:6}";
        assert!(is_whole_crime_number(format, "CR-2026-000123"));
        assert!(is_whole_crime_number(format, "cr-2026-000123"), "any case");
        assert!(is_whole_crime_number(format, "CR-2026-1000000"), "a sequence past its width");
        assert!(!is_whole_crime_number(format, "CR-2026-00012"));
        assert!(!is_whole_crime_number(format, "CR-2026"));
        assert!(!is_whole_crime_number(format, "CR-26-000123"));
        assert!(is_whole_crime_number("{yy}/{seq}", "26/45"));
        assert!(is_whole_crime_number("{yyyy}{seq:4}", "20260012"));
        assert!(!is_whole_crime_number("{yyyy}{seq:4}", "2026001"));
        let (search, _) =
            parse(CrimeSearchInput { number: " cr-2026-000123 ".into(), ..Default::default() }).expect("valid");
        assert_eq!(search.number, Some(NumberMatch::Exact("CR-2026-000123".into())));
        let (search, _) =
            parse(CrimeSearchInput { number: "cr-2026-0001".into(), ..Default::default() }).expect("valid");
        assert_eq!(search.number, Some(NumberMatch::Prefix("CR-2026-0001".into())));
    }

    #[test]
    fn every_filter_parses() {
        let input = CrimeSearchInput {
            person: "0190c0de-0000-7000-8000-000000000001".into(),
            role: "suspect".into(),
            lat: "51.2718".into(),
            lon: "0.5237".into(),
            radius_m: "750".into(),
            division: " North ".into(),
            offence: "8n".into(),
            offence_group: "violence-against-the-person".into(),
            flags: vec!["knife".into(), "domestic-abuse".into(), "knife".into(), String::new()],
            recorded_from: "2026-11-01".into(),
            recorded_to: "2026-11-26".into(),
            occurred_from: "2026-10-01T00:00:00Z".into(),
            officer: " pc.jones ".into(),
            status: "recorded".into(),
            limit: "50".into(),
            offset: "100".into(),
            ..Default::default()
        };
        let (s, lookups) = parse(input).expect("valid");
        assert_eq!(s.people.as_ref().map(Vec::len), Some(1));
        assert_eq!(s.role, Some(CrimeRole::Suspect));
        assert_eq!(s.radius, Some(Radius { latitude: 51.2718, longitude: 0.5237, metres: 750.0 }));
        assert_eq!(s.division.as_deref(), Some("North"));
        assert_eq!(s.offence_code.as_deref(), Some("8N"));
        assert_eq!(s.offence_group, Some(OffenceGroup::ViolenceAgainstThePerson));
        assert_eq!(s.flags, vec![CrimeFlag::DomesticAbuse, CrimeFlag::Knife]);
        assert_eq!(s.recorded.from.map(|t| t.to_rfc3339()), Some("2026-11-01T00:00:00+00:00".into()));
        assert_eq!(s.recorded.to.map(|t| t.to_rfc3339()), Some("2026-11-27T00:00:00+00:00".into()), "to day included");
        assert_eq!(s.occurred.from.map(|t| t.to_rfc3339()), Some("2026-10-01T00:00:00+00:00".into()));
        assert_eq!((s.status, s.limit, s.offset), (Some(CrimeStatus::Recorded), 50, 100));
        assert_eq!(lookups, Lookups { officer: Some("pc.jones".into()), name: None });
        let (empty, _) = parse(CrimeSearchInput::default()).expect("valid");
        assert_eq!((empty.limit, empty.offset, empty.number), (DEFAULT_LIMIT, 0, None));
        assert!(CrimeSearchInput::default().is_empty());
        assert!(CrimeSearchInput { limit: "10".into(), flags: vec![" ".into()], ..Default::default() }.is_empty());
        assert!(!CrimeSearchInput { flags: vec!["knife".into()], ..Default::default() }.is_empty());
        assert!(!CrimeSearchInput { status: "recorded".into(), ..Default::default() }.is_empty());
    }

    #[test]
    fn bad_input_names_each_field() {
        assert_eq!(
            fields(CrimeSearchInput {
                offence: "999Z".into(),
                offence_group: "shoplifting".into(),
                flags: vec!["sparkly".into()],
                recorded_from: "2026-11-20".into(),
                recorded_to: "2026-11-01".into(),
                occurred_from: "yesterday".into(),
                status: "open".into(),
                limit: "0".into(),
                offset: "20000".into(),
                ..Default::default()
            }),
            ["offence", "offence_group", "flags", "recorded_to", "occurred_from", "status", "limit", "offset"]
        );
        assert_eq!(fields(CrimeSearchInput { radius_m: "500".into(), ..Default::default() }), ["lat"]);
        assert_eq!(
            fields(CrimeSearchInput { lat: "51.3".into(), lon: "0.5".into(), ..Default::default() }),
            ["radius_m"]
        );
        assert_eq!(
            fields(CrimeSearchInput {
                lat: "51.3".into(),
                lon: "0.5".into(),
                radius_m: "25000".into(),
                ..Default::default()
            }),
            ["radius_m"]
        );
        assert_eq!(
            fields(CrimeSearchInput { lat: "91".into(), lon: "x".into(), radius_m: "5".into(), ..Default::default() }),
            ["lon", "lat"]
        );
        assert_eq!(fields(CrimeSearchInput { role: "victim".into(), ..Default::default() }), ["role"]);
        assert_eq!(
            fields(CrimeSearchInput { person: "nobody".into(), name: "Jane Smith".into(), ..Default::default() }),
            ["person", "name"]
        );
        assert_eq!(fields(CrimeSearchInput { name: "J".into(), ..Default::default() }), ["name"]);
        assert_eq!(fields(CrimeSearchInput { number: "C".into(), ..Default::default() }), ["number"]);
    }

    #[test]
    fn a_name_means_the_people_close_to_the_best_match() {
        use crate::person::{NameKind, Person, PersonName, Sex};
        let person = |fore: &str, sur: &str| Person {
            id: Uuid::now_v7(),
            version: 1,
            names: vec![PersonName { kind: NameKind::Primary, forenames: fore.into(), surname: sur.into() }],
            date_of_birth: None,
            sex: Sex::Unknown,
            addresses: vec![],
            phones: vec![],
            markers: vec![],
            created_at: DateTime::UNIX_EPOCH,
            created_by_name: "t".into(),
            merged_into: None,
        };
        let search = PersonSearch { name: "Jane Smith".into(), ..Default::default() };
        let ranked = crate::person::rank(
            vec![person("Jane", "Smith"), person("Jane", "Smyth"), person("Tom", "Smith"), person("Ann", "Jones")],
            &search,
        );
        let names: Vec<String> = people_for_name(ranked).iter().map(|m| m.person.display_name()).collect();
        assert_eq!(names, ["Jane Smith", "Jane Smyth"]);
        assert!(people_for_name(Vec::new()).is_empty());
    }

    proptest! {
        #[test]
        fn the_box_holds_every_point_within_the_radius(
            lat in -80.0f64..80.0, lon in -170.0f64..170.0, metres in 1.0f64..MAX_RADIUS_METRES,
            bearing in 0.0f64..360.0, share in 0.0f64..=1.0,
        ) {
            let r = Radius { latitude: lat, longitude: lon, metres };
            let (plat, plon) = destination(lat, lon, bearing, metres * share);
            prop_assert!(r.bounding_box().contains(plat, plon), "{:?} misses ({plat}, {plon})", r.bounding_box());
            prop_assert!(haversine_metres(lat, lon, plat, plon) <= metres * share + 1e-6);
        }

        #[test]
        fn haversine_is_symmetric_and_never_negative(
            a in -89.0f64..89.0, b in -179.0f64..179.0, c in -89.0f64..89.0, d in -179.0f64..179.0,
        ) {
            let one = haversine_metres(a, b, c, d);
            prop_assert!(one >= 0.0);
            prop_assert!((one - haversine_metres(c, d, a, b)).abs() < 1e-6);
        }

        #[test]
        fn parsing_never_panics(number in ".{0,50}", lat in ".{0,12}", radius in ".{0,8}", day in ".{0,12}") {
            let input = CrimeSearchInput {
                number, lat, lon: "0.5".into(), radius_m: radius, recorded_from: day.clone(), occurred_to: day,
                ..Default::default()
            };
            let _ = parse(input);
        }

        #[test]
        fn a_whole_number_is_whole_in_any_case(year in 2000i32..2100, seq in 1i64..10_000_000) {
            const FORMAT: &str = "CR-{yyyy}-{seq:6}";
            let n = crate::crime::format_crime_number(FORMAT, year, seq);
            let whole = is_whole_crime_number(FORMAT, &n.to_lowercase());
            prop_assert!(whole);
            let shortened = is_whole_crime_number(FORMAT, &n[..n.len() - 1]);
            prop_assert!(!shortened || seq >= 1_000_000);
        }
    }
}
