//! The rest of POLE on a crime (issue 4): organisations (a business can be a victim), objects with
//! their identifiers (vehicle registration mark, VIN, IMEI, serial or frame number) and locations,
//! each linked to a crime in a role. People are in [`crate::person`].
//!
//! Objects, locations and organisations are shared between crimes: an identifier, an address, or an
//! organisation's name with its address is one record, found again rather than entered twice, so
//! "every crime this phone was in" is one lookup. The keys that make them one are computed here.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::access::{Permission, Principal, named_enum};
use crate::audit::{AuditCategory, RequestContext};
use crate::core::{By, Core};
use crate::crime::{Crime, CrimeChange, CrimePerson, CrimeRole};
use crate::error::FieldError;
use crate::incident::{address_key, text_rule};
use crate::{Error, Result};

named_enum!(
    /// What sort of organisation.
    OrganisationKind {
        Business => "business", "Business";
        Charity => "charity", "Charity or voluntary body";
        PublicBody => "public-body", "Public body";
        School => "school", "School or college";
        Other => "other", "Other organisation";
    }
);

named_enum!(
    /// What sort of object.
    ObjectKind {
        Vehicle => "vehicle", "Vehicle";
        MobilePhone => "mobile-phone", "Mobile phone";
        Bicycle => "bicycle", "Bicycle";
        Property => "property", "Other property";
        Cash => "cash", "Cash";
        Weapon => "weapon", "Weapon";
        Document => "document", "Document";
    }
);

named_enum!(
    /// How an object is identified.
    IdentifierKind {
        NoIdentifier => "none", "No identifier";
        Vrm => "vrm", "Vehicle registration mark";
        Vin => "vin", "Vehicle identification number (VIN)";
        Imei => "imei", "IMEI";
        Serial => "serial", "Serial number";
        FrameNumber => "frame-number", "Frame number";
    }
);

named_enum!(
    /// An object's part in a crime.
    ObjectRole {
        Stolen => "stolen", "Stolen";
        Damaged => "damaged", "Damaged";
        UsedAsWeapon => "used-as-weapon", "Used as a weapon";
        UsedInCrime => "used-in-crime", "Used in the crime";
        Recovered => "recovered", "Recovered";
        Evidence => "evidence", "Evidence";
    }
);

named_enum!(
    /// A location's part in a crime.
    LocationRole {
        Scene => "scene", "Scene";
        VictimHome => "victim-home", "Victim's home address";
        SuspectHome => "suspect-home", "Suspect's home address";
        RecoveredAt => "recovered-at", "Where property was recovered";
        Other => "other", "Other location";
    }
);

/// The Luhn check an IMEI's fifteenth digit satisfies.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn letters_and_digits(raw: &str) -> String {
    raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// An identifier as stored and matched: upper case, letters and digits only, checked for its kind.
/// The error says what is wrong in words.
pub fn normalise_identifier(kind: IdentifierKind, raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.chars().any(|c| !(c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '/' | '.'))) {
        return Err("Use letters, digits, spaces and hyphens only".into());
    }
    let value = letters_and_digits(raw);
    match kind {
        IdentifierKind::NoIdentifier if value.is_empty() => Ok(String::new()),
        IdentifierKind::NoIdentifier => Err("Choose what sort of identifier this is".into()),
        _ if value.is_empty() => Err(format!("Enter the {}", kind.label().to_lowercase())),
        IdentifierKind::Vrm if (2..=8).contains(&value.len()) => Ok(value),
        IdentifierKind::Vrm => Err("A registration mark has 2 to 8 letters and digits".into()),
        IdentifierKind::Vin if value.len() == 17 && !value.contains(['I', 'O', 'Q']) => Ok(value),
        IdentifierKind::Vin => Err("A VIN has 17 letters and digits, never I, O or Q".into()),
        IdentifierKind::Imei if value.len() == 15 && luhn_valid(&value) => Ok(value),
        IdentifierKind::Imei if value.len() == 15 && value.bytes().all(|b| b.is_ascii_digit()) => {
            Err("This IMEI's check digit is wrong: check the number (*#06# on the phone shows it)".into())
        }
        IdentifierKind::Imei => Err("An IMEI has 15 digits".into()),
        IdentifierKind::Serial | IdentifierKind::FrameNumber if (3..=40).contains(&value.len()) => Ok(value),
        IdentifierKind::Serial | IdentifierKind::FrameNumber => Err("Between 3 and 40 letters and digits".into()),
    }
}

/// The key one object is found by: its identifier's kind and normalised value ("imei:3569…").
/// Empty (never matched) for objects without an identifier.
pub fn identifier_key(kind: IdentifierKind, normalised: &str) -> String {
    if normalised.is_empty() || kind == IdentifierKind::NoIdentifier {
        String::new()
    } else {
        format!("{}:{normalised}", kind.as_str())
    }
}

/// Every key a searched-for identifier could be stored under, whatever its kind ("AB12 CDE" could be
/// a registration mark or a serial number).
pub fn identifier_search_keys(raw: &str) -> Vec<String> {
    IdentifierKind::ALL
        .iter()
        .filter_map(|kind| normalise_identifier(*kind, raw).ok().map(|v| identifier_key(*kind, &v)))
        .filter(|k| !k.is_empty())
        .collect()
}

/// An amount of money as entered ("£40", "12.50", "1,200") in pence. `None` for blank.
pub fn parse_pounds(raw: &str) -> Result<Option<i64>, String> {
    let text: String = raw.trim().trim_start_matches('£').chars().filter(|c| *c != ',').collect();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || "Enter an amount in pounds, like 40 or 12.50".to_string();
    let (pounds, pence) = match text.split_once('.') {
        Some((p, d)) if d.len() == 2 => (p, d.parse::<i64>().map_err(|_| bad())?),
        Some((p, d)) if d.len() == 1 => (p, d.parse::<i64>().map_err(|_| bad())? * 10),
        Some(_) => return Err(bad()),
        None => (text.as_str(), 0),
    };
    if pounds.is_empty() || !pounds.bytes().all(|b| b.is_ascii_digit()) || pounds.len() > 10 {
        return Err(bad());
    }
    Ok(Some(pounds.parse::<i64>().map_err(|_| bad())? * 100 + pence))
}

/// Pence shown as pounds: 4050 → "£40.50".
pub fn format_pounds(pence: i64) -> String {
    format!("£{}.{:02}", pence / 100, pence % 100)
}

/// An organisation: a business, charity, school or public body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub kind: OrganisationKind,
    pub address: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
    pub created_by_name: String,
}

impl Organisation {
    /// What makes two entries one organisation: the name and the address, spelled any way.
    pub fn keys(&self) -> (String, String) {
        (address_key(&self.name), address_key(&self.address))
    }
}

/// An organisation as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: String,
    pub address: String,
    pub phone: String,
}

impl NewOrganisation {
    /// The organisation, or every rule it breaks, with fields named under `prefix` (for example
    /// "organisations.0.").
    pub fn validate(
        &self,
        prefix: &str,
        id: Uuid,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<Organisation, Vec<FieldError>> {
        let mut errors = Vec::new();
        text_rule(&mut errors, &format!("{prefix}name"), &self.name, true, 200, "the organisation's name");
        text_rule(&mut errors, &format!("{prefix}address"), &self.address, false, 300, "the address");
        text_rule(&mut errors, &format!("{prefix}phone"), &self.phone, false, 40, "the phone number");
        let kind = if self.kind.trim().is_empty() {
            Some(OrganisationKind::Business)
        } else {
            self.kind.trim().parse::<OrganisationKind>().ok()
        };
        if kind.is_none() {
            errors.push(FieldError::new(format!("{prefix}kind"), "Choose what sort of organisation this is"));
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(Organisation {
                id,
                name: self.name.trim().to_string(),
                kind,
                address: self.address.trim().to_string(),
                phone: self.phone.trim().to_string(),
                created_at: at,
                created_by_name: by.to_string(),
            }),
            _ => Err(errors),
        }
    }
}

/// A thing: property, a vehicle, a phone, a weapon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoleObject {
    pub id: Uuid,
    pub kind: ObjectKind,
    pub description: String,
    pub identifier_kind: IdentifierKind,
    /// Normalised (see [`normalise_identifier`]); empty when there is none.
    pub identifier: String,
    pub make: String,
    pub model: String,
    pub colour: String,
    pub value_pence: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub created_by_name: String,
}

impl PoleObject {
    pub fn identifier_key(&self) -> String {
        identifier_key(self.identifier_kind, &self.identifier)
    }

    /// "Mobile phone: black iPhone 13 (IMEI 3569…)".
    pub fn summary(&self) -> String {
        let mut text = format!("{}: {}", self.kind.label(), self.description);
        let what = [self.colour.as_str(), self.make.as_str(), self.model.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !what.is_empty() {
            text.push_str(&format!(" ({what})"));
        }
        if !self.identifier.is_empty() {
            text.push_str(&format!(", {} {}", self.identifier_kind.label(), self.identifier));
        }
        if let Some(pence) = self.value_pence {
            text.push_str(&format!(", {}", format_pounds(pence)));
        }
        text
    }
}

/// An object as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewObject {
    pub kind: String,
    pub description: String,
    pub identifier_kind: String,
    pub identifier: String,
    pub make: String,
    pub model: String,
    pub colour: String,
    /// Pounds, as typed.
    pub value: String,
}

impl NewObject {
    /// Nothing typed at all: a blank row of a form, ignored.
    pub fn is_blank(&self) -> bool {
        [&self.description, &self.identifier, &self.make, &self.model, &self.colour, &self.value]
            .iter()
            .all(|s| s.trim().is_empty())
    }

    /// The object, or every rule it breaks, with fields named under `prefix`.
    pub fn validate(&self, prefix: &str, id: Uuid, at: DateTime<Utc>, by: &str) -> Result<PoleObject, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = self.kind.trim().parse::<ObjectKind>().ok();
        if kind.is_none() {
            errors.push(FieldError::new(format!("{prefix}kind"), "Choose what sort of object this is"));
        }
        text_rule(&mut errors, &format!("{prefix}description"), &self.description, true, 300, "what it is");
        for (field, value, what) in [
            ("make", &self.make, "the make"),
            ("model", &self.model, "the model"),
            ("colour", &self.colour, "the colour"),
        ] {
            text_rule(&mut errors, &format!("{prefix}{field}"), value, false, 60, what);
        }
        let identifier_kind = if self.identifier_kind.trim().is_empty() && self.identifier.trim().is_empty() {
            Some(IdentifierKind::NoIdentifier)
        } else {
            self.identifier_kind.trim().parse::<IdentifierKind>().ok()
        };
        let identifier = match identifier_kind {
            Some(k) => match normalise_identifier(k, &self.identifier) {
                Ok(v) => Some(v),
                Err(why) => {
                    errors.push(FieldError::new(format!("{prefix}identifier"), why));
                    None
                }
            },
            None => {
                errors.push(FieldError::new(
                    format!("{prefix}identifier_kind"),
                    "Choose what sort of identifier this is",
                ));
                None
            }
        };
        let value_pence = match parse_pounds(&self.value) {
            Ok(v) => v,
            Err(why) => {
                errors.push(FieldError::new(format!("{prefix}value"), why));
                None
            }
        };
        match (kind, identifier_kind, identifier) {
            (Some(kind), Some(identifier_kind), Some(identifier)) if errors.is_empty() => Ok(PoleObject {
                id,
                kind,
                description: self.description.trim().to_string(),
                identifier_kind,
                identifier,
                make: self.make.trim().to_string(),
                model: self.model.trim().to_string(),
                colour: self.colour.trim().to_string(),
                value_pence,
                created_at: at,
                created_by_name: by.to_string(),
            }),
            _ => Err(errors),
        }
    }
}

/// A place: an address, with coordinates when known.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub id: Uuid,
    pub text: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: DateTime<Utc>,
}

impl Location {
    pub fn address_key(&self) -> String {
        address_key(&self.text)
    }
}

/// An organisation linked to a crime in a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrimeOrganisation {
    pub organisation: Organisation,
    pub role: CrimeRole,
    pub linked_at: DateTime<Utc>,
    pub linked_by_name: String,
}

/// An object linked to a crime in a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrimeObject {
    pub object: PoleObject,
    pub role: ObjectRole,
    pub linked_at: DateTime<Utc>,
    pub linked_by_name: String,
}

/// A location linked to a crime in a role.
#[derive(Debug, Clone, PartialEq)]
pub struct CrimeLocation {
    pub location: Location,
    pub role: LocationRole,
    pub linked_at: DateTime<Utc>,
    pub linked_by_name: String,
}

/// Something to link to a recorded crime, as entered. Roles are codes ("victim", "stolen", "scene").
#[derive(Debug, Clone, PartialEq)]
pub enum CrimeLink {
    Person { person_id: Uuid, role: String },
    Organisation { organisation: NewOrganisation, role: String },
    Object { object: NewObject, role: String },
    Location { text: String, latitude: Option<f64>, longitude: Option<f64>, role: String },
}

fn role<T: std::str::FromStr>(code: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    let parsed = code.trim().parse::<T>().ok();
    if parsed.is_none() {
        errors.push(FieldError::new("role", "Choose the role"));
    }
    parsed
}

// ---- Use cases -----------------------------------------------------------------------------------

impl Core {
    /// Links a person, organisation, object or location to a recorded crime in a role, if the
    /// crime is still `version` and open. Organisations, objects and locations already known (same
    /// name and address, identifier, or address) are linked rather than entered again.
    pub async fn link_to_crime(
        &self,
        by: &Principal,
        id: Uuid,
        version: i64,
        link: &CrimeLink,
        ctx: &RequestContext,
    ) -> Result<Crime> {
        by.require(Permission::CrimeRecord)?;
        let record = self.store.find_crime(id).await?.ok_or(Error::NotFound)?;
        let now = self.now();
        let by_name = by.username.clone();
        let mut errors = Vec::new();
        if !record.crime.status.is_open() {
            errors.push(FieldError::new(
                "status",
                format!("The crime is {}: reopen it first", record.crime.status.label().to_lowercase()),
            ));
        }
        let change = match link {
            CrimeLink::Person { person_id, role: code } => {
                let role = role::<CrimeRole>(code, &mut errors);
                let names = self.store.person_names(&[*person_id]).await?;
                match names.first() {
                    None => errors.push(FieldError::new("person_id", "No such person: search for them first")),
                    Some(_) if self.store.find_person(*person_id).await?.is_some_and(|p| p.merged_into.is_some()) => {
                        errors.push(FieldError::new(
                            "person_id",
                            "This record was merged into another: link the person it was merged into",
                        ))
                    }
                    Some(_) if record.people.iter().any(|p| p.person_id == *person_id && Some(p.role) == role) => {
                        errors.push(FieldError::new("role", "This person is already linked in this role"))
                    }
                    Some(_) => {}
                }
                role.map(|role| {
                    CrimeChange::LinkPerson(CrimePerson {
                        crime_id: id,
                        person_id: *person_id,
                        role,
                        linked_at: now,
                        linked_by_name: by_name.clone(),
                        name: names.first().map(|(_, n)| n.clone()).unwrap_or_default(),
                    })
                })
            }
            CrimeLink::Organisation { organisation, role: code } => {
                let role = role::<CrimeRole>(code, &mut errors);
                let org = organisation.validate("", Uuid::now_v7(), now, &by_name).map_err(|e| errors.extend(e)).ok();
                if let (Some(o), Some(r)) = (&org, role)
                    && record.organisations.iter().any(|x| x.organisation.keys() == o.keys() && x.role == r)
                {
                    errors.push(FieldError::new("name", "This organisation is already linked in this role"));
                }
                org.zip(role).map(|(organisation, role)| {
                    CrimeChange::LinkOrganisation(CrimeOrganisation {
                        organisation,
                        role,
                        linked_at: now,
                        linked_by_name: by_name.clone(),
                    })
                })
            }
            CrimeLink::Object { object, role: code } => {
                let role = role::<ObjectRole>(code, &mut errors);
                let object = object.validate("", Uuid::now_v7(), now, &by_name).map_err(|e| errors.extend(e)).ok();
                if let (Some(o), Some(r)) = (&object, role)
                    && !o.identifier.is_empty()
                    && record.objects.iter().any(|x| x.object.identifier_key() == o.identifier_key() && x.role == r)
                {
                    errors.push(FieldError::new("identifier", "This object is already linked in this role"));
                }
                object.zip(role).map(|(object, role)| {
                    CrimeChange::LinkObject(CrimeObject {
                        object,
                        role,
                        linked_at: now,
                        linked_by_name: by_name.clone(),
                    })
                })
            }
            CrimeLink::Location { text, latitude, longitude, role: code } => {
                let role = role::<LocationRole>(code, &mut errors);
                text_rule(&mut errors, "text", text, true, 300, "the address");
                if latitude.is_some() != longitude.is_some()
                    || latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l))
                    || longitude.is_some_and(|l| !(-180.0..=180.0).contains(&l))
                {
                    errors.push(FieldError::new("latitude", "Give both latitude and longitude, or neither"));
                }
                if let Some(r) = role
                    && record.locations.iter().any(|x| x.location.address_key() == address_key(text) && x.role == r)
                {
                    errors.push(FieldError::new("text", "This location is already linked in this role"));
                }
                role.map(|role| {
                    CrimeChange::LinkLocation(CrimeLocation {
                        location: Location {
                            id: Uuid::now_v7(),
                            text: text.trim().to_string(),
                            latitude: *latitude,
                            longitude: *longitude,
                            created_at: now,
                        },
                        role,
                        linked_at: now,
                        linked_by_name: by_name.clone(),
                    })
                })
            }
        };
        let Some(change) = change.filter(|_| errors.is_empty()) else { return Err(Error::Invalid(errors)) };
        if record.crime.version != version {
            return Err(Error::Conflict(format!("crime {} was changed by someone else", record.crime.number)));
        }
        let what = match &change {
            CrimeChange::LinkPerson(p) => serde_json::json!({"person": p.person_id, "role": p.role.as_str()}),
            CrimeChange::LinkOrganisation(o) => {
                serde_json::json!({"organisation": o.organisation.name, "role": o.role.as_str()})
            }
            CrimeChange::LinkObject(o) => {
                serde_json::json!({"object": o.object.summary(), "role": o.role.as_str()})
            }
            CrimeChange::LinkLocation(l) => serde_json::json!({"location": l.location.text, "role": l.role.as_str()}),
            _ => serde_json::Value::Null,
        };
        let mut crime = record.crime;
        crime.version += 1;
        let audit =
            self.event(&By::User(by).actor(), "crime.link", AuditCategory::Alter, ctx).record("crime", id).after(&what);
        self.store.update_crime(&crime, version, &change, &audit).await?;
        Ok(crime)
    }

    /// Every object stored under an identifier as typed (any kind it could be), with the crimes it
    /// is linked to and its role in each. Audited as a search.
    pub async fn crimes_with_object(
        &self,
        by: &Principal,
        identifier: &str,
        ctx: &RequestContext,
    ) -> Result<Vec<(PoleObject, Vec<(ObjectRole, Crime)>)>> {
        by.require(Permission::CrimeView)?;
        let keys = identifier_search_keys(identifier);
        if keys.is_empty() {
            return Err(Error::invalid(
                "identifier",
                "Enter a registration mark, VIN, IMEI, serial or frame number (letters and digits)",
            ));
        }
        let audit = self
            .event(&By::User(by).actor(), "crime.search.object", AuditCategory::Consult, ctx)
            .after(&serde_json::json!({"identifier": identifier.trim()}));
        self.store.append_audit(&audit).await?;
        self.store.find_object_crimes(&keys).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn imeis_are_checked_by_luhn() {
        assert_eq!(normalise_identifier(IdentifierKind::Imei, "35-693803-564380-9"), Ok("356938035643809".into()));
        assert!(
            normalise_identifier(IdentifierKind::Imei, "356938035643808").expect_err("refused").contains("check digit")
        );
        assert!(
            normalise_identifier(IdentifierKind::Imei, "3569380356438").expect_err("refused").contains("15 digits")
        );
    }

    #[test]
    fn registration_marks_and_vins_are_normalised() {
        assert_eq!(normalise_identifier(IdentifierKind::Vrm, "ab12 cde"), Ok("AB12CDE".into()));
        assert!(normalise_identifier(IdentifierKind::Vrm, "ABCDEFGHJ").is_err());
        assert_eq!(normalise_identifier(IdentifierKind::Vin, "1hgcm82633a004352"), Ok("1HGCM82633A004352".into()));
        assert!(
            normalise_identifier(IdentifierKind::Vin, "1HGCM82633A00435I").expect_err("refused").contains("never I")
        );
        assert!(normalise_identifier(IdentifierKind::Serial, "SN<script>").is_err());
        assert_eq!(normalise_identifier(IdentifierKind::NoIdentifier, " "), Ok(String::new()));
        assert!(normalise_identifier(IdentifierKind::NoIdentifier, "X1").is_err());
    }

    #[test]
    fn a_searched_identifier_finds_every_kind_it_could_be() {
        let keys = identifier_search_keys("AB12 CDE");
        assert!(keys.contains(&"vrm:AB12CDE".to_string()) && keys.contains(&"serial:AB12CDE".to_string()));
        assert!(!keys.iter().any(|k| k.starts_with("imei:")));
        assert_eq!(identifier_search_keys("356938035643809")[..2], ["imei:356938035643809", "serial:356938035643809"]);
    }

    #[test]
    fn pounds_parse_to_pence() {
        assert_eq!(parse_pounds("£40"), Ok(Some(4000)));
        assert_eq!(parse_pounds("1,200.5"), Ok(Some(120050)));
        assert_eq!(parse_pounds(" "), Ok(None));
        assert!(parse_pounds("12.345").is_err() && parse_pounds("-3").is_err() && parse_pounds("ten").is_err());
        assert_eq!(format_pounds(4050), "£40.50");
    }

    #[test]
    fn objects_name_every_broken_field() {
        let now = Utc::now();
        let bad = NewObject {
            kind: "spaceship".into(),
            description: String::new(),
            identifier_kind: "imei".into(),
            identifier: "123".into(),
            value: "lots".into(),
            ..Default::default()
        };
        let fields: Vec<String> = bad
            .validate("objects.0.", Uuid::nil(), now, "u")
            .expect_err("refused")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["objects.0.kind", "objects.0.description", "objects.0.identifier", "objects.0.value"]);
        let good = NewObject {
            kind: "mobile-phone".into(),
            description: "iPhone".into(),
            identifier_kind: "imei".into(),
            identifier: "356938035643809".into(),
            value: "£350".into(),
            ..Default::default()
        }
        .validate("", Uuid::nil(), now, "u")
        .expect("valid");
        assert_eq!(good.identifier_key(), "imei:356938035643809");
        assert_eq!(good.summary(), "Mobile phone: iPhone, IMEI 356938035643809, £350.00");
    }

    proptest! {
        #[test]
        fn any_fourteen_digits_have_exactly_one_luhn_check_digit(body in "[0-9]{14}") {
            let valid: Vec<u8> = (0..10u8).filter(|d| luhn_valid(&format!("{body}{d}"))).collect();
            prop_assert_eq!(valid.len(), 1);
        }

        #[test]
        fn normalising_twice_changes_nothing(raw in "[a-zA-Z0-9 -]{0,20}") {
            for kind in IdentifierKind::ALL {
                if let Ok(once) = normalise_identifier(*kind, &raw) {
                    prop_assert_eq!(normalise_identifier(*kind, &once), Ok(once.clone()));
                }
            }
        }

        #[test]
        fn pence_round_trip_through_pounds(pence in 0i64..10_000_000_000) {
            prop_assert_eq!(parse_pounds(&format_pounds(pence)), Ok(Some(pence)));
        }
    }
}
