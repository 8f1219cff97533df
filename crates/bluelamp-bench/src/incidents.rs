//! Incident benchmarks (issue 3): the write rate through the API against `pgbench -N` on the same
//! PostgreSQL server in the same run, and the queue page's latency over a large table.

use std::process::Command;
use std::time::{Duration, Instant};

use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::By;
use bluelamp_testkit::{TestBackend, new_user};
use serde_json::json;

use crate::{Args, core_for, percentile};

const THRIVE: &str = r#"[{"element":"threat","rating":"high","rationale":"Threats made on the call"},
{"element":"harm","rating":"high","rationale":"Injury likely if not attended"},
{"element":"risk","rating":"medium","rationale":"Partner has left the address"},
{"element":"investigation","rating":"medium","rationale":"Witnesses and 999 recording"},
{"element":"vulnerability","rating":"high","rationale":"Children in the household"},
{"element":"engagement","rating":"low","rationale":"Caller willing to engage"}]"#;

/// The pool `bluelamp serve` would use: PostgreSQL with the default `database.max_connections` (16),
/// not the testkit's smaller pool.
const SERVE_MAX_CONNECTIONS: u32 = 16;

async fn serve<B: TestBackend>(
    backend: &B,
) -> anyhow::Result<(std::net::SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let core = if B::NAME == "postgres" {
        let store = bluelamp_store_postgres::PostgresStore::open(&backend.url(), SERVE_MAX_CONNECTIONS).await?;
        bluelamp_core::Core::new(
            std::sync::Arc::new(store),
            std::sync::Arc::new(bluelamp_core::clock::SystemClock),
            bluelamp_core::Settings::default(),
        )
    } else {
        core_for(backend)
    };
    let app = bluelamp_web::router(bluelamp_web::AppState::new(core, bluelamp_web::WebConfig::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(bluelamp_web::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    Ok((addr, stop))
}

/// Incidents recorded (with a full THRIVE assessment, a victim and a suspect) per second through the JSON API by
/// `clients` concurrent clients, and on PostgreSQL `pgbench -N` with as many clients on a database
/// of its own on the same server, in the same run.
pub async fn write<B: TestBackend>(args: &Args) -> anyhow::Result<serde_json::Value> {
    let backend = B::new().await;
    let core = core_for(&backend);
    let ctx = RequestContext::default();
    core.create_user(By::System("bench"), &new_user("bench.handler", &["call-handler"]), None, &ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let (_, token) = core
        .create_api_token(By::System("bench"), "bench.handler", "bench", 1, &ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // People for the calls to involve: each incident links one as the victim and one as the suspect.
    let mut people = Vec::new();
    for n in 0..200u32 {
        let new = bluelamp_core::person::NewPerson {
            forenames: format!("Bench{n}"),
            surname: format!("Person{n}"),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1960 + (n % 50) as i32, 1 + n % 12, 1 + n % 28),
            sex: String::new(),
            address: format!("{n} Mill Road"),
            phone: String::new(),
        };
        let person =
            core.create_person(By::System("bench"), &new, true, &ctx).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        people.push(person.id);
    }
    let (addr, stop) = serve(&backend).await?;
    eprintln!("[{}] incident write: {} clients for {} s", B::NAME, args.clients, args.seconds);
    let base = format!("http://{addr}");
    let (rate, times, errors) = write_rate(&base, &token, args.clients, args.seconds, move |c, n| {
        ("/api/v1/incidents", incident_body(c, n, &people))
    })
    .await?;
    let _ = stop.send(());
    let pgbench = if B::NAME == "postgres" { pgbench_tps(args.clients, args.seconds)? } else { None };
    let ratio = pgbench.map(|tps| rate / tps);
    Ok(json!({
        "database": B::NAME,
        "benchmark": "incident-write",
        "figure": format!("{rate:.1} incidents/s"),
        "incidents_per_second": rate,
        "pgbench_tps": pgbench,
        "ratio_to_pgbench": ratio,
        "clients": args.clients,
        "errors": errors,
        "p50_ms": percentile(&times, 50.0),
        "p95_ms": percentile(&times, 95.0),
        "p99_ms": percentile(&times, 99.0),
        "notes": match (pgbench, ratio) {
            (Some(tps), Some(r)) => format!("record with THRIVE and two people in one request and one transaction with its audit event; pgbench -N {tps:.0} tps; ratio {r:.2} (goal 0.5)"),
            _ => "record with THRIVE and two people in one request and one transaction with its audit event".to_string(),
        },
    }))
}

/// An incident as a call handler records it: a domestic call with a full THRIVE assessment, a
/// victim and a suspect from `people`. Client `c`'s `n`-th.
pub(crate) fn incident_body(c: usize, n: u64, people: &[uuid::Uuid]) -> serde_json::Value {
    let thrive: serde_json::Value = serde_json::from_str(THRIVE).unwrap_or_default();
    json!({
        "channel": "999", "caller_name": "Bench Caller", "caller_phone": format!("07700 9{:05}", (c as u64 * 7919 + n) % 100_000),
        "location_text": format!("{} Mill Road", n % 500), "division": "East", "opening_category": "PSW-DOM",
        "qualifiers": ["domestic-abuse"], "summary": "Partner shouting and throwing things",
        "thrive": thrive,
        "people": [
            {"person_id": people[(c * 31 + n as usize) % people.len()], "role": "victim"},
            {"person_id": people[(c * 17 + n as usize * 7 + 1) % people.len()], "role": "suspect"},
        ],
    })
}

/// A crime as an investigator records it from a report: an assault, a shop theft or a burglary,
/// with a victim and a suspect from `people`. Client `c`'s `n`-th.
pub(crate) fn crime_body(c: usize, n: u64, people: &[uuid::Uuid]) -> serde_json::Value {
    let (code, mo) = match n % 3 {
        0 => ("105A", "Pushed to the ground outside the shop; no injury"),
        1 => ("46", "Took meat from the chiller and left without paying"),
        _ => ("28E", "Entered through an insecure rear door; took a laptop"),
    };
    json!({
        "offence_code": code, "location_text": format!("{} Mill Road, Maidstone", n % 500), "modus_operandi": mo,
        "people": [
            {"person_id": people[(c * 31 + n as usize) % people.len()], "role": "victim"},
            {"person_id": people[(c * 17 + n as usize * 7 + 1) % people.len()], "role": "suspect"},
        ],
    })
}

/// Records per second through the JSON API: `clients` clients each posting `body(client, n)` in
/// a closed loop for `seconds`. Returns (rate, sorted milliseconds of each 201, failures).
pub(crate) async fn write_rate<F>(
    base: &str,
    token: &str,
    clients: usize,
    seconds: u64,
    body: F,
) -> anyhow::Result<(f64, Vec<f64>, u64)>
where
    F: Fn(usize, u64) -> (&'static str, serde_json::Value) + Send + Sync + 'static,
{
    let body = std::sync::Arc::new(body);
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, token, base, body) = (client.clone(), token.to_string(), base.to_string(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0u64;
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let (path, json) = body(c, n);
                let t = Instant::now();
                // One request: the record, its parts and its audit event in one transaction.
                match client.post(format!("{base}{path}")).bearer_auth(&token).json(&json).send().await {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let _ = r.bytes().await;
                        times.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    Ok(r) => {
                        if errors == 0 {
                            eprintln!("  {path} -> {}: {}", r.status(), r.text().await.unwrap_or_default());
                        }
                        errors += 1
                    }
                    Err(_) => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let (mut times, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (t, e) = task.await?;
        times.extend(t);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    Ok((times.len() as f64 / elapsed, times, errors))
}

/// `pgbench -N` (no updates of the branch/teller rows) on a scratch database on the same server.
pub(crate) fn pgbench_tps(clients: usize, seconds: u64) -> anyhow::Result<Option<f64>> {
    let admin = bluelamp_testkit::postgres_admin_url();
    let name = format!("bluelamp_pgbench_{}", uuid::Uuid::now_v7().simple());
    let url = bluelamp_testkit::postgres_url_for(&admin, &name);
    let psql = |sql: &str| Command::new("psql").arg(&admin).arg("-qAtc").arg(sql).status();
    if !psql(&format!("CREATE DATABASE {name}"))?.success() {
        anyhow::bail!("could not create the pgbench database");
    }
    eprintln!("[postgres] pgbench -N: {clients} clients for {seconds} s");
    let init = Command::new("pgbench").args(["-i", "-q", "-s", "10"]).arg(&url).output()?;
    let run = if init.status.success() {
        Command::new("pgbench")
            .args(["-N", "-n", "-c", &clients.to_string(), "-j", "2", "-T", &seconds.to_string()])
            .arg(&url)
            .output()?
    } else {
        init
    };
    let _ = psql(&format!("DROP DATABASE {name} WITH (FORCE)"));
    let text = String::from_utf8_lossy(&run.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok());
    anyhow::ensure!(tps.is_some(), "pgbench printed no tps: {}{}", text, String::from_utf8_lossy(&run.stderr));
    Ok(tps)
}

/// The queue page (and its API) with 2,000 open incidents over `closed` closed ones, loaded in bulk
/// with SQL, then read by `users` / 6 concurrent supervisors for the set time.
pub async fn queue_page<B: TestBackend>(args: &Args) -> anyhow::Result<serde_json::Value> {
    let backend = B::new().await;
    let core = core_for(&backend);
    let ctx = RequestContext::default();
    let user = core
        .create_user(
            By::System("bench"),
            &new_user("bench.supervisor", &["control-room-supervisor"]),
            Some(crate::PASSWORD),
            &ctx,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let total = 2000 + args.closed;
    eprintln!("[{}] queue page: loading 2,000 open and {} closed incidents", B::NAME, args.closed);
    let loading = Instant::now();
    let sql = if B::NAME == "postgres" {
        format!(
            "INSERT INTO incident (id, reference, version, channel, status, received_at, recorded_at, recorded_by, caller_name, \
             caller_phone, location_text, latitude, longitude, is_rural, division, opening_category, qualifiers, grade, graded_at, \
             due_at, closing_category, closed_at, result, crime_reference, ncrs_reason, location_key, phone_key, ncrs_due_at) \
             SELECT gen_random_uuid(), 'B-' || g, 1, '999', CASE WHEN g <= 2000 THEN 'open' ELSE 'closed' END, \
             now() - g * interval '1 minute', now() - g * interval '1 minute', '{id}', '', '07700 ' || g, g || ' High Street', \
             NULL, NULL, false, (ARRAY['North','East','West'])[1 + g % 3], 'PSW-CFS', '', \
             CASE WHEN g % 5 = 0 THEN NULL ELSE 'priority' END, now(), now() + (g % 120 - 60) * interval '1 minute', \
             CASE WHEN g <= 2000 THEN NULL ELSE 'PSW-CFS' END, CASE WHEN g <= 2000 THEN NULL ELSE now() END, NULL, NULL, NULL, \
             g || ' high street', '7700' || g, NULL FROM generate_series(1, {total}) g",
            id = user.id
        )
    } else {
        let id = user.id.simple().to_string();
        format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {total}) \
             INSERT INTO incident (id, reference, version, channel, status, received_at, recorded_at, recorded_by, caller_name, \
             caller_phone, location_text, latitude, longitude, is_rural, division, opening_category, qualifiers, grade, graded_at, \
             due_at, closing_category, closed_at, result, crime_reference, ncrs_reason, location_key, phone_key, ncrs_due_at) \
             SELECT randomblob(16), 'B-' || n, 1, '999', CASE WHEN n <= 2000 THEN 'open' ELSE 'closed' END, \
             strftime('%Y-%m-%dT%H:%M:%S', 'now', '-' || n || ' minutes') || '.000000Z', \
             strftime('%Y-%m-%dT%H:%M:%S', 'now', '-' || n || ' minutes') || '.000000Z', X'{id}', '', '07700 ' || n, \
             n || ' High Street', NULL, NULL, 0, CASE n % 3 WHEN 0 THEN 'North' WHEN 1 THEN 'East' ELSE 'West' END, 'PSW-CFS', '', \
             CASE WHEN n % 5 = 0 THEN NULL ELSE 'priority' END, strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z', \
             strftime('%Y-%m-%dT%H:%M:%S', 'now', ((n % 120) - 60) || ' minutes') || '.000000Z', \
             CASE WHEN n <= 2000 THEN NULL ELSE 'PSW-CFS' END, \
             CASE WHEN n <= 2000 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z' END, NULL, NULL, NULL, \
             n || ' high street', '7700' || n, NULL FROM g"
        )
    };
    backend.exec(&sql).await;
    backend.exec(if B::NAME == "postgres" { "ANALYZE incident" } else { "ANALYZE" }).await;
    let load_seconds = loading.elapsed().as_secs_f64();
    let token =
        core.sign_in("bench.supervisor", crate::PASSWORD, &ctx).await.map_err(|e| anyhow::anyhow!("{e:?}"))?.token;
    let (addr, stop) = serve(&backend).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(16).build()?;
    let readers = (args.users / 6).max(1);
    eprintln!("[{}] queue page: {readers} readers for {} s", B::NAME, args.seconds);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for _ in 0..readers {
        let client = client.clone();
        let cookie = format!("bluelamp_session={token}");
        tasks.push(tokio::spawn(async move {
            let (mut page, mut api, mut errors) = (Vec::new(), Vec::new(), 0u64);
            while Instant::now() < deadline {
                for (path, into) in [("/incidents", &mut page), ("/api/v1/incidents", &mut api)] {
                    let t = Instant::now();
                    match client.get(format!("http://{addr}{path}")).header("cookie", &cookie).send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            into.push(t.elapsed().as_secs_f64() * 1000.0);
                        }
                        _ => errors += 1,
                    }
                }
            }
            (page, api, errors)
        }));
    }
    let (mut page, mut api, mut errors) = (Vec::new(), Vec::new(), 0);
    for task in tasks {
        let (p, a, e) = task.await?;
        page.extend(p);
        api.extend(a);
        errors += e;
    }
    // Then the page alone at a steady 20 requests a second (open loop: a request starts every 50 ms
    // whether or not the last has finished), about six times what 50 control-room screens
    // refreshing every 15 seconds ask for.
    eprintln!("[{}] queue page: paced at 20 requests/s for {} s", B::NAME, args.seconds);
    let mut ticker = tokio::time::interval(Duration::from_millis(50));
    let paced_deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut paced_tasks = Vec::new();
    while Instant::now() < paced_deadline {
        ticker.tick().await;
        let client = client.clone();
        let cookie = format!("bluelamp_session={token}");
        paced_tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            match client.get(format!("http://{addr}/incidents")).header("cookie", &cookie).send().await {
                Ok(r) if r.status().is_success() => {
                    let _ = r.bytes().await;
                    Some(t.elapsed().as_secs_f64() * 1000.0)
                }
                _ => None,
            }
        }));
    }
    let mut paced = Vec::new();
    for task in paced_tasks {
        match task.await? {
            Some(ms) => paced.push(ms),
            None => errors += 1,
        }
    }
    paced.sort_by(f64::total_cmp);
    let _ = stop.send(());
    page.sort_by(f64::total_cmp);
    api.sort_by(f64::total_cmp);
    Ok(json!({
        "database": B::NAME,
        "benchmark": "queue-page",
        "figure": format!("p99 {:.1} ms at 20/s; {:.1} ms under stress", percentile(&paced, 99.0), percentile(&page, 99.0)),
        "open": 2000,
        "closed": args.closed,
        "load_seconds": load_seconds,
        "readers": readers,
        "requests": page.len() + api.len(),
        "errors": errors,
        "p50_ms": percentile(&page, 50.0),
        "p95_ms": percentile(&page, 95.0),
        "p99_ms": percentile(&page, 99.0),
        "api_ms": { "p50": percentile(&api, 50.0), "p95": percentile(&api, 95.0), "p99": percentile(&api, 99.0) },
        "paced_20_per_second_ms": { "requests": paced.len(), "p50": percentile(&paced, 50.0), "p95": percentile(&paced, 95.0), "p99": percentile(&paced, 99.0) },
        "notes": format!(
            "HTML page (the 100 most urgent of 2,000 open, with counts over all): paced at 20/s p99 {:.1} ms; under stress ({readers} readers in a closed loop, each also fetching the API's 2,000) p99 {:.1} ms, API p99 {:.1} ms; {} closed rows loaded in {load_seconds:.0} s",
            percentile(&paced, 99.0),
            percentile(&page, 99.0),
            percentile(&api, 99.0),
            args.closed
        ),
    }))
}
