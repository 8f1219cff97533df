//! `bluelamp import policeuk FILE…`: reads each data.police.uk street file, has the core parse and
//! import it (one transaction and one audit event per file), shows a progress bar on a terminal and
//! prints what happened, by category. A file that cannot be read or is not a street file is named
//! and skipped; the others still load.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bluelamp_core::Core;
use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::By;
use bluelamp_core::policeuk::{CategoryCounts, HeaderError, ImportSummary, ParsedFile, UNREADABLE, parse_street_file};
use indicatif::{ProgressBar, ProgressStyle};

/// Rejected rows printed at the end (all are counted; each file's audit event lists its first 100).
const MAX_REJECTED_SHOWN: usize = 200;

pub async fn policeuk(core: &Core, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let ctx = RequestContext::default();
    let total_bytes = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    // Drawn only on a terminal (indicatif hides itself otherwise); lines are printed through
    // `suspend` so they show either way.
    let bar = ProgressBar::new(total_bytes);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut summary = ImportSummary::default();
    let mut failures = Vec::new();
    // Files are read and parsed on a blocking thread, one ahead of the file being written: parsing
    // the next file overlaps the database's work on this one.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Loaded>(1);
    let paths = files.to_vec();
    let reader = tokio::task::spawn_blocking(move || {
        for path in paths {
            if tx.blocking_send(load(path)).is_err() {
                break;
            }
        }
    });
    while let Some(Loaded { path, name, bytes, parsed }) = rx.recv().await {
        bar.set_message(name.clone());
        let outcome = match parsed {
            Err(e) => Err(e),
            Ok(Ok(parsed)) => core
                .import_policeuk(By::System("cli"), &parsed, &ctx)
                .await
                .map_err(|e| format!("{} was not imported (nothing of it was stored): {e}", path.display())),
            Ok(Err(e)) => Err(format!("{e} (file {})", path.display())),
        };
        bar.inc(bytes);
        match outcome {
            Ok(file) => {
                let t = file.totals();
                bar.suspend(|| {
                    println!(
                        "{name}: {} rows read, {} imported, {} already present, {} rejected",
                        thousands(t.read),
                        thousands(t.imported),
                        thousands(t.already_present),
                        thousands(t.rejected)
                    )
                });
                summary.merge(&file);
            }
            Err(message) => failures.push(message),
        }
    }
    reader.await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    print_summary(&summary, files.len(), failures.len(), seconds);
    for message in &failures {
        eprintln!("error: {message}");
    }
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A file read and parsed: its size for the progress bar, and either the parsed file (or why it is
/// not a street file) or why it could not be read.
struct Loaded {
    path: PathBuf,
    name: String,
    bytes: u64,
    parsed: Result<Result<ParsedFile, HeaderError>, String>,
}

fn load(path: PathBuf) -> Loaded {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().to_string());
    match std::fs::read(&path) {
        Ok(bytes) => Loaded { parsed: Ok(parse_street_file(&name, &bytes)), bytes: bytes.len() as u64, path, name },
        Err(e) => Loaded { parsed: Err(format!("cannot read {}: {e}", path.display())), bytes: 0, path, name },
    }
}

fn print_summary(summary: &ImportSummary, files: usize, failed: usize, seconds: f64) {
    let totals = summary.totals();
    println!();
    println!(
        "data.police.uk import: {} of {files} file(s) imported, {} rows read in {seconds:.1} s ({} rows/s)",
        files - failed,
        thousands(totals.read),
        thousands((totals.read as f64 / seconds.max(0.001)) as u64)
    );
    println!("{:<44} {:>9} {:>9} {:>16} {:>9}", "Category", "Read", "Imported", "Already present", "Rejected");
    let line = |label: &str, c: &CategoryCounts| {
        println!(
            "{label:<44} {:>9} {:>9} {:>16} {:>9}",
            thousands(c.read),
            thousands(c.imported),
            thousands(c.already_present),
            thousands(c.rejected)
        );
    };
    // Rows too broken to have a category come last.
    let (unreadable, named): (Vec<_>, Vec<_>) =
        summary.by_category.iter().partition(|(category, _)| category.as_str() == UNREADABLE);
    for (category, counts) in named.into_iter().chain(unreadable) {
        line(category, counts);
    }
    line("Total", &totals);
    if !summary.rejected.is_empty() {
        println!("\nRejected rows ({}):", thousands(summary.rejected.len() as u64));
        for row in summary.rejected.iter().take(MAX_REJECTED_SHOWN) {
            println!("  {row}");
        }
        if summary.rejected.len() > MAX_REJECTED_SHOWN {
            println!(
                "  … and {} more (each file's audit event lists its first 100)",
                thousands((summary.rejected.len() - MAX_REJECTED_SHOWN) as u64)
            );
        }
    }
}

/// 153998 → "153,998".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        for (n, text) in [(0, "0"), (999, "999"), (1000, "1,000"), (153_998, "153,998"), (1_234_567, "1,234,567")] {
            assert_eq!(super::thousands(n), text);
        }
    }
}
