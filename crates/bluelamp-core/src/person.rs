//! POLE people: the P of People, Objects, Locations, Events. A person has names (the one they use and
//! any aliases), a date of birth, addresses over time, phone numbers and markers (vulnerability,
//! safeguarding, warning signals, wanted, missing). Incidents link people with a role; crime recording
//! will link the same records.
//!
//! Finding people is fuzzy on purpose: a caller spells "Smyth" for "Smith", gives a maiden name, or an
//! address from two years ago. [`score`] ranks a candidate against what was typed and says why in
//! words; [`Core::person_duplicates`] offers likely duplicates before a new person is created
//! (REFERENCE.md §4, "usual companion checks: repeat caller/victim check, vulnerability flags").

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::access::{Permission, named_enum};
use crate::audit::{AuditCategory, RequestContext};
use crate::core::{By, Core};
use crate::error::FieldError;
use crate::incident::{address_key, phone_key, text_rule};
use crate::{Error, Result};

named_enum!(
    /// How a name is used.
    NameKind {
        Primary => "primary", "Name used";
        Alias => "alias", "Alias";
        Birth => "birth", "Birth or former name";
        KnownAs => "known-as", "Known as";
    }
);

named_enum!(
    /// Recorded sex, which crime classification rules need (REFERENCE.md §1).
    Sex {
        Unknown => "unknown", "Not known";
        Female => "female", "Female";
        Male => "male", "Male";
    }
);

named_enum!(
    /// What a marker warns of. Warning-signal codes on the PNC are not public (REFERENCE.md §11.4,
    /// "unconfirmed"), so a warning's kind is written in its detail.
    MarkerCategory {
        Wanted => "wanted", "Wanted";
        Missing => "missing", "Missing";
        Safeguarding => "safeguarding", "Safeguarding";
        Vulnerability => "vulnerability", "Vulnerability";
        Warning => "warning", "Warning signal";
    }
);

named_enum!(
    /// A person's part in an incident.
    IncidentRole {
        Caller => "caller", "Caller or reporting person";
        Victim => "victim", "Victim";
        Suspect => "suspect", "Suspect";
        Witness => "witness", "Witness";
        Subject => "subject", "Subject (missing, concern for welfare)";
        Other => "other", "Other";
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub kind: NameKind,
    pub forenames: String,
    pub surname: String,
}

impl PersonName {
    pub fn full(&self) -> String {
        let f = self.forenames.trim();
        if f.is_empty() { self.surname.clone() } else { format!("{f} {}", self.surname) }
    }
}

/// An address the person lived at, from and to (either may be unknown); `to: None` is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonAddress {
    pub id: Uuid,
    pub text: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonPhone {
    pub id: Uuid,
    pub number: String,
    pub recorded_at: DateTime<Utc>,
}

/// A marker, kept after it ends so the history stays readable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub id: Uuid,
    pub category: MarkerCategory,
    pub detail: String,
    pub set_by_name: String,
    pub set_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by_name: Option<String>,
    pub end_reason: Option<String>,
}

impl Marker {
    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub version: i64,
    /// The first is the primary name; the rest are aliases, birth names and "known as" names.
    pub names: Vec<PersonName>,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Sex,
    pub addresses: Vec<PersonAddress>,
    pub phones: Vec<PersonPhone>,
    pub markers: Vec<Marker>,
    pub created_at: DateTime<Utc>,
    pub created_by_name: String,
    /// The person this record was merged into ([`crate::merge`]): it is kept and opens, but is no
    /// longer found by searches and cannot be changed.
    pub merged_into: Option<Uuid>,
}

impl Person {
    pub fn display_name(&self) -> String {
        self.names.first().map(PersonName::full).unwrap_or_default()
    }

    pub fn current_address(&self) -> Option<&PersonAddress> {
        self.addresses.iter().filter(|a| a.to.is_none()).max_by_key(|a| (a.from, a.recorded_at))
    }

    pub fn active_markers(&self) -> impl Iterator<Item = &Marker> {
        self.markers.iter().filter(|m| m.is_active())
    }

    /// Age in whole years on `on`, when the date of birth is known.
    pub fn age_on(&self, on: NaiveDate) -> Option<u32> {
        self.date_of_birth.and_then(|dob| on.years_since(dob))
    }

    pub(crate) fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "version": self.version,
            "names": self.names.iter().map(|n| format!("{} ({})", n.full(), n.kind)).collect::<Vec<_>>(),
            "date_of_birth": self.date_of_birth.map(|d| d.to_string()),
            "sex": self.sex.as_str(),
            "addresses": self.addresses.iter().map(|a| &a.text).collect::<Vec<_>>(),
            "phones": self.phones.iter().map(|p| &p.number).collect::<Vec<_>>(),
            "active_markers": self.active_markers().map(|m| m.category.as_str()).collect::<Vec<_>>(),
        })
    }
}

/// A person linked to an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentPerson {
    pub incident_id: Uuid,
    pub person_id: Uuid,
    pub role: IncidentRole,
    pub linked_at: DateTime<Utc>,
    pub linked_by_name: String,
    /// The person's name when listed with the incident (filled by the store from the person record).
    pub name: String,
}

// ---- Keys and fuzzy matching (pure) ---------------------------------------------------------------

/// Lower-case letters only: "O'Brien-Smith" → "obriensmith". Accented Latin letters lose their accent.
pub fn name_key(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .filter(char::is_ascii_lowercase)
        .collect()
}

/// The key of the first forename: "Mary-Jane Ann" → "maryjane". Stored next to each name so a
/// store can find "John Smith" among thousands of Smiths with one index range.
pub fn forename_key(forenames: &str) -> String {
    name_key(forenames.split_whitespace().next().unwrap_or(""))
}

/// American Soundex (as in the US National Archives' rules): "Smith" and "Smyth" are both S530.
/// Empty for a name with no letters.
pub fn soundex(text: &str) -> String {
    fn code(c: char) -> u8 {
        match c {
            'b' | 'f' | 'p' | 'v' => b'1',
            'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => b'2',
            'd' | 't' => b'3',
            'l' => b'4',
            'm' | 'n' => b'5',
            'r' => b'6',
            'h' | 'w' => b'h',
            _ => b'0', // vowels and y separate repeats
        }
    }
    let key = name_key(text);
    let mut chars = key.chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut out = vec![first.to_ascii_uppercase() as u8];
    let mut last = code(first);
    for c in chars {
        let d = code(c);
        if d == b'h' {
            continue; // h and w do not separate letters with the same code
        }
        if d != b'0' && d != last {
            out.push(d);
            if out.len() == 4 {
                break;
            }
        }
        last = d;
    }
    while out.len() < 4 {
        out.push(b'0');
    }
    String::from_utf8(out).unwrap_or_default()
}

/// What someone typed to find a person. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonSearch {
    /// "Jane Smith", "Smith", or "Smith, Jane".
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub address: String,
    pub phone: String,
}

impl PersonSearch {
    /// (forenames, surname) from the name as typed.
    pub fn split_name(&self) -> (String, String) {
        split_name(&self.name)
    }

    pub fn is_empty(&self) -> bool {
        name_key(&self.name).len() < 2
            && self.date_of_birth.is_none()
            && address_key(&self.address).len() < 3
            && phone_key(&self.phone).is_empty()
    }

    /// The keys a store looks candidates up by.
    pub fn keys(&self) -> SearchKeys {
        let (_, surname) = self.split_name();
        let surname_key = name_key(&surname);
        SearchKeys {
            soundex: if surname_key.is_empty() { String::new() } else { soundex(&surname) },
            forename_key: if surname_key.is_empty() { String::new() } else { forename_key(&self.split_name().0) },
            surname_prefix: if surname_key.len() >= 2 { surname_key } else { String::new() },
            date_of_birth: self.date_of_birth,
            address_prefix: {
                let k = address_key(&self.address);
                if k.len() >= 3 { k } else { String::new() }
            },
            phone_key: phone_key(&self.phone),
        }
    }
}

/// (forenames, surname): the last word is the surname unless a comma comes first ("Smith, Jane").
pub fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    if let Some((surname, forenames)) = name.split_once(',') {
        return (forenames.trim().to_string(), surname.trim().to_string());
    }
    match name.rsplit_once(char::is_whitespace) {
        Some((forenames, surname)) => (forenames.trim().to_string(), surname.trim().to_string()),
        None => (String::new(), name.to_string()),
    }
}

/// Candidate look-up keys. A store finds people with a name whose surname key starts with
/// `surname_prefix` or whose soundex is `soundex` (those with the first forename `forename_key`
/// first), or with that date of birth, an address whose key starts with `address_prefix`, or that
/// phone key; it ranks them with the main weights of [`score`] and returns the best, for `rank` to
/// order exactly. Empty keys match nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchKeys {
    pub surname_prefix: String,
    pub soundex: String,
    /// The first forename's key ([`forename_key`]); only used with a surname.
    pub forename_key: String,
    pub date_of_birth: Option<NaiveDate>,
    pub address_prefix: String,
    pub phone_key: String,
}

/// A candidate with its score (higher is closer) and the reasons, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonMatch {
    pub person: Person,
    pub score: u32,
    pub reasons: Vec<String>,
}

/// The score at or above which a candidate is offered as a likely duplicate before a new person is
/// created: for example the same date of birth and a similar surname, or the same surname at the
/// same address.
pub const DUPLICATE_SCORE: u32 = 50;

/// How many candidates a store returns, best first, for [`rank`] to order exactly. Enough that the
/// person asked for is among them whenever what was typed picks them out; few enough to load quickly.
pub const CANDIDATES: u32 = 100;

/// How closely `person` matches what was searched, and why. Pure, so it is tested on its own.
pub fn score(person: &Person, search: &PersonSearch) -> (u32, Vec<String>) {
    let (forenames, surname) = search.split_name();
    let (want_fore, want_sur) = (name_key(&forenames), name_key(&surname));
    let mut best_name: (u32, Option<String>) = (0, None);
    if !want_sur.is_empty() {
        for name in &person.names {
            let sur = name_key(&name.surname);
            let (mut points, mut why) = if sur == want_sur {
                (30, format!("same surname ({})", name.surname))
            } else if want_sur.len() >= 2 && sur.starts_with(&want_sur) {
                (22, format!("surname starts \"{surname}\" ({})", name.surname))
            } else if strsim::jaro_winkler(&sur, &want_sur) >= 0.88 {
                (20, format!("similar surname ({} ~ {surname})", name.surname))
            } else if soundex(&name.surname) == soundex(&surname) {
                (12, format!("surname sounds alike ({} ~ {surname})", name.surname))
            } else {
                (0, String::new())
            };
            if points > 0 && !want_fore.is_empty() {
                let fore = name_key(name.forenames.split_whitespace().next().unwrap_or(""));
                let want_first = name_key(forenames.split_whitespace().next().unwrap_or(""));
                if !fore.is_empty() && fore == want_first {
                    points += 20;
                    why = format!("{why}, same first name");
                } else if !fore.is_empty() && strsim::jaro_winkler(&fore, &want_first) >= 0.88 {
                    points += 14;
                    why = format!("{why}, similar first name ({})", name.forenames);
                } else if !fore.is_empty() && (fore.starts_with(&want_first) || want_first.starts_with(&fore)) {
                    points += 8;
                    why = format!("{why}, first name starts alike");
                }
            }
            if points > 0 && name.kind != NameKind::Primary {
                why = format!("{why}, as {} \"{}\"", name.kind.label().to_lowercase(), name.full());
            }
            if points > best_name.0 {
                best_name = (points, Some(why));
            }
        }
    }
    let mut total = best_name.0;
    let mut reasons: Vec<String> = best_name.1.into_iter().collect();
    if let (Some(want), Some(dob)) = (search.date_of_birth, person.date_of_birth) {
        use chrono::Datelike;
        if want == dob {
            total += 35;
            reasons.push(format!("same date of birth ({})", dob.format("%-d %b %Y")));
        } else if want.year() == dob.year() && want.month() == dob.day() && want.day() == dob.month() {
            total += 20;
            reasons.push(format!("date of birth with day and month swapped ({})", dob.format("%-d %b %Y")));
        } else if want.year() == dob.year() {
            total += 5;
            reasons.push(format!("born the same year ({})", dob.year()));
        }
    }
    let want_addr = address_key(&search.address);
    if want_addr.len() >= 3 {
        let hit =
            person.addresses.iter().find(|a| address_key(&a.text) == want_addr).map(|a| (a, true)).or_else(|| {
                person.addresses.iter().find(|a| address_key(&a.text).starts_with(&want_addr)).map(|a| (a, false))
            });
        if let Some((a, exact)) = hit {
            total += if exact { 20 } else { 12 };
            let when = if a.to.is_none() { "current" } else { "previous" };
            reasons.push(format!("{} {when} address ({})", if exact { "same" } else { "matching" }, a.text));
        }
    }
    let want_phone = phone_key(&search.phone);
    if !want_phone.is_empty() && person.phones.iter().any(|p| phone_key(&p.number) == want_phone) {
        total += 25;
        reasons.push("same phone number".to_string());
    }
    (total, reasons)
}

/// Scores and ranks candidates, best first; candidates matching nothing are dropped.
pub fn rank(candidates: Vec<Person>, search: &PersonSearch) -> Vec<PersonMatch> {
    let mut out: Vec<PersonMatch> = candidates
        .into_iter()
        .filter_map(|person| {
            let (score, reasons) = score(&person, search);
            (score > 0).then_some(PersonMatch { person, score, reasons })
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.person.display_name().cmp(&b.person.display_name())));
    out
}

// ---- New people and changes ----------------------------------------------------------------------

/// A new person as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPerson {
    pub forenames: String,
    pub surname: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: String,
    pub address: String,
    pub phone: String,
}

impl NewPerson {
    pub fn validate(&self, today: NaiveDate) -> Result<Sex, Vec<FieldError>> {
        let mut errors = Vec::new();
        text_rule(&mut errors, "surname", &self.surname, true, 100, "the surname (or \"Unknown\")");
        text_rule(&mut errors, "forenames", &self.forenames, false, 100, "the forenames");
        text_rule(&mut errors, "address", &self.address, false, 300, "the address");
        text_rule(&mut errors, "phone", &self.phone, false, 40, "the phone number");
        check_dob(&mut errors, self.date_of_birth, today);
        if !self.phone.trim().is_empty() && phone_key(&self.phone).is_empty() {
            errors.push(FieldError::new("phone", "Enter a phone number with at least six digits"));
        }
        let sex = match self.sex.trim() {
            "" => Some(Sex::Unknown),
            s => s.parse::<Sex>().ok(),
        };
        if sex.is_none() {
            errors.push(FieldError::new("sex", "Choose female, male or not known"));
        }
        match sex {
            Some(sex) if errors.is_empty() => Ok(sex),
            _ => Err(errors),
        }
    }

    pub fn as_search(&self) -> PersonSearch {
        PersonSearch {
            name: format!("{}, {}", self.surname.trim(), self.forenames.trim()),
            date_of_birth: self.date_of_birth,
            address: self.address.clone(),
            phone: self.phone.clone(),
        }
    }
}

fn check_dob(errors: &mut Vec<FieldError>, dob: Option<NaiveDate>, today: NaiveDate) {
    if let Some(dob) = dob {
        if dob > today {
            errors.push(FieldError::new("date_of_birth", "Date of birth must be today or in the past"));
        } else if today.years_since(dob).unwrap_or(0) > 120 {
            errors.push(FieldError::new("date_of_birth", "Date of birth must be within the last 120 years"));
        }
    }
}

/// One change to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonEdit {
    AddName {
        kind: NameKind,
        forenames: String,
        surname: String,
    },
    /// A new address; the current one (if any) ends the day before `from` (or today).
    MoveTo {
        address: String,
        from: Option<NaiveDate>,
    },
    AddPhone {
        number: String,
    },
    AddMarker {
        category: MarkerCategory,
        detail: String,
    },
    EndMarker {
        marker_id: Uuid,
        reason: String,
    },
    SetDateOfBirth {
        date_of_birth: Option<NaiveDate>,
    },
}

impl PersonEdit {
    fn action(&self) -> &'static str {
        match self {
            PersonEdit::AddName { .. } => "person.name.add",
            PersonEdit::MoveTo { .. } => "person.address.add",
            PersonEdit::AddPhone { .. } => "person.phone.add",
            PersonEdit::AddMarker { .. } => "person.marker.add",
            PersonEdit::EndMarker { .. } => "person.marker.end",
            PersonEdit::SetDateOfBirth { .. } => "person.dob.set",
        }
    }
}

/// Applies an edit to a person (pure): every rule broken is named.
pub fn apply_edit(
    person: &mut Person,
    edit: &PersonEdit,
    now: DateTime<Utc>,
    today: NaiveDate,
    by_name: &str,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    match edit {
        PersonEdit::AddName { kind, forenames, surname } => {
            text_rule(&mut errors, "surname", surname, true, 100, "the surname");
            text_rule(&mut errors, "forenames", forenames, false, 100, "the forenames");
            if *kind == NameKind::Primary {
                errors.push(FieldError::new("kind", "A person has one name used; add an alias or former name"));
            }
            let full = PersonName { kind: *kind, forenames: forenames.trim().into(), surname: surname.trim().into() };
            if person.names.iter().any(|n| name_key(&n.full()) == name_key(&full.full())) {
                errors
                    .push(FieldError::new("surname", format!("{} is already one of this person's names", full.full())));
            }
            if errors.is_empty() {
                person.names.push(full);
            }
        }
        PersonEdit::MoveTo { address, from } => {
            text_rule(&mut errors, "address", address, true, 300, "the address");
            if from.is_some_and(|f| f > today) {
                errors.push(FieldError::new("from", "The date they moved in must be today or in the past"));
            }
            if let (Some(f), Some(current)) = (from, person.current_address().and_then(|a| a.from))
                && *f < current
            {
                errors.push(FieldError::new(
                    "from",
                    format!("They lived at their current address from {current}; the new one must start after"),
                ));
            }
            if errors.is_empty() {
                let start = from.unwrap_or(today);
                let end = start.pred_opt().unwrap_or(start);
                for a in person.addresses.iter_mut().filter(|a| a.to.is_none()) {
                    a.to = Some(end.max(a.from.unwrap_or(end)));
                }
                person.addresses.push(PersonAddress {
                    id: Uuid::now_v7(),
                    text: address.trim().to_string(),
                    from: Some(start),
                    to: None,
                    recorded_at: now,
                });
            }
        }
        PersonEdit::AddPhone { number } => {
            text_rule(&mut errors, "number", number, true, 40, "the phone number");
            if !number.trim().is_empty() && phone_key(number).is_empty() {
                errors.push(FieldError::new("number", "Enter a phone number with at least six digits"));
            } else if person.phones.iter().any(|p| phone_key(&p.number) == phone_key(number)) {
                errors.push(FieldError::new("number", "This person already has that number"));
            }
            if errors.is_empty() {
                person.phones.push(PersonPhone {
                    id: Uuid::now_v7(),
                    number: number.trim().to_string(),
                    recorded_at: now,
                });
            }
        }
        PersonEdit::AddMarker { category, detail } => {
            text_rule(&mut errors, "detail", detail, true, 500, "what the marker is about");
            if errors.is_empty() {
                person.markers.push(Marker {
                    id: Uuid::now_v7(),
                    category: *category,
                    detail: detail.trim().to_string(),
                    set_by_name: by_name.to_string(),
                    set_at: now,
                    ended_at: None,
                    ended_by_name: None,
                    end_reason: None,
                });
            }
        }
        PersonEdit::EndMarker { marker_id, reason } => {
            text_rule(&mut errors, "reason", reason, true, 500, "why the marker ends");
            match person.markers.iter_mut().find(|m| m.id == *marker_id) {
                None => errors.push(FieldError::new("marker", "No such marker on this person")),
                Some(m) if !m.is_active() => errors.push(FieldError::new("marker", "This marker has already ended")),
                Some(m) if errors.is_empty() => {
                    m.ended_at = Some(now);
                    m.ended_by_name = Some(by_name.to_string());
                    m.end_reason = Some(reason.trim().to_string());
                }
                Some(_) => {}
            }
        }
        PersonEdit::SetDateOfBirth { date_of_birth } => {
            check_dob(&mut errors, *date_of_birth, today);
            if errors.is_empty() {
                person.date_of_birth = *date_of_birth;
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

// ---- Use cases -----------------------------------------------------------------------------------

impl Core {
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&chrono_tz::Europe::London).date_naive()
    }

    /// People matching what was typed, ranked with reasons. Audited as a search.
    pub async fn search_people(
        &self,
        by: By<'_>,
        search: &PersonSearch,
        limit: usize,
        ctx: &RequestContext,
    ) -> Result<Vec<PersonMatch>> {
        by.require(Permission::PersonView)?;
        if search.is_empty() {
            return Ok(Vec::new());
        }
        let candidates = self.store.find_person_candidates(&search.keys(), CANDIDATES).await?;
        let audit = self
            .event(&by.actor(), "person.search", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({"name": search.name, "dob": search.date_of_birth, "address": search.address}));
        self.store.append_audit(&audit).await?;
        let mut ranked = rank(candidates, search);
        ranked.truncate(limit);
        Ok(ranked)
    }

    /// Likely duplicates of a person about to be created (score at least [`DUPLICATE_SCORE`]).
    pub async fn person_duplicates(&self, by: By<'_>, new: &NewPerson) -> Result<Vec<PersonMatch>> {
        by.require(Permission::PersonRecord)?;
        let search = new.as_search();
        let candidates = self.store.find_person_candidates(&search.keys(), CANDIDATES).await?;
        Ok(rank(candidates, &search).into_iter().filter(|m| m.score >= DUPLICATE_SCORE).take(10).collect())
    }

    /// Creates a person. Unless `confirmed_new`, likely duplicates refuse it with a 422 on `duplicates`
    /// so the caller shows them first.
    pub async fn create_person(
        &self,
        by: By<'_>,
        new: &NewPerson,
        confirmed_new: bool,
        ctx: &RequestContext,
    ) -> Result<Person> {
        by.require(Permission::PersonRecord)?;
        let now = self.now();
        let sex = new.validate(self.today()).map_err(Error::Invalid)?;
        if !confirmed_new {
            let dupes = self.person_duplicates(by, new).await?;
            if !dupes.is_empty() {
                let names: Vec<String> = dupes.iter().map(|m| m.person.display_name()).collect();
                return Err(Error::invalid(
                    "duplicates",
                    format!(
                        "This may be someone already recorded ({}); use them, or confirm this is a new person",
                        names.join("; ")
                    ),
                ));
            }
        }
        let actor = by.actor();
        let person = Person {
            id: Uuid::now_v7(),
            version: 1,
            names: vec![PersonName {
                kind: NameKind::Primary,
                forenames: new.forenames.trim().to_string(),
                surname: new.surname.trim().to_string(),
            }],
            date_of_birth: new.date_of_birth,
            sex,
            addresses: if new.address.trim().is_empty() {
                Vec::new()
            } else {
                vec![PersonAddress {
                    id: Uuid::now_v7(),
                    text: new.address.trim().into(),
                    from: None,
                    to: None,
                    recorded_at: now,
                }]
            },
            phones: if new.phone.trim().is_empty() {
                Vec::new()
            } else {
                vec![PersonPhone { id: Uuid::now_v7(), number: new.phone.trim().into(), recorded_at: now }]
            },
            markers: Vec::new(),
            created_at: now,
            created_by_name: actor.name.clone(),
            merged_into: None,
        };
        let audit = self
            .event(&actor, "person.create", AuditCategory::Collect, ctx)
            .record("person", person.id)
            .after(&person.audit_json());
        self.store.insert_person(&person, &audit).await?;
        Ok(person)
    }

    /// One person, audited as a view before it is returned.
    pub async fn view_person(&self, by: By<'_>, id: Uuid, ctx: &RequestContext) -> Result<Person> {
        by.require(Permission::PersonView)?;
        let person = self.store.find_person(id).await?.ok_or(Error::NotFound)?;
        let audit = self.event(&by.actor(), "person.view", AuditCategory::Consult, ctx).record("person", id);
        self.store.append_audit(&audit).await?;
        Ok(person)
    }

    /// Changes a person if they are still at `version` (otherwise `Conflict`).
    pub async fn edit_person(
        &self,
        by: By<'_>,
        id: Uuid,
        version: i64,
        edit: &PersonEdit,
        ctx: &RequestContext,
    ) -> Result<Person> {
        by.require(Permission::PersonRecord)?;
        let mut person = self.store.find_person(id).await?.ok_or(Error::NotFound)?;
        if person.merged_into.is_some() {
            return Err(Error::invalid(
                "person",
                format!("{} has been merged into another record; change that record instead", person.display_name()),
            ));
        }
        if person.version != version {
            return Err(Error::Conflict(format!(
                "{} was changed by someone else while you were working; your entry is kept below",
                person.display_name()
            )));
        }
        let before = person.audit_json();
        let actor = by.actor();
        apply_edit(&mut person, edit, self.now(), self.today(), &actor.name).map_err(Error::Invalid)?;
        person.version += 1;
        let mut audit = self
            .event(&actor, edit.action(), AuditCategory::Alter, ctx)
            .record("person", id)
            .before(&before)
            .after(&person.audit_json());
        if let PersonEdit::EndMarker { reason, .. } = edit {
            audit = audit.justification(reason.trim());
        }
        self.store.update_person(&person, version, &audit).await?;
        Ok(person)
    }

    /// The incidents a person is linked to, newest first.
    pub async fn person_incidents(
        &self,
        by: By<'_>,
        person_id: Uuid,
    ) -> Result<Vec<(IncidentRole, crate::incident::Incident)>> {
        by.require(Permission::IncidentView)?;
        // Everything on record: 150 years back is before any incident.
        let since = self.now() - chrono::Duration::days(365 * 150);
        let links = self.store.find_people_incidents(&[person_id], since, 200).await?;
        Ok(links.into_iter().map(|(_, role, incident)| (role, incident)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).single().expect("valid")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn person(forenames: &str, surname: &str, dob: Option<NaiveDate>, address: &str) -> Person {
        Person {
            id: Uuid::now_v7(),
            version: 1,
            names: vec![PersonName { kind: NameKind::Primary, forenames: forenames.into(), surname: surname.into() }],
            date_of_birth: dob,
            sex: Sex::Unknown,
            addresses: vec![PersonAddress {
                id: Uuid::now_v7(),
                text: address.into(),
                from: None,
                to: None,
                recorded_at: at(),
            }],
            phones: vec![PersonPhone { id: Uuid::now_v7(), number: "07700 900123".into(), recorded_at: at() }],
            markers: vec![],
            created_at: at(),
            created_by_name: "t".into(),
            merged_into: None,
        }
    }

    #[test]
    fn soundex_follows_the_archive_rules() {
        assert_eq!(soundex("Robert"), "R163");
        assert_eq!(soundex("Rupert"), "R163");
        assert_eq!(soundex("Rubin"), "R150");
        assert_eq!(soundex("Ashcraft"), "A261"); // h does not separate s and c
        assert_eq!(soundex("Tymczak"), "T522");
        assert_eq!(soundex("Pfister"), "P236");
        assert_eq!(soundex("Smith"), soundex("Smyth"));
        assert_eq!(soundex("O'Brien"), "O165");
        assert_eq!(soundex("Lee"), "L000");
        assert_eq!(soundex("--"), "");
    }

    #[test]
    fn names_split_either_way_round() {
        assert_eq!(split_name("Jane Ann Smith"), ("Jane Ann".into(), "Smith".into()));
        assert_eq!(split_name("Smith, Jane"), ("Jane".into(), "Smith".into()));
        assert_eq!(split_name("Smith"), (String::new(), "Smith".into()));
        assert_eq!(name_key("O'Brien-Žák"), "obrienak");
        assert_eq!(name_key("Renée"), "renee");
    }

    #[test]
    fn a_misspelt_surname_with_the_same_birthday_is_a_likely_duplicate() {
        let p = person("Jane", "Smith", Some(day(1990, 4, 2)), "12 Mill Road, Ashford");
        let search =
            PersonSearch { name: "Jane Smyth".into(), date_of_birth: Some(day(1990, 4, 2)), ..Default::default() };
        let (s, reasons) = score(&p, &search);
        assert!(s >= DUPLICATE_SCORE, "{s} {reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("similar surname")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("same date of birth")), "{reasons:?}");
    }

    #[test]
    fn a_swapped_day_and_month_is_noticed() {
        let p = person("Jane", "Smith", Some(day(1990, 4, 2)), "x");
        let search = PersonSearch { name: "Smith".into(), date_of_birth: Some(day(1990, 2, 4)), ..Default::default() };
        let (_, reasons) = score(&p, &search);
        assert!(reasons.iter().any(|r| r.contains("swapped")), "{reasons:?}");
    }

    #[test]
    fn an_alias_and_a_previous_address_match_and_say_so() {
        let mut p = person("Jane", "Smith", None, "3 New Street, Wealdbury");
        apply_edit(
            &mut p,
            &PersonEdit::AddName { kind: NameKind::Birth, forenames: "Jane".into(), surname: "Okafor".into() },
            at(),
            day(2026, 11, 26),
            "t",
        )
        .expect("valid");
        apply_edit(
            &mut p,
            &PersonEdit::MoveTo { address: "9 Oak Lane".into(), from: None },
            at(),
            day(2026, 11, 26),
            "t",
        )
        .expect("valid");
        let search = PersonSearch { name: "Jane Okafor".into(), address: "3 new street".into(), ..Default::default() };
        let (s, reasons) = score(&p, &search);
        assert!(s >= DUPLICATE_SCORE, "{s} {reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("birth or former name")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("previous address")), "{reasons:?}");
        assert_eq!(p.current_address().map(|a| a.text.as_str()), Some("9 Oak Lane"));
    }

    #[test]
    fn unrelated_people_score_nothing_and_are_dropped() {
        let p = person("Tom", "Baker", Some(day(1970, 1, 1)), "1 High Street");
        let search =
            PersonSearch { name: "Jane Smith".into(), date_of_birth: Some(day(1990, 4, 2)), ..Default::default() };
        assert_eq!(score(&p, &search).0, 0);
        assert!(rank(vec![p], &search).is_empty());
    }

    #[test]
    fn new_person_rules_name_every_field() {
        let bad = NewPerson {
            surname: " ".into(),
            date_of_birth: Some(day(2030, 1, 1)),
            sex: "x".into(),
            phone: "12".into(),
            ..Default::default()
        };
        let errors = bad.validate(day(2026, 11, 26)).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["surname", "date_of_birth", "phone", "sex"]);
    }

    #[test]
    fn markers_end_once_with_a_reason() {
        let mut p = person("Jane", "Smith", None, "x");
        let today = day(2026, 11, 26);
        apply_edit(
            &mut p,
            &PersonEdit::AddMarker {
                category: MarkerCategory::Missing,
                detail: "Missing from home since 24 Nov".into(),
            },
            at(),
            today,
            "t",
        )
        .expect("valid");
        let id = p.markers[0].id;
        let no_reason =
            apply_edit(&mut p, &PersonEdit::EndMarker { marker_id: id, reason: " ".into() }, at(), today, "t");
        assert_eq!(no_reason.expect_err("reason needed")[0].field, "reason");
        apply_edit(&mut p, &PersonEdit::EndMarker { marker_id: id, reason: "Found safe".into() }, at(), today, "t")
            .expect("valid");
        assert_eq!(p.active_markers().count(), 0);
        let again = apply_edit(&mut p, &PersonEdit::EndMarker { marker_id: id, reason: "x".into() }, at(), today, "t");
        assert_eq!(again.expect_err("ended")[0].rule, "This marker has already ended");
    }

    #[test]
    fn moving_ends_the_current_address_the_day_before() {
        let mut p = person("Jane", "Smith", None, "1 Old Road");
        p.addresses[0].from = Some(day(2020, 1, 1));
        let today = day(2026, 11, 26);
        let early = PersonEdit::MoveTo { address: "2 New Road".into(), from: Some(day(2019, 1, 1)) };
        assert_eq!(apply_edit(&mut p, &early, at(), today, "t").expect_err("before current")[0].field, "from");
        apply_edit(
            &mut p,
            &PersonEdit::MoveTo { address: "2 New Road".into(), from: Some(day(2025, 6, 1)) },
            at(),
            today,
            "t",
        )
        .expect("valid");
        assert_eq!(p.addresses[0].to, Some(day(2025, 5, 31)));
        assert_eq!(p.current_address().map(|a| a.text.as_str()), Some("2 New Road"));
    }

    proptest! {
        #[test]
        fn soundex_is_a_letter_and_three_digits(name in "[A-Za-z' -]{0,20}") {
            let s = soundex(&name);
            if name_key(&name).is_empty() {
                prop_assert!(s.is_empty());
            } else {
                prop_assert_eq!(s.len(), 4);
                prop_assert!(s.as_bytes()[0].is_ascii_uppercase());
                prop_assert!(s[1..].bytes().all(|b| b.is_ascii_digit()));
            }
        }

        #[test]
        fn a_person_always_matches_their_own_details(
            fore in "[A-Z][a-z]{1,8}", sur in "[A-Z][a-z]{1,10}", y in 1930i32..2020, m in 1u32..13, d in 1u32..29,
        ) {
            let p = person(&fore, &sur, Some(day(y, m, d)), "4 Elm Road");
            let search = PersonSearch { name: format!("{fore} {sur}"), date_of_birth: Some(day(y, m, d)), ..Default::default() };
            let (s, _) = score(&p, &search);
            prop_assert!(s >= 30 + 20 + 35);
        }

        #[test]
        fn scoring_never_panics(name in ".{0,30}", addr in ".{0,30}", phone in ".{0,15}") {
            let p = person("Jane", "Smith", Some(day(1990, 4, 2)), "12 Mill Road");
            let search = PersonSearch { name, date_of_birth: None, address: addr, phone };
            let _ = score(&p, &search);
            let _ = search.keys();
        }
    }
}
