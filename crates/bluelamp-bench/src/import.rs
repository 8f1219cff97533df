//! The data.police.uk import benchmark (issue 4; goal ≥ 50,000 rows/s on PostgreSQL): the nine
//! Kent street files imported into a fresh database, then imported again (which must add nothing).
//!
//! It runs the `bluelamp` binary itself (`bluelamp import policeuk --database-url … FILE…`), the one
//! built beside this benchmark unless `--bluelamp` names another, so what is measured is exactly
//! what an operator runs: reading and parsing the files one ahead of the database, the store's
//! writes and one audit event per file. The time is taken around the whole command (start-up and
//! connecting included); the command's own figure is kept in the JSON too. Every run checks the
//! summary (all rows imported the first time, none the second) and the stored counts.
//!
//! The files come from `BLUELAMP_POLICEUK_DIR`, else `../shared/data/policeuk` beside the
//! repository; without them the repository's two small samples are imported instead, and the
//! result says so (a rate over a few hundred rows measures start-up, not the import).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use bluelamp_testkit::TestBackend;
use serde_json::json;

use crate::Args;

/// Rows per second the import must reach on PostgreSQL (issue 4).
const GOAL_ROWS_PER_SECOND: f64 = 50_000.0;

/// The files to import and what they are.
fn files() -> (Vec<PathBuf>, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let dir = std::env::var("BLUELAMP_POLICEUK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("../shared/data/policeuk"));
    let dir = dir.canonicalize().unwrap_or(dir);
    let kent: Vec<PathBuf> = (1..=9).map(|month| dir.join(format!("2022-{month:02}-kent-street.csv"))).collect();
    if kent.iter().all(|f| f.is_file()) {
        return (kent, format!("the nine Kent street files, Jan–Sep 2022 ({})", dir.display()));
    }
    let samples = root.join("crates/bluelamp/tests/data/policeuk");
    let files = ["2022-01-kent-street-sample.csv", "2022-02-kent-street-sample.csv"].map(|f| samples.join(f));
    (
        files.to_vec(),
        format!(
            "the repository's two Kent samples ({} is absent; set BLUELAMP_POLICEUK_DIR): too few rows for a rate",
            dir.display()
        ),
    )
}

/// The `bluelamp` binary: `--bluelamp`, else the one beside this benchmark.
pub(crate) fn binary(args: &Args) -> anyhow::Result<PathBuf> {
    let path = match &args.bluelamp {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("bluelamp"),
    };
    anyhow::ensure!(
        path.is_file(),
        "{} not found: build it (`cargo build --release -p bluelamp`, as scripts/bench does) or pass --bluelamp",
        path.display()
    );
    Ok(path)
}

/// One import: its wall time, the command's own rows/s and the summary's Total row (read,
/// imported, already present, rejected).
struct Run {
    seconds: f64,
    reported_rows_per_second: Option<f64>,
    total: [u64; 4],
}

fn import(bluelamp: &Path, url: &str, files: &[PathBuf]) -> anyhow::Result<Run> {
    let started = Instant::now();
    let output = Command::new(bluelamp).args(["import", "policeuk", "--database-url", url]).args(files).output()?;
    let seconds = started.elapsed().as_secs_f64();
    let said = String::from_utf8_lossy(&output.stdout).to_string();
    anyhow::ensure!(
        output.status.success(),
        "the import failed ({}):\n{said}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let total = said
        .lines()
        .find_map(|line| line.strip_prefix("Total "))
        .map(|rest| rest.split_whitespace().filter_map(|n| n.replace(',', "").parse::<u64>().ok()).collect::<Vec<_>>())
        .and_then(|numbers| <[u64; 4]>::try_from(numbers).ok())
        .ok_or_else(|| anyhow::anyhow!("no Total row in the import's output:\n{said}"))?;
    // "… rows read in 2.4 s (62,909 rows/s)"
    let reported_rows_per_second = said
        .lines()
        .find(|line| line.starts_with("data.police.uk import:"))
        .and_then(|line| line.rsplit_once('(')?.1.split_whitespace().next().map(|n| n.replace(',', "")))
        .and_then(|n| n.parse().ok());
    Ok(Run { seconds, reported_rows_per_second, total })
}

/// `--import-runs` fresh databases per backend, each imported twice; the median first run is the
/// figure.
pub async fn policeuk<B: TestBackend>(args: &Args) -> anyhow::Result<serde_json::Value> {
    let bluelamp = binary(args)?;
    let (files, source) = files();
    eprintln!("[{}] import: {} file(s), {} run(s): {source}", B::NAME, files.len(), args.import_runs);
    let mut firsts = Vec::new();
    let mut seconds = Vec::new();
    let mut reported = Vec::new();
    let mut rows = 0;
    for _ in 0..args.import_runs.max(1) {
        let backend = B::new().await;
        let url = backend.url();
        let first = import(&bluelamp, &url, &files)?;
        let [read, imported, present, rejected] = first.total;
        anyhow::ensure!(
            imported + rejected == read && present == 0,
            "the first import into an empty database did not import every good row: {:?}",
            first.total
        );
        let stored = backend.store().policeuk_counts().await.map_err(|e| anyhow::anyhow!("{e:?}"))?.total();
        anyhow::ensure!(stored == i64::try_from(imported)?, "{imported} rows imported but {stored} stored");
        let second = import(&bluelamp, &url, &files)?;
        anyhow::ensure!(
            second.total == [read, 0, imported, rejected],
            "the second import was not idempotent: {:?} after {:?}",
            second.total,
            first.total
        );
        let stored_again = backend.store().policeuk_counts().await.map_err(|e| anyhow::anyhow!("{e:?}"))?.total();
        anyhow::ensure!(stored_again == stored, "the second import changed what is stored");
        eprintln!(
            "[{}] import: {read} rows in {:.2} s ({:.0} rows/s); again in {:.2} s",
            B::NAME,
            first.seconds,
            read as f64 / first.seconds,
            second.seconds
        );
        rows = read;
        firsts.push(first.seconds);
        seconds.push(second.seconds);
        reported.extend(first.reported_rows_per_second);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let runs = firsts.clone();
    let first = median(&mut firsts);
    let again = median(&mut seconds);
    let rate = rows as f64 / first;
    let ratio = rate / GOAL_ROWS_PER_SECOND;
    let goal = if B::NAME == "postgres" {
        format!(
            "x{ratio:.2} of the {GOAL_ROWS_PER_SECOND:.0} rows/s goal ({})",
            if ratio >= 1.0 { "met" } else { "not met" }
        )
    } else {
        format!("x{ratio:.2} of PostgreSQL's {GOAL_ROWS_PER_SECOND:.0} rows/s goal")
    };
    Ok(json!({
        "database": B::NAME,
        "benchmark": "import",
        "figure": format!("{rate:.0} rows/s"),
        "rows": rows,
        "files": files.len(),
        "source": source,
        "method": "the bluelamp binary as a subprocess, timed around the whole command",
        "bluelamp": bluelamp.display().to_string(),
        "first_run_seconds": first,
        "first_run_seconds_each": runs,
        "rows_per_second": rate,
        "reported_rows_per_second": reported,
        "second_run_seconds": again,
        "goal_rows_per_second": GOAL_ROWS_PER_SECOND,
        "ratio_to_goal": ratio,
        "notes": format!("{rows} rows, first run {first:.2} s, {goal}; second run {again:.2} s adds nothing (median of {})", runs.len()),
    }))
}
