//! The generate benchmark (issue 5; goal: the county profile over five years in under 15 minutes
//! on PostgreSQL): `bluelamp generate` into a fresh database, timed around the whole command, then
//! `bluelamp audit verify` on the result (which must pass), and the database's size.
//!
//! Like the import benchmark it runs the `bluelamp` binary built beside it (or `--bluelamp`), so
//! what is measured is what an operator runs. `--profile` and `--years` choose the force (default
//! small over five years: seconds; county takes many minutes and about 20 GB per database).

use std::process::Command;
use std::time::Instant;

use bluelamp_testkit::TestBackend;
use serde_json::json;

use crate::Args;

fn run(bluelamp: &std::path::Path, args: &[&str]) -> anyhow::Result<(f64, String)> {
    let started = Instant::now();
    let output = Command::new(bluelamp).args(args).output()?;
    let seconds = started.elapsed().as_secs_f64();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    anyhow::ensure!(output.status.success(), "bluelamp {} failed ({}):\n{said}", args.join(" "), output.status);
    Ok((seconds, said))
}

/// The database's size in bytes.
async fn size<B: TestBackend>(backend: &B) -> anyhow::Result<u64> {
    let url = backend.url();
    if let Some(path) = bluelamp_store_sqlite::path_from_url(&url) {
        let wal = path.with_extension("db-wal");
        return Ok(std::fs::metadata(&path)?.len() + std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0));
    }
    let pool = bluelamp_store_postgres::PostgresStore::open(&url, 1).await?.pool().clone();
    let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(&pool).await?;
    Ok(u64::try_from(bytes).unwrap_or(0))
}

pub async fn generate<B: TestBackend>(args: &Args) -> anyhow::Result<serde_json::Value> {
    generate_into(&B::new().await, args).await
}

/// Generates `--profile` over `--years` into `backend`'s fresh database and verifies its audit trail.
pub async fn generate_into<B: TestBackend>(backend: &B, args: &Args) -> anyhow::Result<serde_json::Value> {
    let bluelamp = crate::import::binary(args)?;
    let url = backend.url();
    let until = args.until.clone().unwrap_or_else(|| "2026-11-26".to_string());
    let years = args.years.to_string();
    let seed = args.seed.to_string();
    eprintln!("[{}] generate: --profile {} --years {years} --seed {seed} --until {until}", B::NAME, args.profile);
    let (seconds, said) = run(
        &bluelamp,
        &[
            "generate",
            "--database-url",
            &url,
            "--profile",
            &args.profile,
            "--years",
            &years,
            "--seed",
            &seed,
            "--until",
            &until,
        ],
    )?;
    // "    248793  rows, of which 42090 audit events (marked as generated)"
    let rows: u64 = said
        .lines()
        .find(|l| l.contains("rows, of which"))
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no row count in the output:\n{said}"))?;
    let (verify_seconds, verified) = run(&bluelamp, &["audit", "verify", "--database-url", &url])?;
    anyhow::ensure!(verified.contains("intact"), "the audit trail did not verify:\n{verified}");
    let bytes = size(backend).await?;
    eprintln!(
        "[{}] generate: {rows} rows in {seconds:.0} s ({:.0} rows/s), {:.1} GB; audit verify {verify_seconds:.0} s",
        B::NAME,
        rows as f64 / seconds,
        bytes as f64 / 1e9
    );
    Ok(json!({
        "database": B::NAME,
        "benchmark": "generate",
        "figure": format!("{seconds:.0} s"),
        "profile": args.profile,
        "years": args.years,
        "seconds": seconds,
        "rows": rows,
        "rows_per_second": rows as f64 / seconds,
        "bytes": bytes,
        "audit_verify_seconds": verify_seconds,
        "notes": format!(
            "{} over {} years: {rows} rows, {:.0} rows/s, {:.1} GB; audit verify {verify_seconds:.0} s",
            args.profile,
            args.years,
            rows as f64 / seconds,
            bytes as f64 / 1e9
        ),
    }))
}
