//! The benchmark suite (issue 5): on one database, generate a force with `bluelamp generate` (or
//! reuse one), start `bluelamp serve` on it as a separate process, and measure what a force would
//! feel, over that force's records:
//!
//! - `queue-page`: the control-room queue page with 2,000 open incidents (topped up through the
//!   API), paced at 20 requests a second; goal p99 < 50 ms.
//! - `crime-page`: a crime's page for random generated crimes, one at a time; goal p95 < 150 ms
//!   (`QUALITY.md` R8, views).
//! - `search`: every kind of person and crime search, one at a time; goal p95 < 50 ms each.
//! - `mixed`: 50 users at 200 requests a second (`mixed.rs`, driven by wrk).
//! - `incident-write` and `crime-write`: records per second through the API against `pgbench -N`
//!   on the same server in the same run; goal a ratio of at least 0.5.
//!
//! The generate step is itself a result (its goal is for the county profile on PostgreSQL). Each
//! part runs alone as `bluelamp-bench suite --parts crime-page` (with `--reuse` to skip generating).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::By;
use bluelamp_generate::{Generator, Profile, Spec};
use bluelamp_testkit::{TestBackend, new_user};
use serde_json::json;
use uuid::Uuid;

use crate::{Args, PASSWORD, percentile};

/// The suite's parts, in the order they run.
pub const PARTS: &[&str] = &[
    "generate",
    "queue-page",
    "crime-page",
    "search",
    "triage-page",
    "analytics",
    "mixed",
    "incident-write",
    "crime-write",
];

/// `bluelamp serve`, started as its own process on a free loopback port; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(bluelamp: &Path, url: &str, log: &Path) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(bluelamp)
            .arg("serve")
            .env("BLUELAMP_DATABASE_URL", url)
            .env("BLUELAMP_LISTEN", format!("127.0.0.1:{port}"))
            .env("BLUELAMP_ENVIRONMENT", "production")
            // Plain HTTP on loopback: the cookie without the `__Host-` prefix that needs TLS.
            .env("BLUELAMP_SECURE_COOKIES", "false")
            .env("BLUELAMP_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log)?)
            .spawn()?;
        let mut server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
                && r.status().is_success()
            {
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("bluelamp serve exited ({status}); see {}", log.display());
            }
            anyhow::ensure!(Instant::now() < deadline, "bluelamp serve was not ready in 120 s; see {}", log.display());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed-in user: a session cookie for the pages and an API token.
#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub bearer: String,
}

async fn session(core: &bluelamp_core::Core, username: &str, roles: &[&str]) -> anyhow::Result<Session> {
    let ctx = RequestContext::default();
    match core.create_user(By::System("bench"), &new_user(username, roles), Some(PASSWORD), &ctx).await {
        // A reused database already has the benchmark's users.
        Ok(_) | Err(bluelamp_core::Error::Invalid(_)) | Err(bluelamp_core::Error::Conflict(_)) => {}
        Err(e) => anyhow::bail!("creating {username}: {e:?}"),
    }
    let token = core.sign_in(username, PASSWORD, &ctx).await.map_err(|e| anyhow::anyhow!("{e:?}"))?.token;
    let (_, bearer) = core
        .create_api_token(By::System("bench"), username, "bench", 1, &ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(Session { cookie: format!("bluelamp_session={token}"), bearer })
}

/// The force in the database, as its generator: any record can be made again to ask about it.
async fn generator_of(core: &bluelamp_core::Core) -> anyhow::Result<Generator> {
    let force = core
        .store
        .generated_force()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("the database holds no generated force: run without --reuse"))?;
    anyhow::ensure!(force.finished_at.is_some(), "the generated force is not complete: run bluelamp generate again");
    let s = &force.spec;
    let profile: Profile = s["profile"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the force was not made from a profile"))?
        .parse()
        .map_err(|e: String| anyhow::anyhow!(e))?;
    let until = s["until"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .ok_or_else(|| anyhow::anyhow!("the force's spec has no until"))?
        .with_timezone(&chrono::Utc);
    let spec = Spec::profile(profile, s["years"].as_i64().unwrap_or(1), s["seed"].as_u64().unwrap_or(1), until);
    anyhow::ensure!(spec.fingerprint() == force.fingerprint, "the force's spec does not match its fingerprint");
    Ok(Generator::new(spec))
}

/// One GET; (milliseconds, succeeded).
async fn get(client: &reqwest::Client, url: &str, cookie: &str) -> (f64, bool) {
    let t = Instant::now();
    let ok = match client.get(url).header("cookie", cookie).send().await {
        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
        Ok(r) => {
            eprintln!("  {url} -> {}", r.status());
            false
        }
        Err(e) => {
            eprintln!("  {url} -> {e}");
            false
        }
    };
    (t.elapsed().as_secs_f64() * 1000.0, ok)
}

fn latency_json(times: &mut [f64]) -> serde_json::Value {
    times.sort_by(f64::total_cmp);
    json!({"n": times.len(), "p50": percentile(times, 50.0), "p95": percentile(times, 95.0), "p99": percentile(times, 99.0)})
}

/// The open incidents (id, version) the API lists.
pub(crate) async fn open_incidents(
    client: &reqwest::Client,
    base: &str,
    bearer: &str,
) -> anyhow::Result<Vec<(Uuid, i64)>> {
    let list: serde_json::Value = client
        .get(format!("{base}/api/v1/incidents"))
        .bearer_auth(bearer)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(list
        .as_array()
        .map(|a| {
            a.iter().filter_map(|i| Some((i["id"].as_str()?.parse().ok()?, i["version"].as_i64()?))).collect::<Vec<_>>()
        })
        .unwrap_or_default())
}

pub async fn suite<B: TestBackend>(args: &Args) -> anyhow::Result<Vec<serde_json::Value>> {
    let wanted = |part: &str| args.parts.is_empty() || args.parts.split(',').any(|p| p.trim() == part);
    for part in args.parts.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        anyhow::ensure!(PARTS.contains(&part), "--parts: no part is called {part:?}; the parts are {PARTS:?}");
    }
    anyhow::ensure!(
        wanted("generate") || args.reuse.is_some(),
        "--parts without generate needs --reuse URL (a database holding a generated force)"
    );
    let bluelamp = crate::import::binary(args)?;
    let mut results = Vec::new();
    let mut backend = None;
    let url = match &args.reuse {
        Some(url) => {
            eprintln!("[{}] suite: reusing the force in {url}", B::NAME);
            url.clone()
        }
        None => {
            let fresh = B::new().await;
            let url = fresh.url();
            results.push(crate::generate::generate_into(&fresh, args).await?);
            backend = Some(fresh);
            url
        }
    };
    let core = crate::search::open_core(B::NAME, &url).await?;
    let g = Arc::new(generator_of(&core).await?);
    eprintln!("[{}] suite: the force is {}", B::NAME, g.spec.fingerprint());
    let loaded = Arc::new(crate::dataset::regenerate(&g));
    let handler = session(&core, "bench.handler", &["call-handler"]).await?;
    let investigator = session(&core, "bench.investigator", &["investigator"]).await?;
    let supervisor = session(&core, "bench.supervisor", &["control-room-supervisor", "supervisor"]).await?;
    let mut load_users = Vec::new();
    for n in 0..args.users {
        let roles: &[&str] = if n % 10 == 9 {
            &["control-room-supervisor", "supervisor"]
        } else {
            &["call-handler", "investigator", "control-room-supervisor"]
        };
        load_users.push(session(&core, &format!("bench.load{n}"), roles).await?);
    }
    let log = args.out.with_file_name(format!("serve-{}.log", B::NAME));
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let server = Server::start(&bluelamp, &url, &log).await?;
    eprintln!("[{}] suite: bluelamp serve at {} (log {})", B::NAME, server.base, log.display());
    // No redirects: a page that sends the user to sign in is a failure, not a page.
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(64).redirect(reqwest::redirect::Policy::none()).build()?;
    let base = server.base.clone();
    // People the benchmark's own records involve: generated ones, spread over the force.
    let people: Arc<Vec<Uuid>> =
        Arc::new((0..500).map(|k| loaded.people[(k * 7919) % loaded.people.len().max(1)]).collect());

    if wanted("queue-page") {
        results.push(queue_page(B::NAME, &client, &base, &handler, &supervisor, &people, args).await?);
    }
    if wanted("crime-page") {
        results.push(crime_page(B::NAME, &client, &base, &investigator, &g, args).await?);
    }
    if wanted("search") {
        let kinds = crate::search::KINDS.to_vec();
        let one =
            crate::search::one_at_a_time(&client, &base, &investigator.cookie, &g, &loaded, &kinds, args.queries, 0)
                .await;
        crate::search::print_table(B::NAME, "search, one at a time", &one.table);
        let (pp95, cp95) = (one.people["p95_ms"].as_f64().unwrap_or(0.0), one.crimes["p95_ms"].as_f64().unwrap_or(0.0));
        results.push(json!({
            "database": B::NAME,
            "benchmark": "search",
            "figure": format!("p95 people {pp95:.1} ms, crimes {cp95:.1} ms"),
            "people_p95_ms": pp95,
            "crimes_p95_ms": cp95,
            "p50_ms": one.people["p50_ms"],
            "p95_ms": pp95.max(cp95),
            "p99_ms": one.people["p99_ms"].as_f64().unwrap_or(0.0).max(one.crimes["p99_ms"].as_f64().unwrap_or(0.0)),
            "kinds": one.table,
            "notes": format!("{} queries of each of {} kinds over the generated force, one at a time", args.queries, kinds.len()),
        }));
    }
    if wanted("triage-page") {
        let triage = session(&core, "bench.triage", &["triage", "supervisor"]).await?;
        results.push(triage_page(B::NAME, &core, &client, &base, &investigator, &triage, &people, args).await?);
    }
    if wanted("analytics") {
        let analyst = session(&core, "bench.analyst", &["analyst"]).await?;
        results.push(analytics(B::NAME, &client, &base, &analyst, &g, args).await?);
    }
    if wanted("mixed") {
        results.push(crate::mixed::mixed(B::NAME, &server, &load_users, &handler, &g, &loaded, &people, args).await?);
    }
    let pgbench = if B::NAME == "postgres" && (wanted("incident-write") || wanted("crime-write")) {
        crate::incidents::pgbench_tps(args.clients, args.seconds)?
    } else {
        None
    };
    for (part, path, who) in
        [("incident-write", "/api/v1/incidents", &handler), ("crime-write", "/api/v1/crimes", &investigator)]
    {
        if !wanted(part) {
            continue;
        }
        eprintln!("[{}] {part}: {} clients for {} s", B::NAME, args.clients, args.seconds);
        let people = people.clone();
        let before = crate::cpu::snapshot(server.pid());
        let (rate, times, errors) =
            crate::incidents::write_rate(&base, &who.bearer, args.clients, args.seconds, move |c, n| {
                let body = if path == "/api/v1/incidents" {
                    crate::incidents::incident_body(c, n, &people)
                } else {
                    crate::incidents::crime_body(c, n, &people)
                };
                (path, body)
            })
            .await?;
        let cpu = crate::cpu::between(before, crate::cpu::snapshot(server.pid()), times.len() as f64);
        let ratio = pgbench.map(|tps| rate / tps);
        results.push(json!({
            "database": B::NAME,
            "benchmark": part,
            "figure": format!("{rate:.1}/s"),
            "per_second": rate,
            "pgbench_tps": pgbench,
            "ratio_to_pgbench": ratio,
            "clients": args.clients,
            "errors": errors,
            "cpu": cpu,
            "p50_ms": percentile(&times, 50.0),
            "p95_ms": percentile(&times, 95.0),
            "p99_ms": percentile(&times, 99.0),
            "notes": format!(
                "one request and one transaction each, with its parts and audit event{}; CPU per record: server {:.2} ms, PostgreSQL {:.2} ms, client {:.2} ms ({:.2} cores busy); {errors} errors",
                pgbench.map(|t| format!("; pgbench -N {t:.0} tps")).unwrap_or_default(),
                cpu["cpu_ms_per_record"]["server"].as_f64().unwrap_or(0.0),
                cpu["cpu_ms_per_record"]["postgres"].as_f64().unwrap_or(0.0),
                cpu["cpu_ms_per_record"]["client"].as_f64().unwrap_or(0.0),
                cpu["cores_busy"].as_f64().unwrap_or(0.0),
            ),
        }));
    }
    drop(server);
    if let Some(b) = backend
        && args.keep
    {
        eprintln!("[{}] suite: keeping the force at {url} (give it to --reuse)", B::NAME);
        std::mem::forget(b);
    }
    Ok(results)
}

/// Reads a page paced at 20 requests a second (open loop: a slow answer does not delay the next
/// request) for `seconds`: the milliseconds of each good answer, and how many failed.
async fn paced(client: &reqwest::Client, url: &str, cookie: &str, seconds: u64) -> anyhow::Result<(Vec<f64>, u64)> {
    let mut ticker = tokio::time::interval(Duration::from_millis(50));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    while Instant::now() < deadline {
        ticker.tick().await;
        let (client, url, cookie) = (client.clone(), url.to_string(), cookie.to_string());
        tasks.push(tokio::spawn(async move { get(&client, &url, &cookie).await }));
    }
    let (mut times, mut errors) = (Vec::new(), 0u64);
    for task in tasks {
        match task.await? {
            (ms, true) => times.push(ms),
            _ => errors += 1,
        }
    }
    Ok((times, errors))
}

/// Tops the open incidents up to 2,000 through the API, then reads the queue page paced at 20
/// requests a second (open loop) for the set time.
async fn queue_page(
    db: &str,
    client: &reqwest::Client,
    base: &str,
    handler: &Session,
    supervisor: &Session,
    people: &Arc<Vec<Uuid>>,
    args: &Args,
) -> anyhow::Result<serde_json::Value> {
    let open = open_incidents(client, base, &handler.bearer).await?.len();
    let missing = 2000usize.saturating_sub(open);
    eprintln!("queue page: {open} open incidents; recording {missing} more through the API");
    for n in 0..missing as u64 {
        let r = client
            .post(format!("{base}/api/v1/incidents"))
            .bearer_auth(&handler.bearer)
            .json(&crate::incidents::incident_body(0, n + 1, people))
            .send()
            .await?;
        anyhow::ensure!(r.status().as_u16() == 201, "recording an incident: {}", r.text().await.unwrap_or_default());
    }
    let open = open_incidents(client, base, &handler.bearer).await?.len();
    eprintln!("queue page: {open} open; paced at 20 requests/s for {} s", args.seconds);
    let (mut times, errors) = paced(client, &format!("{base}/incidents"), &supervisor.cookie, args.seconds).await?;
    let l = latency_json(&mut times);
    Ok(json!({
        "database": db,
        "benchmark": "queue-page",
        "figure": format!("p99 {:.1} ms", l["p99"].as_f64().unwrap_or(0.0)),
        "open": open,
        "errors": errors,
        "p50_ms": l["p50"], "p95_ms": l["p95"], "p99_ms": l["p99"],
        "notes": format!("the control-room queue page with {open} open incidents over the generated force, paced at 20 requests/s; {errors} errors"),
    }))
}

/// The triage queue page with 2,000 crimes waiting (issue 6): tops the waiting crimes up to 2,000
/// through the API when the force has fewer, then reads the page paced at 20 requests a second for
/// the set time, and the allocation proposals page (every waiting crime proposed at once) ten times.
#[allow(clippy::too_many_arguments)]
async fn triage_page(
    db: &str,
    core: &bluelamp_core::Core,
    client: &reqwest::Client,
    base: &str,
    investigator: &Session,
    triage: &Session,
    people: &Arc<Vec<Uuid>>,
    args: &Args,
) -> anyhow::Result<serde_json::Value> {
    let limit = bluelamp_core::triage_use::QUEUE_LIMIT;
    let waiting = core.store.list_unallocated_crimes(limit).await?.len();
    let missing = 2000usize.saturating_sub(waiting);
    eprintln!("triage page: {waiting} crimes waiting; recording {missing} more through the API");
    for n in 0..missing as u64 {
        let r = client
            .post(format!("{base}/api/v1/crimes"))
            .bearer_auth(&investigator.bearer)
            .json(&crate::incidents::crime_body(0, n + 1, people))
            .send()
            .await?;
        anyhow::ensure!(r.status().as_u16() == 201, "recording a crime: {}", r.text().await.unwrap_or_default());
    }
    let waiting = core.store.list_unallocated_crimes(limit).await?.len();
    eprintln!("triage page: {waiting} waiting; paced at 20 requests/s for {} s", args.seconds);
    let (mut times, mut errors) = paced(client, &format!("{base}/triage"), &triage.cookie, args.seconds).await?;
    // The slow requests with when they were sent (seconds into the run): periodic stalls show here.
    let slow: Vec<(String, f64)> = times
        .iter()
        .enumerate()
        .filter(|(_, ms)| **ms > 100.0)
        .map(|(k, ms)| (format!("{:.2}", k as f64 / 20.0), *ms))
        .collect();
    let l = latency_json(&mut times);
    let mut proposals = Vec::new();
    for _ in 0..10 {
        let (ms, ok) = get(client, &format!("{base}/triage/allocations"), &triage.cookie).await;
        if ok { proposals.push(ms) } else { errors += 1 }
    }
    let p = latency_json(&mut proposals);
    Ok(json!({
        "database": db,
        "benchmark": "triage-page",
        "figure": format!("p99 {:.1} ms", l["p99"].as_f64().unwrap_or(0.0)),
        "waiting": waiting,
        "errors": errors,
        "p50_ms": l["p50"], "p95_ms": l["p95"], "p99_ms": l["p99"],
        "proposals_page_ms": p,
        "over_100_ms": slow,
        "notes": format!(
            "the triage queue page with {waiting} crimes waiting, paced at 20 requests/s; the allocation proposals page (all {waiting} proposed at once, officers' caseloads read) p50 {:.0} ms; {errors} errors",
            p["p50"].as_f64().unwrap_or(0.0)
        ),
    }))
}

/// Outcome analytics (issue 7) over the generated force: the API's comparison of a period with the
/// one before, by crime type, team and officer in turn, for periods of a month, a quarter, a year and
/// two years ending on random days of the force's last years (so no two requests ask the same
/// thing), one at a time, then the analytics page itself.
async fn analytics(
    db: &str,
    client: &reqwest::Client,
    base: &str,
    analyst: &Session,
    g: &Generator,
    args: &Args,
) -> anyhow::Result<serde_json::Value> {
    let n = args.queries * 4;
    eprintln!("analytics: {n} requests over {} crimes, one at a time", g.spec.crimes);
    let mut rng = bluelamp_generate::rng::Rng::for_item(g.spec.seed, 0xA7A1_7105, 1);
    let last = g.spec.until.date_naive();
    let span_days = (g.spec.years * 365).max(800);
    let (mut times, mut by_length, mut errors) = (Vec::new(), std::collections::BTreeMap::new(), 0u64);
    let dims = ["crime-type", "team", "officer"];
    for k in 0..n + 12 {
        let days = [30i64, 91, 365, 730][k % 4];
        let end = last - chrono::Days::new(rng.below((span_days - days).max(1) as u64 / 2));
        let start = end - chrono::Days::new(days as u64 - 1);
        let url = format!("{base}/api/v1/outcomes/analytics?from={start}&to={end}&by={}", dims[(k / 4) % 3]);
        let (ms, ok) = get(client, &url, &analyst.cookie).await;
        // The first 12 warm the connections and the database's caches.
        if k >= 12 {
            if ok {
                times.push(ms);
                by_length.entry(days).or_insert_with(Vec::new).push(ms);
            } else {
                errors += 1;
            }
        }
    }
    let l = latency_json(&mut times);
    let lengths: serde_json::Map<String, serde_json::Value> =
        by_length.iter_mut().map(|(d, t)| (format!("{d}_days"), latency_json(t))).collect();
    let mut page = Vec::new();
    for _ in 0..10 {
        let (ms, ok) = get(
            client,
            &format!("{base}/outcomes?from={}&to={last}&by=team", last - chrono::Days::new(364)),
            &analyst.cookie,
        )
        .await;
        if ok { page.push(ms) } else { errors += 1 }
    }
    let p = latency_json(&mut page);
    Ok(json!({
        "database": db,
        "benchmark": "analytics",
        "figure": format!("p95 {:.1} ms", l["p95"].as_f64().unwrap_or(0.0)),
        "crimes": g.spec.crimes,
        "errors": errors,
        "p50_ms": l["p50"], "p95_ms": l["p95"], "p99_ms": l["p99"],
        "by_period": lengths,
        "page_ms": p,
        "notes": format!(
            "GET /api/v1/outcomes/analytics for periods of 30, 91, 365 and 730 days (each with the period before it) by crime type, team and officer over {} generated crimes, one at a time; the /outcomes page for a year p50 {:.0} ms; {errors} errors",
            g.spec.crimes, p["p50"].as_f64().unwrap_or(0.0)
        ),
    }))
}

/// A generated crime's page (HTML), for random crimes, one at a time.
async fn crime_page(
    db: &str,
    client: &reqwest::Client,
    base: &str,
    investigator: &Session,
    g: &Generator,
    args: &Args,
) -> anyhow::Result<serde_json::Value> {
    let n = args.queries * 5;
    eprintln!("crime page: {n} crimes, one at a time");
    let mut rng = bluelamp_generate::rng::Rng::for_item(g.spec.seed, 0xC213_00E0, 1);
    let (mut times, mut errors) = (Vec::new(), 0u64);
    for k in 0..n + 20 {
        let crime = g.crime(rng.below(g.spec.crimes.max(1) as u64) as usize);
        let (ms, ok) = get(client, &format!("{base}/crimes/{}", crime.id), &investigator.cookie).await;
        // The first 20 warm the connections and caches.
        if k >= 20 {
            if ok { times.push(ms) } else { errors += 1 }
        }
    }
    let l = latency_json(&mut times);
    // The same crimes' investigation pages (issue 7): plan, supervision, decisions and, for an open
    // crime, the owner selects built from the officers' profiles.
    let (mut investigation, mut rng) = (Vec::new(), bluelamp_generate::rng::Rng::for_item(g.spec.seed, 0xC213_00E0, 1));
    for k in 0..n + 20 {
        let crime = g.crime(rng.below(g.spec.crimes.max(1) as u64) as usize);
        let (ms, ok) = get(client, &format!("{base}/crimes/{}/investigation", crime.id), &investigator.cookie).await;
        if k >= 20 {
            if ok { investigation.push(ms) } else { errors += 1 }
        }
    }
    let i = latency_json(&mut investigation);
    Ok(json!({
        "database": db,
        "benchmark": "crime-page",
        "figure": format!("p95 {:.1} ms", l["p95"].as_f64().unwrap_or(0.0).max(i["p95"].as_f64().unwrap_or(0.0))),
        "errors": errors,
        "p50_ms": l["p50"], "p95_ms": l["p95"].as_f64().unwrap_or(0.0).max(i["p95"].as_f64().unwrap_or(0.0)),
        "p99_ms": l["p99"].as_f64().unwrap_or(0.0).max(i["p99"].as_f64().unwrap_or(0.0)),
        "crime_page_ms": l,
        "investigation_page_ms": i,
        "notes": format!(
            "{n} random generated crimes' pages (people, classification history, audit) and the same crimes' investigation pages (plan, supervision, decisions, owner selects), one at a time; crime page p95 {:.1} ms, investigation page p95 {:.1} ms; {errors} errors",
            l["p95"].as_f64().unwrap_or(0.0), i["p95"].as_f64().unwrap_or(0.0)
        ),
    }))
}
