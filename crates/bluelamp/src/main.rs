//! `bluelamp`: the web server and the administration commands, in one binary. This file parses the
//! command line, loads configuration, opens the store the URL names, and hands over to the core and
//! web crates. No business logic lives here.

mod config;
mod demo;
mod demo_crimes;
mod demo_incidents;
mod demo_investigation;
mod demo_people;
mod demo_triage;
mod generate;
mod import;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use bluelamp_core::audit::RequestContext;
use bluelamp_core::clock::SystemClock;
use bluelamp_core::core::By;
use bluelamp_core::store::Store;
use bluelamp_core::user::NewUser;
use bluelamp_core::{Core, Error, secret};
use bluelamp_store_postgres::PostgresStore;
use bluelamp_store_sqlite::{Create, SqliteStore};
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Environment, LogFormat};

#[derive(Parser)]
#[command(name = "bluelamp", version, about = "Crime, incident and safeguarding records for police forces.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Database URL (sqlite://PATH or postgres://…). Overrides the configuration file.
    #[arg(long, env = "BLUELAMP_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Configuration file (see `bluelamp config example`).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Build-free demo: create or reuse an embedded SQLite database with the demo force, start the
    /// server, and print where it is and how to sign in.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[arg(long, default_value = "./bluelamp-demo")]
        data_dir: PathBuf,
        /// Where the compiled stylesheet and scripts are.
        #[arg(long, env = "BLUELAMP_ASSETS_DIR", default_value = "web/dist")]
        assets_dir: PathBuf,
        /// How many demo incidents to make in a new database (over the last 90 days).
        #[arg(long, default_value_t = 3000)]
        incidents: usize,
        /// data.police.uk street-level CSV files to load as historical records too (for example the
        /// Kent files: --policeuk ../shared/data/policeuk/*-street.csv). Idempotent: files
        /// already loaded add nothing.
        #[arg(long, num_args = 1..)]
        policeuk: Vec<PathBuf>,
        /// A scenario loaded into a new demo database: `backlog` adds about two weeks of crimes
        /// arriving faster than they are allocated, leaving about 2,000 waiting with the oldest 14
        /// days (the inspection's backlog), for the triage and backlog recovery pages.
        #[arg(long, value_parser = ["backlog"])]
        scenario: Option<String>,
    },
    /// Production start: serve on the configured database. Refuses a database that is missing, not
    /// migrated, or migrated by a newer bluelamp.
    Serve {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Apply database migrations (creates a SQLite file if it does not exist yet).
    Migrate(DbArgs),
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Online, consistent backup to a new file (SQLite: VACUUM INTO; PostgreSQL: pg_dump custom format).
    Backup {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        to: PathBuf,
    },
    /// Load records from other systems (idempotent: a second run adds nothing).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Fill a new database with a realistic synthetic force (officers and staff, people, incidents,
    /// crimes, their audit trail) from a seed. Refuses a database holding anything else; resumes an
    /// interrupted run; Ctrl-C stops after the current batch.
    Generate {
        #[command(flatten)]
        db: DbArgs,
        /// small (a demo), county (1.8 million residents: 170,000 crimes and 900,000 incidents a
        /// year, 3,800 officers and staff) or metropolitan (about four times a county).
        #[arg(long, default_value = "small")]
        profile: String,
        #[arg(long, default_value_t = 5)]
        years: i64,
        /// The same seed makes the same force.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The day the records run up to (YYYY-MM-DD, at midnight UTC); today if not given.
        #[arg(long)]
        until: Option<String>,
    },
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. Prints a generated first password unless --password-stdin is given.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// Name as shown to colleagues, e.g. "PC 1234 Jane Smith".
        #[arg(long)]
        name: String,
        /// Collar or staff number.
        #[arg(long)]
        collar: String,
        /// constable, sergeant, inspector, …, pcso, staff.
        #[arg(long, default_value = "constable")]
        rank: String,
        /// One or more roles (repeat the flag): admin, call-handler, investigator, …
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long, default_value = "")]
        team: String,
        #[arg(long, default_value = "")]
        station: String,
        #[arg(long, default_value = "")]
        division: String,
        /// none, pip1, pip2, pip3, pip4.
        #[arg(long, default_value = "none")]
        pip: String,
        /// Specialisms (repeat the flag): domestic-abuse, child-abuse, sexual-offences-liaison, …
        #[arg(long = "specialism")]
        specialisms: Vec<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable a user and end their sessions.
    Disable {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Re-enable a user.
    Enable {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Set a new password (generated and printed unless --password-stdin), unlock, end sessions.
    ResetPassword {
        #[command(flatten)]
        db: DbArgs,
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Replace a user's roles and end their sessions.
    SetRoles {
        #[command(flatten)]
        db: DbArgs,
        username: String,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue an API bearer token. It is printed once and stored only as a hash.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        user: String,
        #[arg(long, default_value_t = 90)]
        expires_days: i64,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List a user's tokens (never the secrets).
    List {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        user: String,
    },
    /// Revoke a token by its id (from `token list`); it stops working at once.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        id: uuid::Uuid,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain. Exits 1 and names the first bad event if anything was edited, deleted or
    /// reordered.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// data.police.uk street-level crime files (CSV) as historical records: crimes by their Crime ID,
    /// anti-social behaviour as historical incidents. Prints a summary by category; exits 1 if any
    /// file could not be imported (the others still are).
    Policeuk {
        #[command(flatten)]
        db: DbArgs,
        /// The files, e.g. 2022-01-kent-street.csv.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the fully commented example configuration.
    Example,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BLUELAMP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Opens the store the URL names. `create` only applies to SQLite files.
async fn open_store(url: &str, create: Create, max_connections: u32) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url, create).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url, max_connections).await?))
    } else {
        bail!("the database URL must start with sqlite:// or postgres://")
    }
}

/// Opens an existing, fully migrated database for an admin command.
async fn admin_core(db: &DbArgs) -> anyhow::Result<Core> {
    let config = Config::load(db.config.as_deref())?;
    let url = match &db.database_url {
        Some(url) => url.clone(),
        None => config.database_url()?,
    };
    let store = open_store(&url, Create::Never, 2).await?;
    check_schema(store.as_ref(), false).await?;
    Ok(Core::new(store, Arc::new(SystemClock), config.settings()?))
}

/// Refuses a database a newer bluelamp migrated, and (unless `allow_pending`) one not yet migrated.
async fn check_schema(store: &dyn Store, allow_pending: bool) -> anyhow::Result<()> {
    let status = store.schema_status().await?;
    let unknown = status.unknown_applied();
    if !unknown.is_empty() {
        bail!(
            "this database was migrated by a newer bluelamp (unknown migrations {unknown:?}); \
             run that version or newer"
        );
    }
    if !allow_pending && !status.pending().is_empty() {
        bail!("the database needs migrations {:?}: run `bluelamp migrate` first", status.pending());
    }
    Ok(())
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

fn explain(e: Error) -> anyhow::Error {
    match e {
        Error::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors.iter().map(|f| format!("{}: {}", f.field, f.rule)).collect::<Vec<_>>().join("\n       ")
        ),
        other => anyhow::anyhow!(other),
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = RequestContext::default();
    let by = By::System("cli");
    match cli.command {
        Command::Config { command: ConfigCommand::Example } => {
            print!("{}", config::EXAMPLE);
        }
        Command::Demo { addr, data_dir, assets_dir, incidents: demo_incident_count, policeuk, scenario } => {
            let mut config = Config::load(None)?;
            config.environment = Environment::Demo;
            config.secure_cookies = false;
            config.assets_dir = assets_dir;
            config.force_name = demo::FORCE_NAME.into();
            init_logging(config.log_format);
            std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
            let db_path = data_dir.join("bluelamp.db");
            let url = format!("sqlite://{}", db_path.display());
            let store = SqliteStore::open_path(&db_path, Create::IfMissing).await?;
            check_schema(&store, true).await?;
            store.migrate().await?;
            let mut settings = config.settings()?;
            if !settings.areas.is_configured() {
                settings.areas =
                    bluelamp_core::area::AreaMap::from_geojson(demo::AREAS).map_err(|e| anyhow::anyhow!(e))?;
            }
            let core = Core::new(Arc::new(store), Arc::new(SystemClock), settings);
            let added = demo::load(&core).await?;
            let started = std::time::Instant::now();
            let incidents = demo_incidents::load(&core, demo_incident_count).await?;
            if incidents > 0 {
                println!("  made {incidents} demo incidents in {:.1} s", started.elapsed().as_secs_f64());
                let started = std::time::Instant::now();
                let people = demo_people::load(&core, 300).await?;
                println!("  made {people} demo people in {:.1} s", started.elapsed().as_secs_f64());
                let started = std::time::Instant::now();
                let crimes = demo_crimes::load(&core, 400).await?;
                println!("  made {crimes} demo crimes in {:.1} s", started.elapsed().as_secs_f64());
                let started = std::time::Instant::now();
                demo_triage::desk_team(&core).await?;
                let allocated = demo_triage::allocate_by_day(&core, 24, 1_000, demo_triage::Pick::Oldest).await?;
                println!("  allocated {allocated} of them day by day in {:.1} s", started.elapsed().as_secs_f64());
                let started = std::time::Instant::now();
                let made = demo_investigation::load(&core).await?;
                println!(
                    "  investigations: {} actions, {} reviews, {} finalised, {} awaiting authorisation, {} case files \
                     reviewed ({:.1} s)",
                    made.actions,
                    made.reviews,
                    made.finalised,
                    made.awaiting,
                    made.files_reviewed,
                    started.elapsed().as_secs_f64()
                );
                let waiting = demo_triage::record_spread(&core, 40, 2, 0x7e1a).await?;
                println!("  {waiting} crimes from the last two days wait for triage");
                if scenario.as_deref() == Some("backlog") {
                    let started = std::time::Instant::now();
                    let (made, allocated) = demo_triage::backlog(&core, 3_200).await?;
                    println!(
                        "  backlog scenario: {made} crimes over 14 days, {allocated} allocated, {} waiting ({:.1} s)",
                        core.store.list_unallocated_crimes(bluelamp_core::triage_use::QUEUE_LIMIT).await?.len(),
                        started.elapsed().as_secs_f64()
                    );
                }
            } else if scenario.is_some() {
                println!("  a scenario loads only into a new demo database: remove {} first", data_dir.display());
            }
            if !policeuk.is_empty() {
                import::policeuk(&core, &policeuk).await?;
            }
            let password = std::env::var("BLUELAMP_DEMO_PASSWORD").ok().filter(|p| !p.is_empty());
            let (password, shown) = match password {
                Some(p) => (p, "the password in BLUELAMP_DEMO_PASSWORD".to_string()),
                None => {
                    let p = secret::random_password();
                    (p.clone(), p)
                }
            };
            let names = demo::set_role_passwords(&core, &password).await.map_err(|e| match e.downcast::<Error>() {
                Ok(e) => explain(e),
                Err(e) => e,
            })?;
            let listener =
                tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("listening on {addr}"))?;
            let local = listener.local_addr()?;
            if !config.assets_dir.join("app.css").exists() {
                eprintln!(
                    "warning: no stylesheet in {} — run scripts/build-assets (pages still work, unstyled)",
                    config.assets_dir.display()
                );
            }
            println!(
                "bluelamp demo: {} ({} people {})",
                demo::FORCE_NAME,
                core.store.count_users().await?,
                if added > 0 { "created" } else { "reused" }
            );
            println!("  database: {url}");
            println!("  bluelamp is running at http://{local}");
            println!("  sign in as any of: {}", names.join(", "));
            println!("  password: {shown}");
            println!("  stop with Ctrl-C");
            serve(core, config, listener).await?;
        }
        Command::Serve { config } => {
            let config = Config::load(config.as_deref())?;
            init_logging(config.log_format);
            let url = config.database_url()?;
            let store = open_store(&url, Create::Never, config.database.max_connections).await?;
            check_schema(store.as_ref(), false).await?;
            if config.environment == Environment::Production && url.starts_with("postgres") {
                let pg = PostgresStore::open(&url, 1).await?;
                let unsafe_settings = pg.unsafe_durability_settings().await?;
                if !unsafe_settings.is_empty() {
                    bail!(
                        "refusing to start in production: PostgreSQL can lose acknowledged writes ({})",
                        unsafe_settings.join(", ")
                    );
                }
            }
            let listener = tokio::net::TcpListener::bind(&config.listen)
                .await
                .with_context(|| format!("listening on {}", config.listen))?;
            tracing::info!(addr = %listener.local_addr()?, backend = store.backend(), "bluelamp serving");
            let core = Core::new(store, Arc::new(SystemClock), config.settings()?);
            serve(core, config, listener).await?;
        }
        Command::Generate { db, profile, years, seed, until } => {
            let spec = generate::spec(&generate::Request { profile, years, seed, until })?;
            let config = Config::load(db.config.as_deref())?;
            let url = match db.database_url {
                Some(url) => url,
                None => config.database_url()?,
            };
            let store = open_store(&url, Create::IfMissing, 4).await?;
            check_schema(store.as_ref(), true).await?;
            store.migrate().await?;
            return generate::generate(&url, store, spec).await;
        }
        Command::Migrate(db) => {
            let config = Config::load(db.config.as_deref())?;
            let url = match db.database_url {
                Some(url) => url,
                None => config.database_url()?,
            };
            if let Some(path) = bluelamp_store_sqlite::path_from_url(&url)
                && !path.exists()
            {
                println!("creating a new SQLite database at {}", path.display());
            }
            let store = open_store(&url, Create::IfMissing, 2).await?;
            check_schema(store.as_ref(), true).await?;
            let before = store.schema_status().await?.pending();
            store.migrate().await?;
            println!("migrations applied: {before:?}; database is current");
        }
        Command::User { command } => return user_command(command, by, &ctx).await,
        Command::Token { command: TokenCommand::Create { db, user, expires_days, label } } => {
            let core = admin_core(&db).await?;
            let (token, secret) =
                core.create_api_token(by, &user, &label, expires_days, &ctx).await.map_err(explain)?;
            eprintln!(
                "token for {user}, expires {} (shown once; store it now):",
                bluelamp_core::time::london(token.expires_at)
            );
            println!("{secret}");
        }
        Command::Token { command: TokenCommand::List { db, user } } => {
            let core = admin_core(&db).await?;
            let owner = core.get_user_by_username(&user).await.map_err(explain)?;
            let now = core.now();
            for token in core.store.list_api_tokens(owner.id).await? {
                let state = if token.revoked_at.is_some() {
                    "revoked"
                } else if token.expires_at <= now {
                    "expired"
                } else {
                    "active"
                };
                println!(
                    "{}  {:<8} expires {}  {}",
                    token.id,
                    state,
                    bluelamp_core::time::london(token.expires_at),
                    token.label
                );
            }
        }
        Command::Token { command: TokenCommand::Revoke { db, id } } => {
            let core = admin_core(&db).await?;
            core.revoke_api_token(by, id, &ctx).await.map_err(explain)?;
            println!("revoked token {id}");
        }
        Command::Audit { command: AuditCommand::Verify { db } } => {
            let core = admin_core(&db).await?;
            match core.verify_audit().await? {
                Ok(count) => println!("audit trail intact: {count} events verified"),
                Err(fault) => {
                    println!(
                        "AUDIT TRAIL BROKEN at event {}{}: {}",
                        fault.seq,
                        fault.event_id.map(|id| format!(" ({id})")).unwrap_or_default(),
                        fault.problem
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Backup { db, to } => backup(&db, &to).await?,
        Command::Import { command: ImportCommand::Policeuk { db, files } } => {
            let core = admin_core(&db).await?;
            return import::policeuk(&core, &files).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn user_command(command: UserCommand, by: By<'_>, ctx: &RequestContext) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add {
            db,
            username,
            name,
            collar,
            rank,
            roles,
            team,
            station,
            division,
            pip,
            specialisms,
            password_stdin,
        } => {
            let core = admin_core(&db).await?;
            let password = if password_stdin { read_password_stdin()? } else { secret::random_password() };
            let new = NewUser {
                username,
                display_name: name,
                collar_number: collar,
                rank,
                team,
                station,
                division,
                pip_level: pip,
                specialisms,
                roles,
            };
            let user = core.create_user(by, &new, Some(&password), ctx).await.map_err(explain)?;
            println!("added {} ({})", user.username, user.id);
            if !password_stdin {
                println!("first password: {password}");
            }
        }
        UserCommand::List { db } => {
            let core = admin_core(&db).await?;
            let now = core.now();
            for u in core.list_users(by, ctx).await? {
                let status = if u.is_disabled {
                    "disabled"
                } else if u.is_locked(now) {
                    "locked"
                } else {
                    "active"
                };
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                println!("{:<28} {:<9} {:<40} {}", u.username, status, u.display_name, roles.join(","));
            }
        }
        UserCommand::Disable { db, username } => {
            let core = admin_core(&db).await?;
            core.set_user_disabled(by, &username, true, ctx).await.map_err(explain)?;
            println!("disabled {username}; their sessions have ended");
        }
        UserCommand::Enable { db, username } => {
            let core = admin_core(&db).await?;
            core.set_user_disabled(by, &username, false, ctx).await.map_err(explain)?;
            println!("enabled {username}");
        }
        UserCommand::ResetPassword { db, username, password_stdin } => {
            let core = admin_core(&db).await?;
            let password = if password_stdin { read_password_stdin()? } else { secret::random_password() };
            core.reset_password(by, &username, &password, ctx).await.map_err(explain)?;
            println!("password reset for {username}; their sessions have ended");
            if !password_stdin {
                println!("new password: {password}");
            }
        }
        UserCommand::SetRoles { db, username, roles } => {
            let core = admin_core(&db).await?;
            let user = core.set_user_roles(by, &username, &roles, ctx).await.map_err(explain)?;
            let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
            println!("{username} now has roles {}; their sessions have ended", roles.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn backup(db: &DbArgs, to: &Path) -> anyhow::Result<()> {
    let config = Config::load(db.config.as_deref())?;
    let url = match &db.database_url {
        Some(url) => url.clone(),
        None => config.database_url()?,
    };
    anyhow::ensure!(!to.exists(), "{} already exists; choose a new file", to.display());
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(&url, Create::Never).await?;
        store.backup_to(to).await?;
    } else {
        let status = std::process::Command::new("pg_dump")
            .arg("--format=custom")
            .arg("--file")
            .arg(to)
            .arg(&url)
            .status()
            .context("running pg_dump (install the PostgreSQL client tools)")?;
        anyhow::ensure!(status.success(), "pg_dump failed: {status}");
    }
    println!("backup written to {}", to.display());
    Ok(())
}

async fn serve(core: Core, config: Config, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    bluelamp_web::init_metrics();
    let web = bluelamp_web::WebConfig {
        secure_cookies: config.secure_cookies,
        assets_dir: config.assets_dir.clone(),
        force_name: config.force_name.clone(),
        trusted_origins: config.trusted_origins.clone(),
        sign_in_per_minute: config.sign_in.per_address_per_minute,
    };
    if !core.settings.triage.auto_allocate.is_empty() {
        tokio::spawn(auto_allocate(core.clone(), config.triage.auto_allocate_every()));
    }
    let app = bluelamp_web::router(bluelamp_web::AppState::new(core, web));
    bluelamp_web::serve(listener, app, shutdown_signal()).await?;
    tracing::info!("bluelamp stopped");
    Ok(())
}

/// Allocates crimes in the force's auto-allocation categories as the engine proposes, on a timer.
async fn auto_allocate(core: Core, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match core.auto_allocate(&bluelamp_core::audit::RequestContext::default()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(allocated = n, "auto-allocation"),
            Err(e) => tracing::warn!(error = %e, "auto-allocation failed; will try again"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
