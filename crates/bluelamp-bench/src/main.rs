//! `bluelamp-bench`: measurements, not tests. Run through `scripts/bench`.
//!
//! - `sign-in`: N concurrent users each loop "POST /sign-in, then GET /" against a bluelamp server
//!   started in this process on loopback, for a fixed time; reports pairs per second and p50/p95/p99
//!   of each request.
//! - `audit-overhead`: the same change (a user's name and roles rewritten) committed M times through
//!   the Store with its audit event, against M times the same statements without the audit append;
//!   reports the time per change of each and the difference.
//! - `import`: the nine Kent data.police.uk files imported by the `bluelamp` binary into a fresh
//!   database, then again; reports rows per second and the second run's time (`import.rs`).
//!
//! - `generate`: `bluelamp generate --profile P --years Y` into a fresh database, then `bluelamp
//!   audit verify` on it; time, rows per second and size (`generate.rs`).
//! - `search`: person and crime search over a generated force-sized data set (`dataset.rs`, loaded
//!   in bulk), through the API, one at a time and from a few clients; p50/p95/p99 per kind.
//!
//! Both run on SQLite and PostgreSQL, each on a fresh database of its own. Results are printed as a
//! table and written as JSON with the machine they came from.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bluelamp_core::audit::{Actor, AuditCategory, NewAuditEvent, RequestContext};
use bluelamp_core::clock::SystemClock;
use bluelamp_core::core::By;
use bluelamp_core::user::User;
use bluelamp_core::{Core, Settings};
use bluelamp_testkit::{PostgresBackend, SqliteBackend, TestBackend, new_user};
use clap::Parser;
use serde_json::json;

mod allocate;
mod cpu;
mod dataset;
mod generate;
mod goals;
mod import;
mod incidents;
mod mixed;
mod search;
mod suite;

#[derive(Parser, Clone)]
#[command(about = "bluelamp benchmarks (loopback only, bounded in time)")]
pub(crate) struct Args {
    /// Which benchmarks: all (the suite: every benchmark, a generated force for those that read one),
    /// suite (only the parts over a generated force; choose with --parts), sign-in, audit-overhead,
    /// incident-write, queue-page, import, generate, allocation (2,000 crimes over 3,800 officers,
    /// against the exact optimum; in memory); or search (person and crime search over 2
    /// million people and 1 million crimes of their own: minutes to load, so not part of all).
    #[arg(default_value = "all")]
    which: String,
    /// Databases: both, sqlite, postgres.
    #[arg(long, default_value = "both")]
    db: String,
    /// The suite's parts to run (comma-separated; all when empty): generate, queue-page, crime-page,
    /// search, mixed, incident-write, crime-write. Without generate, give --reuse.
    #[arg(long, default_value = "")]
    pub(crate) parts: String,
    /// Requests per second of the mixed load, from --users users.
    #[arg(long, default_value_t = 200.0)]
    pub(crate) rate: f64,
    /// Seconds of the mixed load.
    #[arg(long, default_value_t = 600)]
    pub(crate) mixed_seconds: u64,
    /// Concurrent users for sign-in and the mixed load.
    #[arg(long, default_value_t = 50)]
    pub(crate) users: usize,
    /// Seconds of load per database for sign-in.
    #[arg(long, default_value_t = 20)]
    pub(crate) seconds: u64,
    /// Changes per variant for audit-overhead.
    #[arg(long, default_value_t = 2000)]
    changes: usize,
    /// Concurrent API clients for incident-write (and pgbench's -c).
    #[arg(long, default_value_t = 16)]
    pub(crate) clients: usize,
    /// Closed incidents behind the queue for queue-page (2,000 are open).
    #[arg(long, default_value_t = 500_000)]
    pub(crate) closed: usize,
    /// People generated for search.
    #[arg(long, default_value_t = 2_000_000)]
    pub(crate) people: usize,
    /// Crimes generated for search.
    #[arg(long, default_value_t = 1_000_000)]
    pub(crate) crimes: usize,
    /// Seed of the generated data set (the same seed gives the same data).
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Queries of each kind, one at a time, for search.
    #[arg(long, default_value_t = 200)]
    pub(crate) queries: usize,
    /// Clients searching at once in search's second phase (for --seconds).
    #[arg(long, default_value_t = 4)]
    pub(crate) search_clients: usize,
    /// Keep search's loaded databases (their URLs are printed) instead of dropping them.
    #[arg(long)]
    pub(crate) keep: bool,
    /// Search a database loaded by an earlier `search --keep` instead of loading one (give the same
    /// --people, --crimes, --seed and --until; with --db sqlite or postgres to say which it is).
    #[arg(long)]
    pub(crate) reuse: Option<String>,
    /// Only the search kinds whose names contain this ("crime", "radius", "person: phone"…).
    #[arg(long, default_value = "")]
    pub(crate) kinds: String,
    /// Print each search that takes longer than this many milliseconds (0: none).
    #[arg(long, default_value_t = 0)]
    pub(crate) slow_ms: u64,
    /// The day (YYYY-MM-DD, UTC midnight) the generated crimes end; today when not given.
    #[arg(long)]
    pub(crate) until: Option<String>,
    /// Write the JSON results here.
    #[arg(long, default_value = "bench-results/foundation.json")]
    out: std::path::PathBuf,
    /// The `bluelamp` binary for import (default: the one beside this benchmark).
    #[arg(long)]
    pub(crate) bluelamp: Option<std::path::PathBuf>,
    /// Fresh databases per backend for import (each imported twice; the median is reported).
    #[arg(long, default_value_t = 1)]
    pub(crate) import_runs: usize,
    /// The profile for generate: small, county or metropolitan.
    #[arg(long, default_value = "small")]
    pub(crate) profile: String,
    /// Years for generate.
    #[arg(long, default_value_t = 5)]
    pub(crate) years: i64,
}

pub(crate) const PASSWORD: &str = "tangerine lighthouse oboe";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut results = Vec::new();
    let dbs: Vec<&str> = match args.db.as_str() {
        "both" => vec!["sqlite", "postgres"],
        one => vec![one],
    };
    anyhow::ensure!(
        dbs.iter().all(|d| matches!(*d, "sqlite" | "postgres")),
        "--db {}: use both, sqlite or postgres",
        args.db
    );
    for db in dbs {
        if matches!(args.which.as_str(), "all" | "suite") {
            results.extend(match db {
                "sqlite" => suite::suite::<SqliteBackend>(&args).await?,
                _ => suite::suite::<PostgresBackend>(&args).await?,
            });
        }
        if args.which == "all" {
            // The rest of the suite runs on fresh databases of its own.
            results.push(match db {
                "sqlite" => sign_in::<SqliteBackend>(&args).await?,
                _ => sign_in::<PostgresBackend>(&args).await?,
            });
            results.push(match db {
                "sqlite" => audit_overhead::<SqliteBackend>(&args).await?,
                _ => audit_overhead::<PostgresBackend>(&args).await?,
            });
            results.push(match db {
                "sqlite" => import::policeuk::<SqliteBackend>(&args).await?,
                _ => import::policeuk::<PostgresBackend>(&args).await?,
            });
            continue;
        }
        if args.which == "sign-in" {
            let r = match db {
                "sqlite" => sign_in::<SqliteBackend>(&args).await?,
                _ => sign_in::<PostgresBackend>(&args).await?,
            };
            results.push(r);
        }
        if args.which == "incident-write" {
            let r = match db {
                "sqlite" => incidents::write::<SqliteBackend>(&args).await?,
                _ => incidents::write::<PostgresBackend>(&args).await?,
            };
            results.push(r);
        }
        if args.which == "queue-page" {
            let r = match db {
                "sqlite" => incidents::queue_page::<SqliteBackend>(&args).await?,
                _ => incidents::queue_page::<PostgresBackend>(&args).await?,
            };
            results.push(r);
        }
        if args.which == "generate" {
            let r = match db {
                "sqlite" => generate::generate::<SqliteBackend>(&args).await?,
                _ => generate::generate::<PostgresBackend>(&args).await?,
            };
            results.push(r);
        }
        if args.which == "search" {
            let r = match db {
                "sqlite" => search::search::<SqliteBackend>(&args).await?,
                _ => search::search::<PostgresBackend>(&args).await?,
            };
            results.push(r);
        }
        if args.which == "audit-overhead" {
            let r = match db {
                "sqlite" => audit_overhead::<SqliteBackend>(&args).await?,
                _ => audit_overhead::<PostgresBackend>(&args).await?,
            };
            results.push(r);
        }
        if args.which == "import" {
            let r = match db {
                "sqlite" => import::policeuk::<SqliteBackend>(&args).await?,
                _ => import::policeuk::<PostgresBackend>(&args).await?,
            };
            results.push(r);
        }
    }
    // Allocation is pure (no database): once, for all or alone.
    if matches!(args.which.as_str(), "all" | "allocation") {
        let mut r = allocate::run(3800, 2000, args.seed, 50);
        r["database"] = json!("none (in memory)");
        r["figure"] = json!(format!(
            "median {:.1} ms, {}",
            r["propose_ms"]["median"].as_f64().unwrap_or(0.0),
            if r["optimal"].as_bool().unwrap_or(false) { "optimal" } else { "NOT optimal" }
        ));
        r["notes"] = json!(format!(
            "{} crimes over {} officers; exact reference (one node per crime and officer) {:.0} ms, cost {} = {}; {} allocated, {} explained as infeasible",
            r["crimes"],
            r["officers"],
            r["exact_ms"].as_f64().unwrap_or(0.0),
            r["propose_cost"],
            r["exact_cost"],
            r["allocated"],
            r["infeasible"]
        ));
        results.push(r);
    }
    anyhow::ensure!(!results.is_empty(), "no benchmark is called {:?} (see --help)", args.which);
    for r in &mut results {
        goals::judge(r);
    }
    let report = json!({ "machine": machine(), "when": chrono::Utc::now().to_rfc3339(), "results": results });
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&report)?)?;
    println!("\nmachine: {}", report["machine"]);
    goals::print_table(&results);
    println!("\nwritten to {}", args.out.display());
    Ok(())
}

fn machine() -> serde_json::Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string()))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    json!({
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": cpu,
        "memory": memory,
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
    })
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub(crate) fn core_for<B: TestBackend>(backend: &B) -> Core {
    Core::new(backend.store(), Arc::new(SystemClock), Settings::default())
}

async fn sign_in<B: TestBackend>(args: &Args) -> anyhow::Result<serde_json::Value> {
    eprintln!("[{}] sign-in + home: creating {} users", B::NAME, args.users);
    let backend = B::new().await;
    let core = core_for(&backend);
    for i in 0..args.users {
        core.create_user(
            By::System("bench"),
            &new_user(&format!("bench.user{i}"), &["investigator"]),
            Some(PASSWORD),
            &RequestContext::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let config = bluelamp_web::WebConfig { sign_in_per_minute: 1_000_000, ..Default::default() };
    let app = bluelamp_web::router(bluelamp_web::AppState::new(core, config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bluelamp_web::serve(listener, app, async move {
        let _ = stop_rx.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.users)
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    eprintln!("[{}] sign-in + home: {} users for {} s on http://{addr}", B::NAME, args.users, args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..args.users {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut sign_ins = Vec::new();
            let mut homes = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                let reply = client
                    .post(format!("http://{addr}/sign-in"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("username=bench.user{i}&password=tangerine+lighthouse+oboe&next=%2F"))
                    .send()
                    .await;
                let cookie = match reply {
                    Ok(r) if r.status().as_u16() == 303 => r
                        .headers()
                        .get("set-cookie")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.split(';').next())
                        .map(str::to_string),
                    _ => None,
                };
                sign_ins.push(t.elapsed().as_secs_f64() * 1000.0);
                let Some(cookie) = cookie else {
                    errors += 1;
                    continue;
                };
                let t = Instant::now();
                match client.get(format!("http://{addr}/")).header("cookie", cookie).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        homes.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (sign_ins, homes, errors)
        }));
    }
    let (mut sign_ins, mut homes, mut errors) = (Vec::new(), Vec::new(), 0);
    for task in tasks {
        let (s, h, e) = task.await?;
        sign_ins.extend(s);
        homes.extend(h);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let _ = stop_tx.send(());
    let _ = server.await;
    sign_ins.sort_by(f64::total_cmp);
    homes.sort_by(f64::total_cmp);
    let pairs = homes.len() as f64 / elapsed;
    Ok(json!({
        "database": B::NAME,
        "benchmark": "sign-in+home",
        "figure": format!("{pairs:.1} pairs/s"),
        "pairs_per_second": pairs,
        "users": args.users,
        "seconds": elapsed,
        "errors": errors,
        "p50_ms": percentile(&homes, 50.0) + percentile(&sign_ins, 50.0),
        "p95_ms": percentile(&homes, 95.0) + percentile(&sign_ins, 95.0),
        "p99_ms": percentile(&homes, 99.0) + percentile(&sign_ins, 99.0),
        "sign_in_ms": { "p50": percentile(&sign_ins, 50.0), "p95": percentile(&sign_ins, 95.0), "p99": percentile(&sign_ins, 99.0) },
        "home_ms": { "p50": percentile(&homes, 50.0), "p95": percentile(&homes, 95.0), "p99": percentile(&homes, 99.0) },
        "notes": format!("{} users; percentiles are sign-in + home summed per percentile; {errors} errors; home p99 {:.1} ms", args.users, percentile(&homes, 99.0)),
    }))
}

async fn audit_overhead<B: TestBackend>(args: &Args) -> anyhow::Result<serde_json::Value> {
    eprintln!("[{}] audit overhead: {} changes each way", B::NAME, args.changes);
    let backend = B::new().await;
    let core = core_for(&backend);
    let mut user: User = core
        .create_user(
            By::System("bench"),
            &new_user("bench.subject", &["investigator"]),
            None,
            &RequestContext::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let store = backend.store();
    let actor = Actor::system("bench");
    let run_audited = async |user: &mut User, n: usize| -> anyhow::Result<Vec<f64>> {
        let mut times = Vec::with_capacity(n);
        for i in 0..n {
            user.display_name = format!("Bench subject {i}");
            user.updated_at = chrono::Utc::now();
            let event = NewAuditEvent::new(
                user.updated_at,
                &actor,
                "user.update",
                AuditCategory::Alter,
                &RequestContext::default(),
            )
            .record("user", user.id)
            .after(&user.audit_json());
            let t = Instant::now();
            store.update_user(user, false, &event).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(times)
    };
    // Warm up both paths, then alternate blocks so drift on a noisy machine hits both alike.
    let plain_store = Baseline::open(B::NAME, &backend.url()).await?;
    run_audited(&mut user, 50).await?;
    baseline(&plain_store, &mut user, 50).await?;
    let (mut audited, mut plain) = (Vec::new(), Vec::new());
    let block = (args.changes / 10).max(1);
    for _ in 0..10 {
        audited.extend(run_audited(&mut user, block).await?);
        plain.extend(baseline(&plain_store, &mut user, block).await?);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    audited.sort_by(f64::total_cmp);
    plain.sort_by(f64::total_cmp);
    let (a, p) = (mean(&audited), mean(&plain));
    Ok(json!({
        "database": B::NAME,
        "benchmark": "audit-overhead",
        "figure": format!("+{:.3} ms/change", a - p),
        "audited_mean_ms": a,
        "unaudited_mean_ms": p,
        "overhead_ms": a - p,
        "audited_over_unaudited": a / p,
        "changes": audited.len(),
        "p50_ms": percentile(&audited, 50.0),
        "p95_ms": percentile(&audited, 95.0),
        "p99_ms": percentile(&audited, 99.0),
        "notes": format!("audited {a:.3} ms vs unaudited {p:.3} ms per change (x{:.2}); percentiles are the audited path", a / p),
    }))
}

/// A second connection pool on the benchmark's database for the unaudited baseline.
enum Baseline {
    Sqlite(bluelamp_store_sqlite::SqliteStore),
    Postgres(bluelamp_store_postgres::PostgresStore),
}

impl Baseline {
    async fn open(name: &str, url: &str) -> anyhow::Result<Baseline> {
        Ok(if name == "sqlite" {
            Baseline::Sqlite(bluelamp_store_sqlite::SqliteStore::open(url, bluelamp_store_sqlite::Create::Never).await?)
        } else {
            Baseline::Postgres(bluelamp_store_postgres::PostgresStore::open(url, 8).await?)
        })
    }
}

/// The same statements `update_user` runs, without the audit append: the baseline. Benchmark-only.
async fn baseline(store: &Baseline, user: &mut User, n: usize) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::with_capacity(n);
    match store {
        Baseline::Sqlite(store) => {
            let pool = store.pool();
            for i in 0..n {
                user.display_name = format!("Baseline subject {i}");
                let t = Instant::now();
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                sqlx::query(
                "UPDATE app_user SET username = ?, display_name = ?, collar_number = ?, rank = ?, team = ?, station = ?, \
                 division = ?, pip_level = ?, password_hash = ?, is_disabled = ?, failed_sign_ins = ?, locked_until = ?, \
                 updated_at = ? WHERE id = ?",
            )
            .bind(&user.username)
            .bind(&user.display_name)
            .bind(&user.collar_number)
            .bind(user.rank.as_str())
            .bind(&user.team)
            .bind(&user.station)
            .bind(&user.division)
            .bind(user.pip_level.as_str())
            .bind(&user.password_hash)
            .bind(i64::from(user.is_disabled))
            .bind(i64::from(user.failed_sign_ins))
            .bind(Option::<String>::None)
            .bind(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
                sqlx::query("DELETE FROM user_role WHERE user_id = ?").bind(user.id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM user_specialism WHERE user_id = ?").bind(user.id).execute(&mut *tx).await?;
                for role in &user.roles {
                    sqlx::query("INSERT INTO user_role (user_id, role) VALUES (?, ?)")
                        .bind(user.id)
                        .bind(role.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                for s in &user.specialisms {
                    sqlx::query("INSERT INTO user_specialism (user_id, specialism) VALUES (?, ?)")
                        .bind(user.id)
                        .bind(s.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        Baseline::Postgres(store) => {
            let pool = store.pool();
            for i in 0..n {
                user.display_name = format!("Baseline subject {i}");
                let t = Instant::now();
                let mut tx = pool.begin().await?;
                sqlx::query(
                "UPDATE app_user SET username = $1, display_name = $2, collar_number = $3, rank = $4, team = $5, station = $6, \
                 division = $7, pip_level = $8, password_hash = $9, is_disabled = $10, failed_sign_ins = $11, locked_until = $12, \
                 updated_at = $13 WHERE id = $14",
            )
            .bind(&user.username)
            .bind(&user.display_name)
            .bind(&user.collar_number)
            .bind(user.rank.as_str())
            .bind(&user.team)
            .bind(&user.station)
            .bind(&user.division)
            .bind(user.pip_level.as_str())
            .bind(&user.password_hash)
            .bind(user.is_disabled)
            .bind(user.failed_sign_ins)
            .bind(Option::<chrono::DateTime<chrono::Utc>>::None)
            .bind(chrono::Utc::now())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
                sqlx::query("DELETE FROM user_role WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM user_specialism WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
                for role in &user.roles {
                    sqlx::query("INSERT INTO user_role (user_id, role) VALUES ($1, $2)")
                        .bind(user.id)
                        .bind(role.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                for s in &user.specialisms {
                    sqlx::query("INSERT INTO user_specialism (user_id, specialism) VALUES ($1, $2)")
                        .bind(user.id)
                        .bind(s.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    anyhow::ensure!(!times.is_empty(), "no baseline changes ran");
    Ok(times)
}
