//! The demo force: Wealdshire Constabulary, a small fictional force of three divisions, twelve
//! stations and about 150 officers and staff across every role, rank, accreditation and specialism.
//! Deterministic: the same people every time. One account per role can sign in; the rest populate
//! the directory.

use bluelamp_core::Core;
use bluelamp_core::access::Role;
use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::By;
use bluelamp_core::restriction::RecordRef;
use bluelamp_core::user::{NewUser, PipLevel, Rank, Specialism};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

pub const FORCE_NAME: &str = "Wealdshire Constabulary";

/// The demo force's division boundaries (fictional rectangles around the demo's coordinates).
pub const AREAS: &str = include_str!("../data/demo-areas.geojson");

const DIVISIONS: &[(&str, &[&str])] = &[
    ("North", &["Harbourne", "Kingsmere", "Saltcote", "Wyvern Cross"]),
    ("East", &["Oakfield", "Marden Quay", "Eastling", "Fenbridge"]),
    ("West", &["Thornbury", "Ashcombe", "Westerham Vale", "Lyde Green"]),
];

const FIRST: &[&str] = &[
    "Amira", "Ben", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Harry", "Isla", "Jack", "Kiran", "Laura", "Mo", "Niamh",
    "Owen", "Priya", "Rhys", "Sophie", "Tom", "Uma", "Viktor", "Wendy", "Yusuf", "Zara",
];
const LAST: &[&str] = &[
    "Adeyemi", "Bennett", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan", "Lewis",
    "Morgan", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts", "Shah", "Taylor", "Walsh", "Young",
];

/// Role, rank, name, PIP level, specialisms, team, station.
type RoleAccount = (Role, Rank, &'static str, PipLevel, Vec<Specialism>, &'static str, &'static str);

/// The twelve accounts that can sign in: user name = role name.
fn role_accounts() -> Vec<RoleAccount> {
    use PipLevel::*;
    use Specialism::*;
    vec![
        (Role::Admin, Rank::Staff, "Sam Okafor", None, vec![], "Force IT", "Headquarters"),
        (Role::CallHandler, Rank::Staff, "Leah Marsh", None, vec![], "Control Room Blue Watch", "Force Control Room"),
        (
            Role::ControlRoomSupervisor,
            Rank::Inspector,
            "Gareth Pryce",
            Pip1,
            vec![],
            "Control Room Blue Watch",
            "Force Control Room",
        ),
        (Role::Triage, Rank::Staff, "Nadia Bashir", Pip1, vec![], "Incident Management Unit", "Headquarters"),
        (
            Role::Investigator,
            Rank::Constable,
            "Josh Whitfield",
            Pip2,
            vec![DomesticAbuse, SexualOffencesLiaison],
            "CID East",
            "Oakfield",
        ),
        (Role::Supervisor, Rank::Sergeant, "Claire Doyle", Pip2, vec![DomesticAbuse], "CID East", "Oakfield"),
        (
            Role::Safeguarding,
            Rank::Constable,
            "Ruth Ellison",
            Pip2,
            vec![ChildAbuse, DomesticAbuse],
            "MASH",
            "Headquarters",
        ),
        (Role::Custody, Rank::Sergeant, "Ian Fletcher", Pip1, vec![], "Custody", "Harbourne"),
        (
            Role::OffenderManager,
            Rank::Constable,
            "Megan Lowe",
            Pip1,
            vec![OnlineInvestigation],
            "Offender Management",
            "Thornbury",
        ),
        (Role::Analyst, Rank::Staff, "Tariq Aziz", None, vec![], "Performance and Insight", "Headquarters"),
        (Role::CrimeRegistrar, Rank::Staff, "Helen Stroud", None, vec![], "Crime Registrar's Office", "Headquarters"),
        (Role::Auditor, Rank::Staff, "Owain Rees", None, vec![], "Professional Standards", "Headquarters"),
    ]
}

/// Creates the force if the database has no users yet. Returns how many people it added.
pub async fn load(core: &Core) -> anyhow::Result<usize> {
    if core.store.count_users().await? > 0 {
        return Ok(0);
    }
    let ctx = RequestContext::default();
    let by = By::System("demo");
    let mut added = 0;
    for (i, (role, rank, name, pip, specialisms, team, station)) in role_accounts().into_iter().enumerate() {
        let division = DIVISIONS.iter().find(|(_, s)| s.contains(&station)).map(|(d, _)| *d).unwrap_or("Headquarters");
        let new = NewUser {
            username: role.as_str().into(),
            display_name: format!("{} {}", rank_prefix(rank, !specialisms.is_empty()), name).trim().to_string(),
            collar_number: format!("{}", 9000 + i),
            rank: rank.as_str().into(),
            team: team.into(),
            station: station.into(),
            division: division.into(),
            pip_level: pip.as_str().into(),
            specialisms: specialisms.iter().map(|s| s.as_str().to_string()).collect(),
            roles: vec![role.as_str().into()],
        };
        core.create_user(by, &new, None, &ctx).await?;
        added += 1;
    }
    let mut rng = StdRng::seed_from_u64(1829);
    let mut collar = 1000;
    for (division, stations) in DIVISIONS {
        for station in *stations {
            for (team, roles, count) in [
                ("Response", &[Role::CallHandler, Role::Investigator][1..], 6),
                ("Neighbourhood", &[Role::Investigator][..], 2),
                ("CID", &[Role::Investigator][..], 3),
            ] {
                for n in 0..count {
                    collar += 1;
                    let (rank, pip) = match n {
                        0 if team == "CID" => (Rank::Sergeant, PipLevel::Pip2),
                        0 => (Rank::Sergeant, PipLevel::Pip1),
                        _ if team == "CID" => (
                            Rank::Constable,
                            *[PipLevel::Pip1, PipLevel::Pip2].choose(&mut rng).unwrap_or(&PipLevel::Pip1),
                        ),
                        _ if team == "Neighbourhood" => (Rank::Pcso, PipLevel::None),
                        _ => (Rank::Constable, PipLevel::Pip1),
                    };
                    let role = if rank == Rank::Sergeant { Role::Supervisor } else { roles[0] };
                    let specialisms: Vec<String> = if team == "CID" {
                        let s = *Specialism::ALL.choose(&mut rng).unwrap_or(&Specialism::DomesticAbuse);
                        vec![s.as_str().into()]
                    } else {
                        vec![]
                    };
                    let first = FIRST.choose(&mut rng).unwrap_or(&"Alex");
                    let last = LAST.choose(&mut rng).unwrap_or(&"Smith");
                    let new = NewUser {
                        username: format!(
                            "{}.{}{}",
                            first.to_lowercase(),
                            last.to_lowercase().replace('\'', ""),
                            collar
                        ),
                        display_name: format!("{} {collar} {first} {last}", rank_prefix(rank, team == "CID")),
                        collar_number: collar.to_string(),
                        rank: rank.as_str().into(),
                        team: format!("{team} {station}"),
                        station: (*station).into(),
                        division: (*division).into(),
                        pip_level: pip.as_str().into(),
                        specialisms,
                        roles: vec![role.as_str().into()],
                    };
                    core.create_user(by, &new, None, &ctx).await?;
                    added += 1;
                }
            }
        }
    }
    // Senior officers, one per division, and the chief officer team.
    for (i, (division, _)) in DIVISIONS.iter().enumerate() {
        let new = NewUser {
            username: format!("supt.{}", division.to_lowercase()),
            display_name: format!("Supt {} {}", FIRST[i * 5 % FIRST.len()], LAST[i * 7 % LAST.len()]),
            collar_number: format!("{}", 100 + i),
            rank: Rank::Superintendent.as_str().into(),
            team: format!("{division} Division command"),
            station: DIVISIONS[i].1[0].into(),
            division: (*division).into(),
            pip_level: PipLevel::Pip3.as_str().into(),
            specialisms: vec![],
            roles: vec![Role::Supervisor.as_str().into()],
        };
        core.create_user(by, &new, None, &ctx).await?;
        added += 1;
    }
    for (username, name, rank) in [
        ("cc.whitmore", "Chief Constable Alison Whitmore", Rank::ChiefConstable),
        ("dcc.barker", "DCC Simon Barker", Rank::DeputyChiefConstable),
        ("acc.nwosu", "ACC Grace Nwosu", Rank::AssistantChiefConstable),
        ("dci.harlow", "DCI Paul Harlow", Rank::ChiefInspector),
        ("ch.supt.venn", "Ch Supt Morag Venn", Rank::ChiefSuperintendent),
        ("sc.riley", "SC 4410 Dan Riley", Rank::SpecialConstable),
    ] {
        let new = NewUser {
            username: username.into(),
            display_name: name.into(),
            collar_number: format!("{}", 10 + added),
            rank: rank.as_str().into(),
            team: "Chief officer group".into(),
            station: "Headquarters".into(),
            division: "Headquarters".into(),
            pip_level: if rank == Rank::ChiefInspector { PipLevel::Pip4 } else { PipLevel::Pip3 }.as_str().into(),
            specialisms: vec![],
            roles: vec![Role::Supervisor.as_str().into()],
        };
        core.create_user(by, &new, None, &ctx).await?;
        added += 1;
    }
    // A covert officer whose record only the investigator's sergeant may see.
    let covert = NewUser {
        username: "dc.covert".into(),
        display_name: "DC 7001 (covert)".into(),
        collar_number: "7001".into(),
        rank: Rank::Constable.as_str().into(),
        team: "Covert Operations".into(),
        station: "Headquarters".into(),
        division: "Headquarters".into(),
        pip_level: PipLevel::Pip2.as_str().into(),
        specialisms: vec![Specialism::OnlineInvestigation.as_str().into()],
        roles: vec![Role::Investigator.as_str().into()],
    };
    let covert = core.create_user(by, &covert, None, &ctx).await?;
    added += 1;
    core.restrict_record(
        by,
        &RecordRef::new("officer", covert.id),
        "Covert role: details are need-to-know",
        &["supervisor".to_string()],
        &ctx,
    )
    .await?;
    Ok(added)
}

fn rank_prefix(rank: Rank, detective: bool) -> &'static str {
    match (rank, detective) {
        (Rank::Constable, true) => "DC",
        (Rank::Constable, false) => "PC",
        (Rank::Sergeant, true) => "DS",
        (Rank::Sergeant, false) => "PS",
        (Rank::Inspector, _) => "Insp",
        (Rank::Pcso, _) => "PCSO",
        _ => "",
    }
}

/// Gives every role account `password`, unlocking it; returns the user names.
pub async fn set_role_passwords(core: &Core, password: &str) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for role in Role::ALL {
        core.reset_password(By::System("demo"), role.as_str(), password, &RequestContext::default()).await?;
        names.push(role.as_str().to_string());
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use bluelamp_core::area::{AreaMap, Level};

    /// The demo's boundaries hang together: every beat lies inside the division it names, beats tile
    /// their divisions, and the wards tile the force area, so every point inside has all three.
    #[test]
    fn the_demo_areas_are_coherent() {
        let map = AreaMap::from_geojson(super::AREAS).expect("the demo areas parse");
        assert_eq!(map.names(Level::Division), vec!["North", "West", "East"]);
        assert_eq!(map.names(Level::Beat).len(), 12);
        assert_eq!(map.names(Level::Ward).len(), 9);
        let json: serde_json::Value = serde_json::from_str(super::AREAS).expect("json");
        for feature in json["features"].as_array().expect("features") {
            let Some(division) = feature["properties"]["division"].as_str() else { continue };
            let ring = feature["geometry"]["coordinates"][0].as_array().expect("ring");
            let n = (ring.len() - 1) as f64;
            let (lon, lat) = ring[..ring.len() - 1].iter().fold((0.0, 0.0), |(x, y), p| {
                (x + p[0].as_f64().expect("lon") / n, y + p[1].as_f64().expect("lat") / n)
            });
            assert_eq!(map.locate(lat, lon), Some(division), "{}", feature["properties"]["name"]);
        }
        for i in 0..90 {
            for j in 0..60 {
                let (lon, lat) = (0.2 + 0.005 + i as f64 * 0.01, 51.0 + 0.0025 + j as f64 * 0.005);
                let place = map.place(lat, lon);
                assert!(place.division.is_some() && place.beat.is_some() && place.ward.is_some(), "{lat},{lon}");
                let beat_division = map.areas.iter().find(|a| Some(a.name.as_str()) == place.beat).map(|a| {
                    super::DIVISIONS
                        .iter()
                        .any(|(d, stations)| Some(*d) == place.division && stations.iter().any(|s| a.name.ends_with(s)))
                });
                assert_eq!(beat_division, Some(true), "beat {:?} in {:?}", place.beat, place.division);
            }
        }
    }
}
