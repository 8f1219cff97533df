//! Reference tables the generator draws from: surnames with their frequency in England and Wales,
//! forenames, Kent's LSOAs (from the data.police.uk files), offence codes in their usual
//! proportions and the Kent crime-type mix they are calibrated to.

// ---- Reference tables ---------------------------------------------------------------------------------

/// Common surnames of England and Wales with their approximate share per 100,000 people (Smith about
/// 1.3%); the rest of the population gets [`tail_surnames`].
pub(crate) const SURNAMES: &str = "Smith 1260 Jones 750 Williams 620 Taylor 530 Brown 520 Davies 480 Evans 400 Wilson 340 \
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
pub(crate) fn tail_surnames() -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (i, p) in TAIL_PREFIXES.iter().enumerate() {
        for (j, s) in TAIL_SUFFIXES.iter().enumerate() {
            let rank = 1 + (i * TAIL_SUFFIXES.len() + j * 7) % 1000;
            out.push((format!("{p}{s}"), 1.0 / rank as f64));
        }
    }
    out
}

pub(crate) const FEMALE: &[&str] = &[
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
pub(crate) const MALE: &[&str] = &[
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
pub(crate) const OFFENCE_WEIGHTS: &[(&str, f64)] = &[
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

/// Kent's recorded crime by data.police.uk crime type, January to September 2022 (the nine street
/// files; counts as listed in their SOURCE.md, anti-social behaviour left out as it is not crime),
/// with the Home Office offence codes each type covers: a code is drawn by its type's Kent share,
/// then by [`OFFENCE_WEIGHTS`] within the type. Contains public sector information licensed under
/// the Open Government Licence v3.0 (data.police.uk / Kent Police).
pub(crate) const KENT_CRIME_TYPES: &[(&str, u32, CodeSet)] = &[
    ("Violence and sexual offences", 63_918, CodeSet::Groups(&["violence-against-the-person", "sexual-offences"])),
    ("Criminal damage and arson", 15_323, CodeSet::Groups(&["arson-and-criminal-damage"])),
    ("Other theft", 10_720, CodeSet::GroupExcept("theft", &["46", "44", "39"])),
    ("Public order", 9_631, CodeSet::Groups(&["public-order-offences"])),
    ("Shoplifting", 8_913, CodeSet::Codes(&["46"])),
    ("Vehicle crime", 7_047, CodeSet::Groups(&["vehicle-offences"])),
    ("Burglary", 5_236, CodeSet::Groups(&["burglary"])),
    ("Other crime", 4_179, CodeSet::Groups(&["miscellaneous-crimes-against-society", "fraud"])),
    ("Drugs", 2_984, CodeSet::Groups(&["drug-offences"])),
    ("Robbery", 1_043, CodeSet::Groups(&["robbery"])),
    ("Possession of weapons", 1_003, CodeSet::Groups(&["possession-of-weapons"])),
    ("Bicycle theft", 843, CodeSet::Codes(&["44"])),
    ("Theft from the person", 755, CodeSet::Codes(&["39"])),
];

/// Kent's crimes (anti-social behaviour included) by month, January to September 2022: the
/// generator's seasonal shape, repeated each year (October to December take September's level).
pub(crate) const KENT_MONTHS: [u32; 9] = [16_338, 15_383, 17_310, 17_144, 17_546, 17_388, 17_950, 18_365, 16_574];

/// Which offence codes a data.police.uk crime type covers.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CodeSet {
    /// Every code in these offence groups.
    Groups(&'static [&'static str]),
    /// Every code of a group but these.
    GroupExcept(&'static str, &'static [&'static str]),
    /// Exactly these codes.
    Codes(&'static [&'static str]),
}

impl CodeSet {
    pub(crate) fn covers(&self, code: &str, group: &str) -> bool {
        match self {
            CodeSet::Groups(groups) => groups.contains(&group),
            CodeSet::GroupExcept(g, except) => *g == group && !except.contains(&code),
            CodeSet::Codes(codes) => codes.contains(&code),
        }
    }
}

/// Incidents that are not crimes, by NSIR category, in rough proportion to a county force's demand
/// (per thousand non-crime incidents).
pub(crate) const OTHER_INCIDENTS: &[(&str, f64)] = &[
    ("ASB-PER", 40.0),
    ("ASB-NUI", 90.0),
    ("ASB-ENV", 15.0),
    ("PSW-CFS", 130.0),
    ("PSW-DOM", 70.0),
    ("PSW-CIV", 45.0),
    ("PSW-SUD", 8.0),
    ("PSW-SUS", 90.0),
    ("PSW-MIS", 30.0),
    ("PSW-CII", 35.0),
    ("PSW-INS", 15.0),
    ("PSW-PRO", 30.0),
    ("PSW-ALM", 40.0),
    ("PSW-A99", 110.0),
    ("PSW-ANI", 20.0),
    ("PSW-MHT", 45.0),
    ("PSW-PRT", 2.0),
    ("TRN-RTCD", 45.0),
    ("TRN-RTCI", 15.0),
    ("TRN-RTCF", 1.0),
    ("TRN-HWY", 35.0),
    ("ADM-MSG", 60.0),
    ("ADM-PPE", 5.0),
    ("ADM-DUP", 14.0),
];

/// The NSIR crime category an incident reporting a crime of this offence group opens with.
pub(crate) fn crime_category(group: &str) -> &'static str {
    match group {
        "violence-against-the-person" => "CRM-VIO",
        "sexual-offences" => "CRM-SEX",
        "robbery" => "CRM-ROB",
        "burglary" => "CRM-BUR",
        "vehicle-offences" => "CRM-VEH",
        "theft" => "CRM-THF",
        "arson-and-criminal-damage" => "CRM-DAM",
        "drug-offences" => "CRM-DRG",
        "possession-of-weapons" => "CRM-WPN",
        "public-order-offences" => "CRM-POR",
        "fraud" => "CRM-FRD",
        _ => "CRM-OTH",
    }
}
