//! The mixed load (issue 5; targets from `QUALITY.md` R8): `--users` users (50) at `--rate`
//! requests a second (200) for `--mixed-seconds` (600), driven by wrk (Debian's package) over
//! loopback against `bluelamp serve` on the generated force:
//!
//! - 70% views and searches: crime, person and incident pages, a crime by the API, person and
//!   crime searches of every kind;
//! - 20% creates and updates: incidents recorded with THRIVE and two people, crimes recorded with a
//!   victim and a suspect, log entries added to open incidents (with their current version);
//! - 10% dashboards: the control-room queue, the home page, NCRS compliance and the 24-hour list,
//!   THRIVE quality.
//!
//! Two wrk processes run at once, one with nine in ten users for views, searches and writes and one
//! with the rest for dashboards, so each has its own latency distribution (wrk reports one per
//! process). Each connection is a user who waits `1000 × connections / rate` ms between requests
//! (wrk's `delay`), so the rate is fixed whatever the server does; the rate achieved is reported.
//! The server's resident memory is read from `/proc` every second.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bluelamp_generate::Generator;
use serde_json::json;
use uuid::Uuid;

use crate::Args;
use crate::dataset::Loaded;
use crate::suite::{Server, Session};

/// A Lua string literal.
fn lua(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn lua_list<I: IntoIterator<Item = String>>(name: &str, items: I) -> String {
    let items: Vec<String> = items.into_iter().map(|s| lua(&s)).collect();
    format!("local {name} = {{{}}}\n", items.join(",\n"))
}

/// What both scripts share: counting responses by class, and the summary wrk prints at the end.
const COMMON: &str = r#"
s5, s4, s409, s3 = 0, 0, 0, 0
local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function delay()
  return delay_ms
end
function done(summary, latency, requests)
  local f5, f4, f409, f3 = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    f5 = f5 + t:get("s5")
    f4 = f4 + t:get("s4")
    f409 = f409 + t:get("s409")
    f3 = f3 + t:get("s3")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d,"status_5xx":%d,"status_4xx":%d,"status_409":%d,"status_3xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.timeout, f5, f4, f409, f3))
end
"#;

const MAIN: &str = r#"
local versions = {}
local mine = {}
function init(args)
  delay_ms = tonumber(args[1])
  math.randomseed(1000 + tid)
  -- Each thread updates its own share of the open incidents, so versions stay its own.
  for k = 1, #open, 2 do
    local i = k + tid
    if open[i] then
      versions[open[i]] = open_versions[i]
      table.insert(mine, open[i])
    end
  end
end
local function pick(list) return list[math.random(#list)] end
function request()
  local u = math.random(#cookies)
  local page = {["Cookie"] = cookies[u]}
  local api = {["Authorization"] = "Bearer " .. bearers[u], ["Content-Type"] = "application/json"}
  local r = math.random(90)
  if r <= 20 then return wrk.format("GET", "/crimes/" .. pick(crimes), page)
  elseif r <= 28 then return wrk.format("GET", "/api/v1/crimes/" .. pick(crimes), api)
  elseif r <= 38 then return wrk.format("GET", "/people/" .. pick(people), page)
  elseif r <= 50 then return wrk.format("GET", pick(person_searches), api)
  elseif r <= 62 then return wrk.format("GET", pick(crime_searches), api)
  elseif r <= 70 then return wrk.format("GET", "/incidents/" .. pick(incidents), page)
  elseif r <= 78 then return wrk.format("POST", "/api/v1/incidents", api, pick(incident_bodies))
  elseif r <= 84 and #mine > 0 then
    local id = pick(mine)
    return wrk.format("POST", "/api/v1/incidents/" .. id .. "/log", api,
      '{"version":' .. versions[id] .. ',"text":"Caller rang back: partner has returned to the address"}')
  else return wrk.format("POST", "/api/v1/crimes", api, pick(crime_bodies))
  end
end
function response(status, headers, body)
  if status >= 300 and s5 + s4 + s409 + s3 < 3 then
    -- The first few refusals, for the reader of the report (the benchmark prints them).
    io.write("BENCH-REFUSED " .. status .. " " .. string.gsub(string.sub(body or "", 1, 300), "\n", " ") .. "\n")
  end
  if status >= 500 then s5 = s5 + 1
  elseif status == 409 then s409 = s409 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  elseif status == 200 and body then
    local id, v = string.match(body, '^{"id":"([^"]+)","reference":"[^"]*","version":(%d+)')
    if id and versions[id] then versions[id] = tonumber(v) end
  end
end
"#;

const DASHBOARDS: &str = r#"
function init(args)
  delay_ms = tonumber(args[1])
  math.randomseed(2000 + tid)
end
local paths = {"/incidents", "/", "/crimes/compliance", "/ncrs", "/quality/thrive"}
function request()
  return wrk.format("GET", paths[math.random(#paths)], {["Cookie"] = cookies[math.random(#cookies)]})
end
function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1 elseif status == 409 then s409 = s409 + 1
  elseif status >= 400 then s4 = s4 + 1 elseif status >= 300 then s3 = s3 + 1 end
end
"#;

fn wrk(
    script: &Path,
    connections: usize,
    seconds: u64,
    base: &str,
    delay_ms: f64,
) -> anyhow::Result<std::process::Child> {
    Command::new("wrk")
        .args(["-t", &connections.clamp(1, 2).to_string(), "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s"), "--timeout", "5s", "-s"])
        .arg(script)
        .arg(base)
        .args(["--", &format!("{}", delay_ms.max(0.0).round())])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("running wrk (scripts/bench installs it from Debian's packages): {e}"))
}

fn summary(output: std::process::Output, which: &str) -> anyhow::Result<serde_json::Value> {
    let text = String::from_utf8_lossy(&output.stdout);
    for refused in text.lines().filter_map(|l| l.strip_prefix("BENCH-REFUSED ")) {
        eprintln!("  {which}: refused {refused}");
    }
    let line = text.lines().find_map(|l| l.strip_prefix("BENCH ")).ok_or_else(|| {
        anyhow::anyhow!("wrk ({which}) printed no summary:\n{text}{}", String::from_utf8_lossy(&output.stderr))
    })?;
    Ok(serde_json::from_str(line)?)
}

/// Both wrk processes at once for `seconds`, each (script, connections, wait in ms); their
/// summaries, and the server's resident memory (seconds in, KiB) every second.
async fn run_pair(
    server: &Server,
    main: (&Path, usize, f64),
    dash: (&Path, usize, f64),
    seconds: u64,
) -> anyhow::Result<(serde_json::Value, serde_json::Value, Vec<(f64, u64)>)> {
    let started = Instant::now();
    let mut main_wrk = wrk(main.0, main.1, seconds, &server.base, main.2)?;
    let mut dash_wrk = wrk(dash.0, dash.1, seconds, &server.base, dash.2)?;
    let mut rss: Vec<(f64, u64)> = Vec::new();
    while main_wrk.try_wait()?.is_none() || dash_wrk.try_wait()?.is_none() {
        if let Some(kib) = server.rss_kib() {
            rss.push((started.elapsed().as_secs_f64(), kib));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let main_out = summary(main_wrk.wait_with_output()?, "views, searches and writes")?;
    let dash_out = summary(dash_wrk.wait_with_output()?, "dashboards")?;
    Ok((main_out, dash_out, rss))
}

#[allow(clippy::too_many_arguments)]
pub async fn mixed(
    db: &str,
    server: &Server,
    users: &[Session],
    handler: &Session,
    g: &Generator,
    loaded: &Loaded,
    people: &[Uuid],
    args: &Args,
) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(users.len() >= 10, "the mixed load needs at least 10 users (--users)");
    let mut rng = bluelamp_generate::rng::Rng::for_item(g.spec.seed, 0x3130_00ED, 1);
    let crimes: Vec<String> =
        (0..2000).map(|_| g.crime(rng.below(g.spec.crimes.max(1) as u64) as usize).id.to_string()).collect();
    let persons: Vec<String> =
        (0..2000).map(|_| loaded.people[rng.below(loaded.people.len().max(1) as u64) as usize].to_string()).collect();
    let incidents: Vec<String> =
        (0..2000).map(|_| g.incident(rng.below(g.other_incidents().max(1) as u64) as usize).id.to_string()).collect();
    let (mut person_searches, mut crime_searches) = (Vec::new(), Vec::new());
    for (k, kind) in crate::search::KINDS.iter().enumerate() {
        for n in 0..200u64 {
            let path = crate::search::query_path(kind, 5_000_000 + n * 16 + k as u64, g, loaded);
            if kind.starts_with("person") { &mut person_searches } else { &mut crime_searches }.push(path);
        }
    }
    let incident_bodies = (0..200u64).map(|n| crate::incidents::incident_body(7, n, people).to_string());
    let crime_bodies = (0..200u64).map(|n| crate::incidents::crime_body(7, n, people).to_string());
    let dash_users = (users.len() / 10).max(1);
    let (dash, main) = users.split_at(dash_users);
    let rate = args.rate.max(1.0);
    // Each user's cycle: the wait, then the request; the waits are set so the cycles give the rate.
    let main_cycle = 1000.0 * main.len() as f64 / (rate * 0.9);
    let dash_cycle = 1000.0 * dash.len() as f64 / (rate * 0.1);
    let dir = args.out.parent().unwrap_or(Path::new(".")).to_path_buf();
    std::fs::create_dir_all(&dir)?;
    let data = {
        let mut script = String::new();
        script += &lua_list("cookies", main.iter().map(|s| s.cookie.clone()));
        script += &lua_list("bearers", main.iter().map(|s| s.bearer.clone()));
        script += &lua_list("crimes", crimes);
        script += &lua_list("people", persons);
        script += &lua_list("incidents", incidents);
        script += &lua_list("person_searches", person_searches);
        script += &lua_list("crime_searches", crime_searches);
        script += &lua_list("incident_bodies", incident_bodies);
        script += &lua_list("crime_bodies", crime_bodies);
        script
    };
    let main_script = dir.join(format!("mixed-{db}.lua"));
    // The open incidents with their current versions, for the log entries: read again before each
    // run, since the warm-up's entries move them on.
    let client = reqwest::Client::new();
    let write_main = async |client: &reqwest::Client| -> anyhow::Result<()> {
        let open = crate::suite::open_incidents(client, &server.base, &handler.bearer).await?;
        let mut script = data.clone();
        script += &lua_list("open", open.iter().map(|(id, _)| id.to_string()));
        script += &format!(
            "local open_versions = {{{}}}\n",
            open.iter().map(|(_, v)| v.to_string()).collect::<Vec<_>>().join(",")
        );
        script += COMMON;
        script += MAIN;
        std::fs::write(&main_script, script)?;
        Ok(())
    };
    write_main(&client).await?;
    let mut script = lua_list("cookies", dash.iter().map(|s| s.cookie.clone()));
    script += COMMON;
    script += DASHBOARDS;
    let dash_script = dir.join(format!("mixed-dashboards-{db}.lua"));
    std::fs::write(&dash_script, script)?;

    // A warm-up (not reported) measures what each cycle spends beyond its wait (the request, the
    // timer), so the measured run's waits give the rate asked for.
    let warm = (args.mixed_seconds / 5).clamp(5, 30);
    eprintln!("[{db}] mixed: warming up for {warm} s");
    let (main_warm, dash_warm, _) =
        run_pair(server, (&main_script, main.len(), main_cycle), (&dash_script, dash.len(), dash_cycle), warm).await?;
    let overhead = |out: &serde_json::Value, users: usize, cycle: f64| {
        let achieved = out["requests"].as_f64().unwrap_or(0.0) / (out["duration_us"].as_f64().unwrap_or(1.0) / 1e6);
        if achieved > 0.0 { (1000.0 * users as f64 / achieved - cycle).clamp(0.0, cycle) } else { 0.0 }
    };
    write_main(&client).await?;
    let main_wait = main_cycle - overhead(&main_warm, main.len(), main_cycle);
    let dash_wait = dash_cycle - overhead(&dash_warm, dash.len(), dash_cycle);
    let seconds = args.mixed_seconds;
    eprintln!(
        "[{db}] mixed: {} users at {rate} requests/s for {seconds} s ({} for views, searches and writes waiting {main_wait:.0} ms, {} for dashboards waiting {dash_wait:.0} ms)",
        users.len(),
        main.len(),
        dash.len()
    );
    let before = crate::cpu::snapshot(server.pid());
    let (main_out, dash_out, rss) =
        run_pair(server, (&main_script, main.len(), main_wait), (&dash_script, dash.len(), dash_wait), seconds).await?;
    let requests_made = main_out["requests"].as_f64().unwrap_or(0.0) + dash_out["requests"].as_f64().unwrap_or(0.0);
    // What the server and PostgreSQL spent per request (wrk's own CPU is not counted).
    let cpu = crate::cpu::between(before, crate::cpu::snapshot(server.pid()), requests_made);
    let ms = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(0.0) / 1000.0;
    let count = |k: &str| main_out[k].as_u64().unwrap_or(0) + dash_out[k].as_u64().unwrap_or(0);
    let requests = count("requests");
    let elapsed = main_out["duration_us"].as_f64().unwrap_or(1.0) / 1e6;
    let achieved = requests as f64 / elapsed.max(0.001);
    // Memory: the peak, and the growth from a fifth of the way in (minute 2 of 10) to the end.
    let peak = rss.iter().map(|r| r.1).max().unwrap_or(0);
    let at = |t: f64| rss.iter().find(|r| r.0 >= t).or(rss.last()).map(|r| r.1).unwrap_or(0);
    let (early, late) = (at(seconds as f64 * 0.2), rss.last().map(|r| r.1).unwrap_or(0));
    let growth = if early > 0 { (late as f64 - early as f64) / early as f64 } else { 0.0 };
    let (p50, p95, p99) = (ms(&main_out, "p50_us"), ms(&main_out, "p95_us"), ms(&main_out, "p99_us"));
    let dash_p99 = ms(&dash_out, "p99_us");
    let (fivexx, timeouts) = (count("status_5xx"), count("timeout"));
    let other_errors = count("connect") + count("read") + count("write");
    Ok(json!({
        "database": db,
        "benchmark": "mixed",
        "figure": format!("p50 {p50:.1} / p95 {p95:.1} / p99 {p99:.1} ms; dashboards p99 {dash_p99:.1} ms; {fivexx} 5xx; RSS {:.0} MB", peak as f64 / 1024.0),
        "users": users.len(),
        "target_rate": rate,
        "achieved_rate": achieved,
        "seconds": elapsed,
        "requests": requests,
        "p50_ms": p50, "p95_ms": p95, "p99_ms": p99,
        "dashboards_ms": { "p50": ms(&dash_out, "p50_us"), "p95": ms(&dash_out, "p95_us"), "p99": dash_p99 },
        "status_5xx": fivexx,
        "timeouts": timeouts,
        "socket_errors": other_errors,
        "status_4xx": count("status_4xx"),
        "status_409": count("status_409"),
        "status_3xx": count("status_3xx"),
        "cpu": cpu,
        "rss_peak_mib": peak as f64 / 1024.0,
        "rss_growth": growth,
        "rss_mib": rss.iter().step_by(10).map(|r| json!([r.0.round(), r.1 as f64 / 1024.0])).collect::<Vec<_>>(),
        "wrk": { "views_searches_writes": main_out, "dashboards": dash_out },
        "notes": format!(
            "{} users, {achieved:.1} requests/s achieved of {rate}; 70% views and searches, 20% creates and updates, 10% dashboards; \
             {fivexx} 5xx, {timeouts} timeouts, {other_errors} socket errors, {} 4xx, {} 409 (stale version); RSS peak {:.0} MB, growth {:+.1}% from {:.0}% of the run; \
             CPU per request: server {:.2} ms, PostgreSQL {:.2} ms ({:.2} cores busy with wrk's left out)",
            users.len(),
            count("status_4xx"),
            count("status_409"),
            peak as f64 / 1024.0,
            growth * 100.0,
            20.0,
            cpu["cpu_ms_per_record"]["server"].as_f64().unwrap_or(0.0),
            cpu["cpu_ms_per_record"]["postgres"].as_f64().unwrap_or(0.0),
            cpu["cores_busy"].as_f64().unwrap_or(0.0),
        ),
    }))
}
