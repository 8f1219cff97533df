//! Every benchmark's goal, in one place: where it comes from, and how a result is judged against it.
//! `ratio` is the goal over the figure for times and the figure over the goal for rates, so a
//! ratio of 1 or more means the goal is met; `met` also holds the goals that are counts (no 5xx).

use serde_json::{Value, json};

/// Seconds the county profile over five years may take on PostgreSQL (issue 5).
pub const COUNTY_SECONDS: f64 = 15.0 * 60.0;

fn f(v: &Value, path: &[&str]) -> Option<f64> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_f64)
}

/// The goal (in words) and the ratio, for a result; None where the benchmark has no goal here.
fn goal(r: &Value) -> Option<(String, Option<f64>, bool)> {
    let db = r["database"].as_str().unwrap_or("");
    let within = |goal: f64, figure: Option<f64>| figure.filter(|x| *x > 0.0).map(|x| goal / x);
    let judged = |ratio: Option<f64>| ratio.is_some_and(|x| x >= 1.0);
    match r["benchmark"].as_str()? {
        // Issue 5: the county force over five years in under 15 minutes on PostgreSQL.
        "generate" => {
            let county = r["profile"] == "county" && r["years"] == 5 && db == "postgres";
            let ratio = county.then(|| within(COUNTY_SECONDS, f(r, &["seconds"]))).flatten();
            Some(("county, 5 years, PostgreSQL: < 900 s".into(), ratio, !county || judged(ratio)))
        }
        // Issue 3: records through the API at half of pgbench -N's rate on the same server.
        "incident-write" | "crime-write" => {
            let ratio = f(r, &["ratio_to_pgbench"]).map(|x| x / 0.5);
            Some(("≥ 0.5 × pgbench -N (PostgreSQL)".into(), ratio, db != "postgres" || judged(ratio)))
        }
        // Issue 3: the control-room queue with 2,000 open incidents, p99 < 50 ms.
        "queue-page" => {
            let p99 = f(r, &["paced_20_per_second_ms", "p99"]).or(f(r, &["p99_ms"]));
            let ratio = within(50.0, p99);
            Some(("p99 < 50 ms".into(), ratio, judged(ratio)))
        }
        // Issue 6: the triage queue page with 2,000 waiting crimes, p99 < 50 ms.
        "triage-page" => {
            let ratio = within(50.0, f(r, &["p99_ms"]));
            Some(("p99 < 50 ms".into(), ratio, judged(ratio)))
        }
        // Issue 7: outcome analytics over the five-year county force, p95 < 500 ms on PostgreSQL.
        "analytics" => {
            let ratio = within(500.0, f(r, &["p95_ms"]));
            Some(("p95 < 500 ms (county, 5 years, PostgreSQL)".into(), ratio, judged(ratio)))
        }
        // Issue 6: 2,000 crimes over 3,800 officers in under 200 ms, at the exact optimum.
        "allocate" => {
            let ratio = within(200.0, f(r, &["propose_ms", "median"]));
            let optimal = r["optimal"].as_bool().unwrap_or(false);
            Some(("< 200 ms and optimal".into(), ratio, optimal && judged(ratio)))
        }
        // QUALITY.md R8: a view's p95 under 150 ms.
        "crime-page" => {
            let ratio = within(150.0, f(r, &["p95_ms"]));
            Some(("p95 < 150 ms".into(), ratio, judged(ratio)))
        }
        // Issue 4: person search and crime search each p95 < 50 ms.
        "search" => {
            let worst = f(r, &["people_p95_ms"]).zip(f(r, &["crimes_p95_ms"])).map(|(a, b)| a.max(b));
            let ratio = within(50.0, worst.or(f(r, &["p95_ms"])));
            Some(("p95 < 50 ms, people and crimes".into(), ratio, judged(ratio)))
        }
        // Issue 4: data.police.uk import at 50,000 rows a second on PostgreSQL.
        "import" => {
            let ratio = f(r, &["rows_per_second"]).map(|x| x / 50_000.0);
            Some(("≥ 50,000 rows/s (PostgreSQL)".into(), ratio, db != "postgres" || judged(ratio)))
        }
        // QUALITY.md R8: 50 users at 200 requests/s for 10 minutes.
        "mixed" => {
            let ratios = [
                within(30.0, f(r, &["p50_ms"])),
                within(150.0, f(r, &["p95_ms"])),
                within(300.0, f(r, &["p99_ms"])),
                within(800.0, f(r, &["dashboards_ms", "p99"])),
                within(300.0, f(r, &["rss_peak_mib"])),
            ];
            let ratio = ratios.iter().flatten().copied().reduce(f64::min);
            // Redirects (to sign in) and refusals other than a stale version mean the load is not
            // what it claims to be: they fail it too.
            let clean =
                ["status_5xx", "timeouts", "socket_errors", "status_4xx", "status_3xx"].iter().all(|k| r[*k] == 0);
            let steady = f(r, &["rss_growth"]).is_some_and(|g| g < 0.10);
            Some((
                "R8: p50/95/99 < 30/150/300, dash p99 < 800 ms, 0 5xx, RSS < 300 MB".into(),
                ratio,
                judged(ratio) && clean && steady,
            ))
        }
        _ => None,
    }
}

/// Adds `goal`, `ratio` and `met` to a result that has a goal.
pub fn judge(r: &mut Value) {
    if let Some((goal, ratio, met)) = goal(r) {
        r["goal"] = json!(goal);
        r["ratio"] = json!(ratio);
        r["met"] = json!(met);
    }
}

/// The one table: each result's figure against its goal.
pub fn print_table(results: &[Value]) {
    println!(
        "{:<9} {:<15} {:>44} {:>8} {:>8} {:>8}  {:<44} {:>6} {:<4}",
        "database", "benchmark", "figure", "p50 ms", "p95 ms", "p99 ms", "goal", "ratio", "met"
    );
    let ms = |v: &Value| v.as_f64().map(|v| format!("{v:.1}")).unwrap_or_default();
    for r in results {
        println!(
            "{:<9} {:<15} {:>44} {:>8} {:>8} {:>8}  {:<44} {:>6} {:<4}",
            r["database"].as_str().unwrap_or(""),
            r["benchmark"].as_str().unwrap_or(""),
            r["figure"].as_str().unwrap_or(""),
            ms(&r["p50_ms"]),
            ms(&r["p95_ms"]),
            ms(&r["p99_ms"]),
            r["goal"].as_str().unwrap_or(""),
            r["ratio"].as_f64().map(|v| format!("{v:.2}")).unwrap_or_default(),
            match r["met"].as_bool() {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            },
        );
    }
    println!();
    for r in results {
        println!(
            "{} {}: {}",
            r["database"].as_str().unwrap_or(""),
            r["benchmark"].as_str().unwrap_or(""),
            r["notes"].as_str().unwrap_or("")
        );
    }
}
