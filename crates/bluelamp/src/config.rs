//! Configuration: a TOML file (`--config`), overridden by `BLUELAMP_*` environment variables
//! (`BLUELAMP_DATABASE_URL`, `BLUELAMP_SESSION__IDLE_MINUTES`, …). `bluelamp config example` prints
//! [`EXAMPLE`], which documents every key.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

pub const EXAMPLE: &str = include_str!("../../../docs/bluelamp.example.toml");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite:///var/lib/bluelamp/bluelamp.db` or `postgres://user:password@host/db`.
    #[serde(serialize_with = "redacted")]
    pub database_url: Option<SecretString>,
    pub listen: String,
    pub environment: Environment,
    pub force_name: String,
    pub assets_dir: PathBuf,
    pub secure_cookies: bool,
    pub trusted_origins: Vec<String>,
    pub log_format: LogFormat,
    /// Seconds the dashboards' heavier results (THRIVE sample, NCRS compliance) are kept.
    pub dashboard_cache_seconds: u64,
    pub session: SessionConfig,
    pub sign_in: SignInConfig,
    pub database: DatabaseConfig,
    pub incidents: IncidentConfig,
    pub crimes: CrimeConfig,
    pub triage: TriageConfig,
    pub investigation: InvestigationConfig,
}

fn redacted<S: serde::Serializer>(value: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_some("[redacted]"),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Production,
    Demo,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    pub idle_minutes: i64,
    pub absolute_hours: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInConfig {
    pub lockout_threshold: i32,
    pub lockout_minutes: i64,
    pub per_address_per_minute: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentConfig {
    /// GeoJSON of the force's divisions (Polygon features with a `name`); none configured if unset.
    pub areas_file: Option<PathBuf>,
    /// The force's NSIR categories and qualifiers (TOML, see docs/operations.md); the built-in list
    /// if unset.
    pub nsir_file: Option<PathBuf>,
    pub reference_format: String,
    pub intake_lookback_days: i64,
    /// THRIVE quality sampling: percentage of graded incidents reviewed, and for newer staff.
    pub thrive_sample_percent: u32,
    pub thrive_sample_new_staff_percent: u32,
    pub thrive_new_staff_days: i64,
    pub emergency_urban_minutes: i64,
    pub emergency_rural_minutes: i64,
    pub priority_urban_minutes: i64,
    pub priority_rural_minutes: i64,
    pub scheduled_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrimeConfig {
    /// The force's Home Office offence classification list (CSV: code,label,group,subgroup,confirmed);
    /// the built-in HOCR 2022/23 list if unset.
    pub offences_file: Option<PathBuf>,
    /// The version recorded with every classification made under that file, e.g. "HOCR 2024/25".
    pub offences_version: String,
    /// Crime numbers: {yyyy} or {yy} is the year recorded, {seq:6} that year's number zero-padded.
    pub number_format: String,
    /// The cancellation criteria (HOCR Section C) as TOML; the built-in list when unset (see
    /// crates/bluelamp-core/data/cancellation-criteria.toml for the format).
    pub cancellation_file: Option<PathBuf>,
    /// Offence groups whose crimes may list several victims; all others are one crime per victim
    /// (HOCR Section D). Unset: burglary and the state-based groups.
    pub several_victims_groups: Option<Vec<String>>,
}

/// Triage and allocation (issue 6).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageConfig {
    /// Hours a crime with a victim at higher risk (vulnerable, child, domestic abuse, hate crime)
    /// may wait for allocation before the triage supervisor is alerted; others `standard_hours`.
    pub high_risk_hours: i64,
    pub standard_hours: i64,
    /// The duty inspector is alerted at this many times the limit.
    pub inspector_multiple: i64,
    /// The desk-investigation team (the end of a team's name).
    pub desk_team: String,
    /// Caseload caps (open crimes) for officers without their own, and for desk investigators.
    pub default_cap: u32,
    pub desk_cap: u32,
    /// Offence groups allocated without a supervisor, every `auto_allocate_minutes`.
    pub auto_allocate_groups: Vec<String>,
    pub auto_allocate_minutes: u64,
    /// The solvability models (TOML); the built-in EBIT and burglary models when unset.
    pub models_file: Option<PathBuf>,
    /// The allocation requirements and workload weights (TOML); the built-in table when unset.
    pub requirements_file: Option<PathBuf>,
    pub priority: PriorityConfig,
}

/// Points each risk adds to a crime's place in the triage queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityConfig {
    pub vulnerable_victim: i64,
    pub child_victim: i64,
    pub domestic_abuse: i64,
    pub hate_crime: i64,
    pub repeat_victim: i64,
    pub named_suspect: i64,
    pub perishable_evidence: i64,
    pub per_day_waiting: i64,
}

impl TriageConfig {
    pub fn auto_allocate_every(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.auto_allocate_minutes.max(1) * 60)
    }

    fn policy(&self) -> anyhow::Result<bluelamp_core::triage::TriagePolicy> {
        let mut policy = bluelamp_core::triage::TriagePolicy::default();
        let p = &self.priority;
        policy.priority = bluelamp_core::triage::PriorityWeights {
            vulnerable_victim: p.vulnerable_victim,
            child_victim: p.child_victim,
            domestic_abuse: p.domestic_abuse,
            hate_crime: p.hate_crime,
            repeat_victim: p.repeat_victim,
            named_suspect: p.named_suspect,
            perishable_evidence: p.perishable_evidence,
            per_day_waiting: p.per_day_waiting,
            ..policy.priority
        };
        policy.limits = bluelamp_core::triage::AgeingLimits {
            high_risk_hours: self.high_risk_hours,
            standard_hours: self.standard_hours,
            inspector_multiple: self.inspector_multiple,
        };
        policy.desk_team = self.desk_team.clone();
        policy.default_cap = self.default_cap;
        policy.desk_cap = self.desk_cap;
        policy.auto_allocate = self
            .auto_allocate_groups
            .iter()
            .map(|g| {
                g.parse::<bluelamp_core::offence::OffenceGroup>()
                    .map_err(|_| anyhow::anyhow!("triage.auto_allocate_groups: '{g}' is not an offence group"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if let Some(path) = &self.models_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("triage.models_file {}: {e}", path.display()))?;
            policy.models = bluelamp_core::solvability::ModelSet::parse(&text)
                .map_err(|e| anyhow::anyhow!("triage.models_file {}: {}", path.display(), e.join("; ")))?;
        }
        if let Some(path) = &self.requirements_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("triage.requirements_file {}: {e}", path.display()))?;
            policy.requirements = bluelamp_core::allocation::RequirementTable::parse(&text).map_err(|e| {
                anyhow::anyhow!(
                    "triage.requirements_file {}: {}",
                    path.display(),
                    e.iter().map(|f| format!("{}: {}", f.field, f.rule)).collect::<Vec<_>>().join("; ")
                )
            })?;
        }
        Ok(policy)
    }
}

/// Investigations and outcomes (issue 7): the supervision schedule, the mandatory lines of enquiry
/// and the outcome rules. The national outcome list is built in; the rest is force policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvestigationConfig {
    /// Days from allocation to the first supervision review, then between reviews; the priority
    /// figures apply to domestic abuse, vulnerable and child victims.
    pub first_review_days: i64,
    pub review_interval_days: i64,
    pub priority_first_review_days: i64,
    pub priority_review_interval_days: i64,
    /// A review overdue by more than this many days is escalated to an inspector.
    pub escalate_after_days: i64,
    /// Completed victim-engagement actions outcome 16 needs: ordinarily, and for domestic abuse or a
    /// vulnerable victim.
    pub min_engagement_attempts: u32,
    pub min_engagement_attempts_strict: u32,
    /// The shortest rationale or explanation accepted, in characters.
    pub min_text_chars: usize,
    /// Outcome code → the lowest rank that authorises it, and the same for domestic abuse.
    pub authorise: std::collections::BTreeMap<String, String>,
    pub domestic_abuse_authorise: std::collections::BTreeMap<String, String>,
    /// Outcome code → extra rules for domestic abuse and for vulnerable victims.
    pub domestic_abuse_rules: std::collections::BTreeMap<String, Vec<String>>,
    pub vulnerable_rules: std::collections::BTreeMap<String, Vec<String>>,
    /// Offence group → lines of enquiry outcome 18 needs done; unset: the built-in table.
    pub mandatory_enquiries: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// The outcome types (TOML, the format of crates/bluelamp-core/data/outcome-types.toml);
    /// unset: the built-in Home Office list.
    pub outcomes_file: Option<PathBuf>,
}

impl InvestigationConfig {
    fn policy(&self) -> anyhow::Result<bluelamp_core::investigation_use::InvestigationPolicy> {
        use bluelamp_core::investigation::{ActionKind, MandatoryEnquiries, ReviewPolicy};
        use bluelamp_core::outcome::{OutcomeList, OutcomePolicy, Rule};
        use bluelamp_core::user::Rank;
        let reviews = ReviewPolicy {
            first_days: self.first_review_days,
            interval_days: self.review_interval_days,
            priority_first_days: self.priority_first_review_days,
            priority_interval_days: self.priority_review_interval_days,
            escalate_after_days: self.escalate_after_days,
        };
        reviews.check().map_err(|e| anyhow::anyhow!("investigation: {e}"))?;
        let list = match &self.outcomes_file {
            None => OutcomeList::builtin(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("investigation.outcomes_file {}: {e}", path.display()))?;
                OutcomeList::from_toml(&text)
                    .map_err(|e| anyhow::anyhow!("investigation.outcomes_file {}: {e}", path.display()))?
            }
        };
        let ranks = |name: &str, map: &std::collections::BTreeMap<String, String>| {
            map.iter()
                .map(|(code, rank)| {
                    let rank = rank
                        .parse::<Rank>()
                        .map_err(|_| anyhow::anyhow!("investigation.{name}: '{rank}' is not a rank"))?;
                    anyhow::ensure!(list.get(code).is_some(), "investigation.{name}: there is no outcome {code}");
                    Ok((code.clone(), rank))
                })
                .collect::<anyhow::Result<std::collections::BTreeMap<_, _>>>()
        };
        let rules = |name: &str, map: &std::collections::BTreeMap<String, Vec<String>>| {
            map.iter()
                .map(|(code, names)| {
                    anyhow::ensure!(list.get(code).is_some(), "investigation.{name}: there is no outcome {code}");
                    let rules = names
                        .iter()
                        .map(|n| {
                            n.parse::<Rule>().map_err(|_| anyhow::anyhow!("investigation.{name}: '{n}' is not a rule"))
                        })
                        .collect::<anyhow::Result<Vec<_>>>()?;
                    Ok((code.clone(), rules))
                })
                .collect::<anyhow::Result<std::collections::BTreeMap<_, _>>>()
        };
        let mandatory = match &self.mandatory_enquiries {
            None => MandatoryEnquiries::default(),
            Some(map) => MandatoryEnquiries {
                by_group: map
                    .iter()
                    .map(|(group, kinds)| {
                        let group = group.parse::<bluelamp_core::offence::OffenceGroup>().map_err(|_| {
                            anyhow::anyhow!("investigation.mandatory_enquiries: '{group}' is not an offence group")
                        })?;
                        let kinds = kinds
                            .iter()
                            .map(|k| {
                                k.parse::<ActionKind>().map_err(|_| {
                                    anyhow::anyhow!("investigation.mandatory_enquiries: '{k}' is not a line of enquiry")
                                })
                            })
                            .collect::<anyhow::Result<Vec<_>>>()?;
                        Ok((group, kinds))
                    })
                    .collect::<anyhow::Result<_>>()?,
            },
        };
        let outcomes = OutcomePolicy {
            authorise: ranks("authorise", &self.authorise)?,
            domestic_abuse_authorise: ranks("domestic_abuse_authorise", &self.domestic_abuse_authorise)?,
            domestic_abuse_rules: rules("domestic_abuse_rules", &self.domestic_abuse_rules)?,
            vulnerable_rules: rules("vulnerable_rules", &self.vulnerable_rules)?,
            min_engagement_attempts: self.min_engagement_attempts,
            min_engagement_attempts_strict: self.min_engagement_attempts_strict,
            min_text_chars: self.min_text_chars,
            list,
        };
        Ok(bluelamp_core::investigation_use::InvestigationPolicy { reviews, mandatory, outcomes })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub max_connections: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            listen: "127.0.0.1:8080".into(),
            environment: Environment::Production,
            force_name: "Demo Constabulary".into(),
            assets_dir: PathBuf::from("web/dist"),
            secure_cookies: true,
            trusted_origins: Vec::new(),
            log_format: LogFormat::Text,
            dashboard_cache_seconds: 30,
            session: SessionConfig { idle_minutes: 30, absolute_hours: 12 },
            sign_in: SignInConfig { lockout_threshold: 5, lockout_minutes: 15, per_address_per_minute: 20 },
            database: DatabaseConfig { max_connections: 16 },
            crimes: CrimeConfig {
                offences_file: None,
                offences_version: String::new(),
                number_format: "CR-{yyyy}-{seq:6}".into(),
                cancellation_file: None,
                several_victims_groups: None,
            },
            triage: TriageConfig {
                high_risk_hours: 24,
                standard_hours: 72,
                inspector_multiple: 2,
                desk_team: "Incident Management Unit".into(),
                default_cap: 16,
                desk_cap: 30,
                auto_allocate_groups: Vec::new(),
                auto_allocate_minutes: 5,
                models_file: None,
                requirements_file: None,
                priority: PriorityConfig {
                    vulnerable_victim: 40,
                    child_victim: 40,
                    domestic_abuse: 35,
                    hate_crime: 30,
                    repeat_victim: 20,
                    named_suspect: 15,
                    perishable_evidence: 15,
                    per_day_waiting: 20,
                },
            },
            investigation: InvestigationConfig {
                first_review_days: 7,
                review_interval_days: 28,
                priority_first_review_days: 3,
                priority_review_interval_days: 14,
                escalate_after_days: 7,
                min_engagement_attempts: 1,
                min_engagement_attempts_strict: 2,
                min_text_chars: 20,
                authorise: [("16".to_string(), "sergeant".to_string())].into(),
                domestic_abuse_authorise: [("16".to_string(), "inspector".to_string())].into(),
                domestic_abuse_rules: Default::default(),
                vulnerable_rules: Default::default(),
                mandatory_enquiries: None,
                outcomes_file: None,
            },
            incidents: IncidentConfig {
                areas_file: None,
                nsir_file: None,
                reference_format: "{yyyy}{mm}{dd}-{seq:4}".into(),
                intake_lookback_days: 365,
                thrive_sample_percent: 10,
                thrive_sample_new_staff_percent: 40,
                thrive_new_staff_days: 180,
                emergency_urban_minutes: 15,
                emergency_rural_minutes: 20,
                priority_urban_minutes: 60,
                priority_rural_minutes: 60,
                scheduled_minutes: 48 * 60,
            },
        }
    }
}

/// `BLUELAMP_*` variables that are not settings: the demo's password, the tests' PostgreSQL and
/// the log filter (read by the logger, `docs/operations.md`). Without this, setting one of them made
/// the configuration fail to load as an unknown key.
const NOT_SETTINGS: &[&str] = &["demo_password", "test_pg_url", "log"];

impl Config {
    /// Defaults, then the file (which must exist if named), then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            anyhow::ensure!(path.exists(), "configuration file {} does not exist", path.display());
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(Env::prefixed("BLUELAMP_").split("__").ignore(NOT_SETTINGS));
        let config: Config = figment.extract().map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!((1..=480).contains(&self.session.idle_minutes), "session.idle_minutes must be 1 to 480");
        anyhow::ensure!(self.dashboard_cache_seconds <= 600, "dashboard_cache_seconds must be 0 to 600");
        anyhow::ensure!((1..=24).contains(&self.session.absolute_hours), "session.absolute_hours must be 1 to 24");
        anyhow::ensure!(
            (1..=20).contains(&self.sign_in.lockout_threshold),
            "sign_in.lockout_threshold must be 1 to 20"
        );
        anyhow::ensure!(
            (1..=1440).contains(&self.sign_in.lockout_minutes),
            "sign_in.lockout_minutes must be 1 to 1440"
        );
        anyhow::ensure!(
            (1..=500).contains(&self.database.max_connections),
            "database.max_connections must be 1 to 500"
        );
        let t = &self.triage;
        anyhow::ensure!((1..=720).contains(&t.high_risk_hours), "triage.high_risk_hours must be 1 to 720");
        anyhow::ensure!((1..=720).contains(&t.standard_hours), "triage.standard_hours must be 1 to 720");
        anyhow::ensure!((1..=10).contains(&t.inspector_multiple), "triage.inspector_multiple must be 1 to 10");
        anyhow::ensure!((1..=200).contains(&t.default_cap), "triage.default_cap must be 1 to 200");
        anyhow::ensure!((1..=200).contains(&t.desk_cap), "triage.desk_cap must be 1 to 200");
        anyhow::ensure!(
            (1..=1440).contains(&t.auto_allocate_minutes),
            "triage.auto_allocate_minutes must be 1 to 1440"
        );
        Ok(())
    }

    pub fn database_url(&self) -> anyhow::Result<String> {
        self.database_url.as_ref().map(|s| s.expose_secret().to_string()).ok_or_else(|| {
            anyhow::anyhow!("no database: set database_url in the configuration file or BLUELAMP_DATABASE_URL")
        })
    }

    /// The core's settings; reads the area boundaries file if one is configured.
    pub fn settings(&self) -> anyhow::Result<bluelamp_core::Settings> {
        let areas = match &self.incidents.areas_file {
            None => bluelamp_core::area::AreaMap::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("incidents.areas_file {}: {e}", path.display()))?;
                bluelamp_core::area::AreaMap::from_geojson(&text)
                    .map_err(|e| anyhow::anyhow!("incidents.areas_file {}: {e}", path.display()))?
            }
        };
        let nsir = match &self.incidents.nsir_file {
            None => bluelamp_core::reference::NsirList::builtin(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("incidents.nsir_file {}: {e}", path.display()))?;
                bluelamp_core::reference::NsirList::from_toml(&text)
                    .map_err(|e| anyhow::anyhow!("incidents.nsir_file {}: {e}", path.display()))?
            }
        };
        let offences = match &self.crimes.offences_file {
            None => bluelamp_core::offence::OffenceList::builtin(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("crimes.offences_file {}: {e}", path.display()))?;
                bluelamp_core::offence::OffenceList::from_csv(&self.crimes.offences_version, &text)
                    .map_err(|e| anyhow::anyhow!("crimes.offences_file {}: {}", path.display(), e.join("; ")))?
            }
        };
        bluelamp_core::crime::check_crime_number_format(&self.crimes.number_format)
            .map_err(|e| anyhow::anyhow!("crimes.number_format: {e}"))?;
        let cancellation = match &self.crimes.cancellation_file {
            None => bluelamp_core::cancel::CancellationPolicy::builtin(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("crimes.cancellation_file {}: {e}", path.display()))?;
                bluelamp_core::cancel::CancellationPolicy::from_toml(&text)
                    .map_err(|e| anyhow::anyhow!("crimes.cancellation_file {}: {e}", path.display()))?
            }
        };
        let several_victims_groups = match &self.crimes.several_victims_groups {
            None => bluelamp_core::core::default_several_victims_groups(),
            Some(list) => list
                .iter()
                .map(|g| {
                    g.parse::<bluelamp_core::offence::OffenceGroup>()
                        .map_err(|_| anyhow::anyhow!("crimes.several_victims_groups: '{g}' is not an offence group"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?,
        };
        Ok(bluelamp_core::Settings {
            triage: self.triage.policy()?,
            investigation: self.investigation.policy()?,
            cancellation,
            several_victims_groups,
            dashboard_cache: std::time::Duration::from_secs(self.dashboard_cache_seconds),
            areas,
            nsir,
            offences,
            crime_number_format: self.crimes.number_format.clone(),
            sampling: bluelamp_core::quality::SamplingRates {
                base_percent: self.incidents.thrive_sample_percent,
                new_staff_percent: self.incidents.thrive_sample_new_staff_percent,
                new_staff_days: self.incidents.thrive_new_staff_days,
            },
            session: bluelamp_core::session::SessionPolicy {
                idle: chrono::Duration::minutes(self.session.idle_minutes),
                absolute: chrono::Duration::hours(self.session.absolute_hours),
            },
            lockout_threshold: self.sign_in.lockout_threshold,
            lockout_duration: chrono::Duration::minutes(self.sign_in.lockout_minutes),
            grade_targets: bluelamp_core::incident::GradeTargets {
                emergency_urban: self.incidents.emergency_urban_minutes,
                emergency_rural: self.incidents.emergency_rural_minutes,
                priority_urban: self.incidents.priority_urban_minutes,
                priority_rural: self.incidents.priority_rural_minutes,
                scheduled: self.incidents.scheduled_minutes,
            },
            incident_reference_format: self.incidents.reference_format.clone(),
            intake_lookback_days: self.incidents.intake_lookback_days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_and_matches_the_defaults() {
        let parsed: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(EXAMPLE))
            .extract()
            .expect("example parses");
        parsed.validate().expect("example is valid");
        assert_eq!(parsed.session.idle_minutes, 30);
        assert_eq!(parsed.sign_in.lockout_threshold, 5);
    }

    #[test]
    fn investigation_settings_load_and_bad_ones_are_named() {
        use bluelamp_core::outcome::Rule;
        use bluelamp_core::user::Rank;
        let mut config = Config::default();
        let defaults = config.settings().expect("defaults load").investigation;
        assert_eq!(
            defaults,
            bluelamp_core::investigation_use::InvestigationPolicy::default(),
            "config defaults = core defaults"
        );
        config.investigation.domestic_abuse_rules = [("16".to_string(), vec!["suspect-spoken-to".to_string()])].into();
        config.investigation.domestic_abuse_authorise = [("16".to_string(), "chief-inspector".to_string())].into();
        config.investigation.first_review_days = 5;
        let policy = config.settings().expect("loads").investigation;
        assert_eq!(policy.outcomes.domestic_abuse_rules["16"], [Rule::SuspectSpokenTo]);
        assert_eq!(policy.outcomes.domestic_abuse_authorise["16"], Rank::ChiefInspector);
        assert_eq!(policy.reviews.first_days, 5);
        let refused = |c: &Config| c.settings().expect_err("refused").to_string();
        let mut bad = config.clone();
        bad.investigation.authorise = [("99".to_string(), "sergeant".to_string())].into();
        assert!(refused(&bad).contains("there is no outcome 99"));
        let mut bad = config.clone();
        bad.investigation.vulnerable_rules = [("16".to_string(), vec!["be-nice".to_string()])].into();
        assert!(refused(&bad).contains("'be-nice' is not a rule"));
        let mut bad = config.clone();
        bad.investigation.mandatory_enquiries = Some([("burglary".to_string(), vec!["seance".to_string()])].into());
        assert!(refused(&bad).contains("'seance' is not a line of enquiry"));
        let mut bad = config;
        bad.investigation.priority_first_review_days = 30;
        assert!(refused(&bad).contains("priority schedule"));
    }

    #[test]
    fn a_configured_nsir_file_is_used_and_a_bad_one_refused() {
        let dir = std::env::temp_dir().join(format!("bluelamp-nsir-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let good = dir.join("nsir.toml");
        std::fs::write(
            &good,
            "version = \"Wealdshire NICL 2026-04\"\n\
             [[category]]\ncode = \"PSW-WLF\"\nlabel = \"Welfare check\"\nchapter = \"public-safety-and-welfare\"\n\
             [[qualifier]]\ncode = \"repeat\"\nlabel = \"Repeat\"\n",
        )
        .expect("write");
        let mut config = Config::default();
        assert_eq!(config.settings().expect("default").nsir.version, bluelamp_core::reference::NSIR_LIST_VERSION);
        config.incidents.nsir_file = Some(good.clone());
        let nsir = config.settings().expect("loads").nsir;
        assert_eq!(nsir.version, "Wealdshire NICL 2026-04");
        assert!(nsir.category("PSW-WLF").is_some() && nsir.category("PSW-DOM").is_none());

        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "version = \"x\"\n[[category]]\ncode = \"A\"\nlabel = \"A\"\nchapter = \"roads\"\n")
            .expect("write");
        config.incidents.nsir_file = Some(bad);
        let e = config.settings().expect_err("bad chapter").to_string();
        assert!(e.contains("incidents.nsir_file") && e.contains("chapter 'roads'"), "{e}");
        config.incidents.nsir_file = Some(dir.join("missing.toml"));
        assert!(config.settings().expect_err("missing").to_string().contains("missing.toml"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn triage_settings_and_files_load_and_bad_ones_are_refused_with_line_and_field() {
        let dir = std::env::temp_dir().join(format!("bluelamp-triage-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let builtin = include_str!("../../bluelamp-core/data/solvability-models.toml");
        let mut config = Config::default();
        config.triage.standard_hours = 48;
        config.triage.auto_allocate_groups = vec!["theft".into()];
        let good = dir.join("models.toml");
        std::fs::write(&good, builtin.replace("bluelamp built-in solvability models v1", "Wealdshire models 2027"))
            .expect("write");
        config.triage.models_file = Some(good);
        let policy = config.settings().expect("loads").triage;
        assert_eq!(policy.limits.standard_hours, 48);
        assert_eq!(policy.auto_allocate, [bluelamp_core::offence::OffenceGroup::Theft]);
        assert_eq!(policy.models.version, "Wealdshire models 2027");

        // A weight that is not a number, and a threshold the model cannot reach.
        let bad = dir.join("bad-models.toml");
        let text =
            builtin.replacen("weight = 3", "weight = \"high\"", 1).replacen("threshold = 6", "threshold = 600", 1);
        std::fs::write(&bad, &text).expect("write");
        config.triage.models_file = Some(bad);
        let e = config.settings().expect_err("bad models").to_string();
        assert!(e.contains("triage.models_file") && e.contains("line "), "{e}");
        assert!(e.contains("weight") || e.contains("threshold"), "{e}");

        config.triage.models_file = None;
        let bad = dir.join("bad-requirements.toml");
        std::fs::write(&bad, "version = \"T\"\n[[rule]]\nname = \"X\"\nmin_pip = \"pip9\"\ngroups = [\"theft\"]\n")
            .expect("write");
        config.triage.requirements_file = Some(bad);
        let e = config.settings().expect_err("bad requirements").to_string();
        assert!(e.contains("triage.requirements_file") && e.contains("pip9"), "{e}");
        config.triage.requirements_file = None;
        config.triage.auto_allocate_groups = vec!["thefts".into()];
        assert!(config.settings().expect_err("bad group").to_string().contains("'thefts'"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_configured_offence_list_is_used_and_a_bad_one_refused() {
        let dir = std::env::temp_dir().join(format!("bluelamp-offences-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let good = dir.join("offences.csv");
        std::fs::write(&good, "code,label,group,subgroup,confirmed\n8N,Assault with injury,violence-against-the-person,Violence with injury,true\n")
            .expect("write");
        let mut config = Config::default();
        assert_eq!(config.settings().expect("default").offences.version, bluelamp_core::offence::BUILTIN_VERSION);
        config.crimes.offences_file = Some(good.clone());
        let e = config.settings().expect_err("no version").to_string();
        assert!(e.contains("crimes.offences_file") && e.contains("version"), "{e}");
        config.crimes.offences_version = "HOCR 2024/25".into();
        let offences = config.settings().expect("loads").offences;
        assert_eq!((offences.version.as_str(), offences.offences.len()), ("HOCR 2024/25", 1));
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, "code,label,group,subgroup,confirmed\n8N,Assault,violence,Violence,true\n")
            .expect("write");
        config.crimes.offences_file = Some(bad);
        let e = config.settings().expect_err("bad group").to_string();
        assert!(e.contains("line 2 (8N): unknown group \"violence\""), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn every_documented_variable_is_a_setting_or_ignored() {
        let settings = serde_json::to_value(Config::default()).expect("the defaults serialise");
        let docs = [include_str!("../../../docs/operations.md"), include_str!("../../../README.md")].concat();
        let mut seen = 0;
        for (at, _) in docs.match_indices("BLUELAMP_") {
            let name: String = docs[at + 9..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            let key = name.to_lowercase();
            let top = key.split("__").next().unwrap_or("").to_string();
            if top.is_empty() || top.ends_with('_') {
                continue; // "BLUELAMP_*" itself
            }
            seen += 1;
            assert!(
                NOT_SETTINGS.contains(&key.as_str()) || settings.get(&top).is_some(),
                "BLUELAMP_{name} is documented but is neither a setting nor ignored, so setting it breaks loading"
            );
        }
        assert!(seen > 0, "the docs name no BLUELAMP_ variable");
    }

    #[test]
    fn secrets_never_print() {
        let config =
            Config { database_url: Some(SecretString::from("postgres://u:hunter2@db/x")), ..Config::default() };
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(!serde_json::to_string(&config).expect("json").contains("hunter2"));
    }
}
