//! `bluelamp generate`: a synthetic force (crate `bluelamp-generate`) loaded into a database, with
//! the checks that come before any write (profile, disk, what the database already holds), a
//! progress bar, Ctrl-C to stop after the current batch, and a closing summary.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::bail;
use bluelamp_core::store::Store;
use bluelamp_generate::run::{self, Progress};
use bluelamp_generate::{Generator, Profile, Spec};
use chrono::{NaiveDate, TimeZone, Utc};
use indicatif::{ProgressBar, ProgressStyle};

/// What was asked for on the command line.
pub struct Request {
    pub profile: String,
    pub years: i64,
    pub seed: u64,
    pub until: Option<String>,
}

/// The spec, or why the request is wrong (before the database is opened).
pub fn spec(r: &Request) -> anyhow::Result<Spec> {
    let profile: Profile = r.profile.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    if !(1..=20).contains(&r.years) {
        bail!("--years must be between 1 and 20 (got {})", r.years);
    }
    let until = match &r.until {
        None => bluelamp_generate::today(),
        Some(day) => {
            let d = NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|_| anyhow::anyhow!("--until must be a day, YYYY-MM-DD (got \"{day}\")"))?;
            Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        }
    };
    Ok(Spec::profile(profile, r.years, r.seed, until))
}

/// Free bytes on the file system holding `path` (or its nearest existing parent).
fn free_bytes(path: &Path) -> Option<u64> {
    let mut at = Some(path);
    while let Some(p) = at {
        if p.exists() {
            let stat = rustix::fs::statvfs(p).ok()?;
            return Some(stat.f_bavail.saturating_mul(stat.f_frsize));
        }
        at = p.parent();
    }
    None
}

/// Where the data will live, if it can be checked from here: the SQLite file's directory, or a
/// local PostgreSQL server's data directory.
async fn data_path(url: &str, store: &dyn Store) -> Option<std::path::PathBuf> {
    if let Some(path) = bluelamp_store_sqlite::path_from_url(url) {
        return Some(path.parent().map(Path::to_path_buf).unwrap_or_else(|| ".".into()));
    }
    store.data_directory().await.ok().flatten().map(Into::into)
}

fn human(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

pub async fn generate(url: &str, store: Arc<dyn Store>, spec: Spec) -> anyhow::Result<ExitCode> {
    let g = Arc::new(Generator::new(spec));
    // Refusals come before any write.
    let (resume_at, existing) = match run::check(store.as_ref(), &g).await {
        Ok(at) => at,
        Err(refusal) => {
            eprintln!("error: {refusal}");
            return Ok(ExitCode::from(2));
        }
    };
    let need = run::estimated_bytes(&g);
    match data_path(url, store.as_ref()).await {
        Some(path) => match free_bytes(&path) {
            Some(free) if existing.is_none() && free < need + need / 5 => {
                eprintln!(
                    "error: {} needs about {} and {} has {} free: free some space or choose another place \
                     (nothing was written)",
                    g.spec.fingerprint(),
                    human(need),
                    path.display(),
                    human(free)
                );
                return Ok(ExitCode::from(2));
            }
            Some(free) => println!("disk: about {} needed, {} free at {}", human(need), human(free), path.display()),
            None => println!("disk: about {} needed (free space at {} unknown)", human(need), path.display()),
        },
        None => println!("disk: about {} needed (the database server's disk is not visible from here)", human(need)),
    }
    if existing.as_ref().is_some_and(|f| f.finished_at.is_some()) {
        println!("this database already holds this force, complete: nothing to do");
        return Ok(ExitCode::SUCCESS);
    }
    let total = run::plan(&g).len();
    if resume_at > 0 {
        println!("resuming after batch {resume_at} of {total}");
    }
    println!(
        "generating {}: {} officers and staff, {} people, {} incidents, {} crimes over {} years to {}",
        g.spec.profile.map_or("custom", Profile::as_str),
        g.spec.officers,
        g.spec.people,
        g.spec.incidents,
        g.spec.crimes,
        g.spec.years,
        g.spec.until.format("%Y-%m-%d")
    );
    let stop = Arc::new(AtomicBool::new(false));
    let on_signal = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nstopping after this batch (Ctrl-C again to stop at once; the batch is then rolled back)");
            on_signal.store(true, Ordering::Relaxed);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:30}] batch {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_position(resume_at as u64);
    let report = |p: &Progress| {
        bar.set_position(p.batches_done as u64);
        bar.set_message(format!("{} {}/{} ({} rows)", p.part.label(), p.done, p.total, p.rows));
    };
    let summary = run::generate(store.as_ref(), g.clone(), Utc::now(), &report, &stop).await;
    bar.finish_and_clear();
    let summary = match summary {
        Ok(s) => s,
        Err(refusal) => {
            eprintln!("error: {refusal}");
            return Ok(ExitCode::from(2));
        }
    };
    for (what, n) in &summary.made {
        println!("  {n:>10}  {what}");
    }
    println!(
        "  {:>10}  rows, of which {} audit events (marked as generated)\n  {:.0} s, {:.0} rows/s",
        summary.rows,
        summary.audit_events,
        summary.seconds,
        summary.rows as f64 / summary.seconds.max(0.001)
    );
    if summary.interrupted {
        println!(
            "stopped after batch {} of {}: run the same command again to carry on",
            summary.batches_done, summary.batches_total
        );
        return Ok(ExitCode::from(130));
    }
    println!("done: `bluelamp audit verify` checks the trail; generated users have no password until one is set");
    Ok(ExitCode::SUCCESS)
}
