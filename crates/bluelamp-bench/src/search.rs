//! The search benchmark (issue 4): person search over `--people` people and crime search over
//! `--crimes` crimes (2,000,000 and 1,000,000 by default), each database loaded with the seeded data
//! set of [`crate::dataset`], asked through the JSON API of a bluelamp served in this process on
//! loopback. Queries are made from people and crimes the generator knows exist, with the mistakes
//! people make (a misspelt surname, a number written another way, the start of an address), first
//! one at a time and then from a few clients at once. Reports p50/p95/p99 per kind of search and
//! overall; the goal is p95 < 50 ms for each.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bluelamp_core::audit::RequestContext;
use bluelamp_core::core::By;
use bluelamp_core::crime::CrimeRole;
use bluelamp_testkit::{TestBackend, new_user};
use serde_json::json;

use crate::dataset::{Generator, Loaded, Rng, Spec};
use crate::{Args, PASSWORD, core_for, percentile};

/// One request to make, and how to tell it found what it was after.
#[derive(Debug, Clone)]
struct Query {
    kind: &'static str,
    path: String,
    /// An id that should be among the results (person ids in `[*].person.id`, crime ids in
    /// `crimes[*].id`).
    expect: Option<String>,
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The surname as someone might mistype it: a letter changed or two swapped (half the time).
fn misspell(rng: &mut Rng, surname: &str) -> String {
    let mut chars: Vec<char> = surname.chars().collect();
    if chars.len() < 4 || rng.chance(0.5) {
        return surname.to_string();
    }
    let k = 1 + rng.below(chars.len() as u64 - 2) as usize;
    if rng.chance(0.5) {
        chars.swap(k, k + 1);
    } else {
        let vowels = ['a', 'e', 'i', 'o', 'u', 'y'];
        chars[k] = if vowels.contains(&chars[k]) { *rng.pick(&vowels) } else { chars[k] };
    }
    chars.into_iter().collect()
}

fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::London).date_naive().to_string()
}

/// The path of the `n`-th query of a kind (for the mixed load).
pub(crate) fn query_path(kind: &'static str, n: u64, g: &Generator, loaded: &Loaded) -> String {
    make(kind, n, g, loaded).path
}

/// The `n`-th query of a kind, made from the data set.
fn make(kind: &'static str, n: u64, g: &Generator, loaded: &Loaded) -> Query {
    let mut rng = Rng::for_item(g.spec.seed, 0x5EA_2C4, n.wrapping_mul(31).wrapping_add(kind.len() as u64 * 7919));
    let person_index = |rng: &mut Rng| rng.below(g.spec.people as u64) as usize;
    let crime_index = |rng: &mut Rng| rng.below(g.spec.crimes as u64) as usize;
    match kind {
        "person: name, maybe misspelt" => {
            let i = person_index(&mut rng);
            let p = g.person(i);
            let first = p.forenames.split_whitespace().next().unwrap_or("").to_string();
            let name = format!("{first} {}", misspell(&mut rng, &p.surname));
            Query { kind, path: format!("/api/v1/people?name={}", encode(&name)), expect: Some(p.id.to_string()) }
        }
        "person: surname and date of birth" => {
            let p = g.person(person_index(&mut rng));
            Query {
                kind,
                path: format!("/api/v1/people?name={}&date_of_birth={}", encode(&p.surname), p.date_of_birth),
                expect: Some(p.id.to_string()),
            }
        }
        "person: phone" => {
            let p = (0..20).map(|_| g.person(person_index(&mut rng))).find(|p| p.phone.is_some());
            let (number, id) = match p {
                Some(p) => (p.phone.clone().unwrap_or_default(), Some(p.id.to_string())),
                None => ("07700 900000".to_string(), None),
            };
            // Written the international way: +44 7xxx xxxxxx.
            let international = format!("+44 {}", number.trim_start_matches('0'));
            Query { kind, path: format!("/api/v1/people?phone={}", encode(&international)), expect: id }
        }
        "person: start of an address" => {
            let p = g.person(person_index(&mut rng));
            // "12 Southill Road, Chatham" → "12 Southill Road"
            let start = p.address.split(',').next().unwrap_or(&p.address).to_string();
            Query { kind, path: format!("/api/v1/people?address={}", encode(&start)), expect: Some(p.id.to_string()) }
        }
        "crime: number" => {
            let c = g.crime(crime_index(&mut rng));
            if rng.chance(0.85) {
                let typed = if rng.chance(0.3) { c.number.to_lowercase() } else { c.number.clone() };
                Query {
                    kind,
                    path: format!("/api/v1/crimes/search?number={}", encode(&typed)),
                    expect: Some(c.id.to_string()),
                }
            } else {
                let start = &c.number[..c.number.len().saturating_sub(2)];
                Query { kind, path: format!("/api/v1/crimes/search?number={}", encode(start)), expect: None }
            }
        }
        "crime: person" => {
            let c = g.crime(crime_index(&mut rng));
            let (person, role) = *rng.pick(&c.people);
            let role = if rng.chance(0.5) { format!("&role={}", role.as_str()) } else { String::new() };
            Query { kind, path: format!("/api/v1/crimes/search?person={}{role}", loaded.people[person]), expect: None }
        }
        "crime: person's name" => {
            let c = g.crime(crime_index(&mut rng));
            let (person, role) = *rng.pick(&c.people);
            let p = g.person(person);
            let first = p.forenames.split_whitespace().next().unwrap_or("");
            let role = if role == CrimeRole::Victim { "&role=victim" } else { "" };
            Query {
                kind,
                path: format!("/api/v1/crimes/search?name={}{role}", encode(&format!("{first} {}", p.surname))),
                expect: None,
            }
        }
        "crime: offence group and dates" => {
            let c = g.crime(crime_index(&mut rng));
            let days = *rng.pick(&[30i64, 90, 365]);
            Query {
                kind,
                path: format!(
                    "/api/v1/crimes/search?offence_group={}&recorded_from={}&recorded_to={}",
                    c.offence.group.as_str(),
                    day(c.recorded_at - chrono::Duration::days(days)),
                    day(c.recorded_at)
                ),
                expect: None,
            }
        }
        "crime: radius" => {
            let c = (0..20)
                .map(|_| g.crime(crime_index(&mut rng)))
                .find(|c| c.place.is_some())
                .unwrap_or_else(|| g.crime(0));
            let (lat, lon) = c.place.unwrap_or((51.2718, 0.5237));
            let metres = *rng.pick(&[250, 500, 1000, 2000]);
            let dates = if rng.chance(0.5) {
                format!(
                    "&recorded_from={}&recorded_to={}",
                    day(c.recorded_at - chrono::Duration::days(365)),
                    day(c.recorded_at)
                )
            } else {
                String::new()
            };
            Query {
                kind,
                path: format!("/api/v1/crimes/search?lat={lat:.6}&lon={lon:.6}&radius_m={metres}{dates}"),
                expect: None,
            }
        }
        "crime: flags and division" => {
            let c = g.crime(crime_index(&mut rng));
            let mut flags: Vec<&str> = c.flags.iter().map(|f| f.as_str()).take(2).collect();
            if flags.is_empty() {
                flags.push("domestic-abuse");
            }
            let dates = if rng.chance(0.5) {
                format!(
                    "&recorded_from={}&recorded_to={}",
                    day(c.recorded_at - chrono::Duration::days(90)),
                    day(c.recorded_at)
                )
            } else {
                String::new()
            };
            Query {
                kind,
                path: format!(
                    "/api/v1/crimes/search?flags={}&division={}{dates}",
                    flags.join(","),
                    encode(&c.division)
                ),
                expect: None,
            }
        }
        _ => {
            // "crime: officer"
            let c = g.crime(crime_index(&mut rng));
            let officer = &loaded.officers[c.officer % loaded.officers.len().max(1)].1;
            let dates = if rng.chance(0.5) {
                format!(
                    "&recorded_from={}&recorded_to={}",
                    day(c.recorded_at - chrono::Duration::days(30)),
                    day(c.recorded_at)
                )
            } else {
                String::new()
            };
            Query { kind, path: format!("/api/v1/crimes/search?officer={}{dates}", encode(officer)), expect: None }
        }
    }
}

pub(crate) const KINDS: &[&str] = &[
    "person: name, maybe misspelt",
    "person: surname and date of birth",
    "person: phone",
    "person: start of an address",
    "crime: number",
    "crime: person",
    "crime: person's name",
    "crime: offence group and dates",
    "crime: radius",
    "crime: flags and division",
    "crime: officer",
];

/// (milliseconds, ok, found the expected id) for one request.
async fn run(client: &reqwest::Client, base: &str, cookie: &str, q: &Query, slow_ms: u64) -> (f64, bool, Option<bool>) {
    let t = Instant::now();
    let reply = client.get(format!("{base}{}", q.path)).header("cookie", cookie).send().await;
    let body = match reply {
        Ok(r) if r.status().is_success() => r.bytes().await.ok(),
        Ok(r) => {
            eprintln!("  {} {} -> {}", q.kind, q.path, r.status());
            None
        }
        Err(e) => {
            eprintln!("  {} {} -> {e}", q.kind, q.path);
            None
        }
    };
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    if slow_ms > 0 && ms > slow_ms as f64 {
        eprintln!("  slow: {ms:.0} ms {}", q.path);
    }
    let Some(body) = body else { return (ms, false, None) };
    let found = q.expect.as_ref().map(|id| {
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let ids: Vec<&str> = match value.as_array() {
            Some(people) => people.iter().filter_map(|m| m["person"]["id"].as_str()).collect(),
            None => value["crimes"]
                .as_array()
                .map(|a| a.iter().filter_map(|c| c["id"].as_str()).collect())
                .unwrap_or_default(),
        };
        ids.contains(&id.as_str())
    });
    (ms, true, found)
}

#[derive(Default)]
struct Tally {
    times: Vec<f64>,
    errors: u64,
    expected: u64,
    found: u64,
}

impl Tally {
    fn add(&mut self, (ms, ok, found): (f64, bool, Option<bool>)) {
        if ok {
            self.times.push(ms);
        } else {
            self.errors += 1;
        }
        if let Some(f) = found {
            self.expected += 1;
            self.found += u64::from(f);
        }
    }

    fn json(&mut self) -> serde_json::Value {
        self.times.sort_by(f64::total_cmp);
        json!({
            "n": self.times.len(),
            "errors": self.errors,
            "p50_ms": percentile(&self.times, 50.0),
            "p95_ms": percentile(&self.times, 95.0),
            "p99_ms": percentile(&self.times, 99.0),
            "found": (self.expected > 0).then(|| self.found as f64 / self.expected as f64),
        })
    }
}

pub(crate) fn print_table(db: &str, phase: &str, table: &BTreeMap<String, serde_json::Value>) {
    eprintln!("[{db}] {phase}:");
    eprintln!("  {:<36} {:>6} {:>9} {:>9} {:>9} {:>7}", "kind", "n", "p50 ms", "p95 ms", "p99 ms", "found");
    for (kind, t) in table {
        eprintln!(
            "  {:<36} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>7}",
            kind,
            t["n"],
            t["p50_ms"].as_f64().unwrap_or(0.0),
            t["p95_ms"].as_f64().unwrap_or(0.0),
            t["p99_ms"].as_f64().unwrap_or(0.0),
            t["found"].as_f64().map(|f| format!("{:.0}%", f * 100.0)).unwrap_or_default()
        );
    }
}

/// A core on the database at `url`, with the pool `bluelamp serve` would use.
pub(crate) async fn open_core(name: &str, url: &str) -> anyhow::Result<bluelamp_core::Core> {
    let store: Arc<dyn bluelamp_core::store::Store> = if name == "postgres" {
        Arc::new(bluelamp_store_postgres::PostgresStore::open(url, 16).await?)
    } else {
        Arc::new(bluelamp_store_sqlite::SqliteStore::open(url, bluelamp_store_sqlite::Create::Never).await?)
    };
    Ok(bluelamp_core::Core::new(store, Arc::new(bluelamp_core::clock::SystemClock), bluelamp_core::Settings::default()))
}

/// Serves `core` on loopback until the sender is used or dropped.
async fn serve(core: bluelamp_core::Core) -> anyhow::Result<(std::net::SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let app = bluelamp_web::router(bluelamp_web::AppState::new(core, bluelamp_web::WebConfig::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(bluelamp_web::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    Ok((addr, stop))
}

/// What [`one_at_a_time`] measured.
pub(crate) struct OneAtATime {
    /// Per kind, and "all person searches" and "all crime searches".
    pub table: BTreeMap<String, serde_json::Value>,
    pub people: serde_json::Value,
    pub crimes: serde_json::Value,
    tallies: BTreeMap<&'static str, Tally>,
}

/// `queries` searches of each of `kinds`, one at a time, against the server at `base`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn one_at_a_time(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    g: &Generator,
    loaded: &Loaded,
    kinds: &[&'static str],
    queries: usize,
    slow_ms: u64,
) -> OneAtATime {
    let mut tallies: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let (mut people_all, mut crimes_all) = (Tally::default(), Tally::default());
    for n in 0..queries as u64 {
        for kind in kinds {
            let q = make(kind, n, g, loaded);
            let result = run(client, base, cookie, &q, slow_ms).await;
            if kind.starts_with("person") {
                people_all.add(result)
            } else {
                crimes_all.add(result)
            }
            tallies.entry(kind).or_default().add(result);
        }
    }
    let mut table: BTreeMap<String, serde_json::Value> =
        tallies.iter_mut().map(|(k, t)| (k.to_string(), t.json())).collect();
    let (people, crimes) = (people_all.json(), crimes_all.json());
    table.insert("all person searches".into(), people.clone());
    table.insert("all crime searches".into(), crimes.clone());
    OneAtATime { table, people, crimes, tallies }
}

pub async fn search<B: TestBackend>(args: &Args) -> anyhow::Result<serde_json::Value> {
    let until = match &args.until {
        Some(day) => chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map(|d| chrono::TimeZone::from_utc_datetime(&chrono::Utc, &d.and_hms_opt(0, 0, 0).unwrap_or_default()))
            .map_err(|e| anyhow::anyhow!("--until {day}: {e}"))?,
        None => crate::dataset::today(),
    };
    let spec = Spec::people_and_crimes(args.people, args.crimes, args.seed, until);
    let g = Arc::new(Generator::new(spec));
    let mut backend = None;
    let (url, loaded) = match &args.reuse {
        Some(url) => {
            eprintln!(
                "[{}] search: reusing {url} (loaded with the same --people, --crimes, --seed and --until)",
                B::NAME
            );
            (url.clone(), crate::dataset::regenerate(&g))
        }
        None => {
            eprintln!(
                "[{}] search: generating and loading {} people and {} crimes (seed {}, until {})",
                B::NAME,
                g.spec.people,
                g.spec.crimes,
                g.spec.seed,
                until.date_naive()
            );
            let fresh = B::new().await;
            let url = fresh.url();
            let core = core_for(&fresh);
            let loaded = crate::dataset::load(&core, g.clone()).await?;
            eprintln!("[{}] search: loaded in {:.0} s", B::NAME, loaded.seconds);
            backend = Some(fresh);
            (url, loaded)
        }
    };
    let core = open_core(B::NAME, &url).await?;
    let ctx = RequestContext::default();
    match core
        .create_user(By::System("bench"), &new_user("bench.detective", &["investigator"]), Some(PASSWORD), &ctx)
        .await
    {
        Ok(_) | Err(bluelamp_core::Error::Invalid(_)) | Err(bluelamp_core::Error::Conflict(_)) => {}
        Err(e) => anyhow::bail!("{e:?}"),
    }
    let token = core.sign_in("bench.detective", PASSWORD, &ctx).await.map_err(|e| anyhow::anyhow!("{e:?}"))?.token;
    let cookie = format!("bluelamp_session={token}");
    let (addr, stop) = serve(core).await?;
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder().pool_max_idle_per_host(16).build()?;

    let slow_ms = args.slow_ms;
    let kinds: Vec<&'static str> = KINDS.iter().copied().filter(|k| k.contains(args.kinds.as_str())).collect();
    anyhow::ensure!(!kinds.is_empty(), "no search kind contains {:?}; kinds are {KINDS:?}", args.kinds);
    // Warm up (not measured): the first requests open connections and read pages into the cache.
    for n in 0..(2 * kinds.len() as u64) {
        let q = make(kinds[n as usize % kinds.len()], 1_000_000 + n, &g, &loaded);
        run(&client, &base, &cookie, &q, slow_ms).await;
    }

    eprintln!("[{}] search: {} queries of each of {} kinds, one at a time", B::NAME, args.queries, kinds.len());
    let one = one_at_a_time(&client, &base, &cookie, &g, &loaded, &kinds, args.queries, slow_ms).await;
    print_table(B::NAME, "one at a time", &one.table);
    let (seq_table, people_seq, crimes_seq, sequential) = (one.table, one.people, one.crimes, one.tallies);

    let clients = args.search_clients.max(1);
    eprintln!("[{}] search: {clients} clients at once for {} s", B::NAME, args.seconds);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let shared = Arc::new((g, loaded));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, base, cookie, shared) = (client.clone(), base.clone(), cookie.clone(), shared.clone());
        let kinds = kinds.clone();
        tasks.push(tokio::spawn(async move {
            let mut tallies: BTreeMap<&'static str, Tally> = BTreeMap::new();
            let mut n = 10_000_000 * (c as u64 + 1);
            while Instant::now() < deadline {
                let kind = kinds[n as usize % kinds.len()];
                let q = make(kind, n, &shared.0, &shared.1);
                let result = run(&client, &base, &cookie, &q, slow_ms).await;
                tallies.entry(kind).or_default().add(result);
                n += 1;
            }
            tallies
        }));
    }
    let started = Instant::now();
    let mut concurrent: BTreeMap<&str, Tally> = BTreeMap::new();
    for task in tasks {
        for (kind, t) in task.await? {
            let into = concurrent.entry(kind).or_default();
            into.times.extend(t.times);
            into.errors += t.errors;
            into.expected += t.expected;
            into.found += t.found;
        }
    }
    let elapsed = started.elapsed().as_secs_f64().max(0.001);
    let _ = stop.send(());
    let requests: usize = concurrent.values().map(|t| t.times.len()).sum();
    let (mut people_c, mut crimes_c) = (Tally::default(), Tally::default());
    for (kind, t) in &concurrent {
        let into = if kind.starts_with("person") { &mut people_c } else { &mut crimes_c };
        into.times.extend(t.times.iter().copied());
        into.errors += t.errors;
    }
    let mut con_table: BTreeMap<String, serde_json::Value> =
        concurrent.iter_mut().map(|(k, t)| (k.to_string(), t.json())).collect();
    con_table.insert("all person searches".into(), people_c.json());
    con_table.insert("all crime searches".into(), crimes_c.json());
    print_table(B::NAME, &format!("{clients} clients at once"), &con_table);

    let (pp95, cp95) = (people_seq["p95_ms"].as_f64().unwrap_or(0.0), crimes_seq["p95_ms"].as_f64().unwrap_or(0.0));
    let mut overall = Tally::default();
    for t in sequential.values() {
        overall.times.extend(t.times.iter().copied());
    }
    overall.times.sort_by(f64::total_cmp);
    if let Some(b) = backend
        && args.keep
    {
        eprintln!(
            "[{}] search: keeping the database at {url} (--reuse it with the same --until {})",
            B::NAME,
            until.date_naive()
        );
        std::mem::forget(b);
    }
    Ok(json!({
        "database": B::NAME,
        "benchmark": "search",
        "figure": format!("p95 people {pp95:.1} ms, crimes {cp95:.1} ms"),
        "people": shared.0.spec.people,
        "crimes": shared.0.spec.crimes,
        "officers": shared.1.officers.len(),
        "seed": shared.0.spec.seed,
        "until": until.date_naive().to_string(),
        "load_seconds": args.reuse.is_none().then_some(shared.1.seconds),
        "queries_per_kind": args.queries,
        "p50_ms": percentile(&overall.times, 50.0),
        "p95_ms": percentile(&overall.times, 95.0),
        "p99_ms": percentile(&overall.times, 99.0),
        "one_at_a_time": seq_table,
        "concurrent": { "clients": clients, "seconds": elapsed, "requests_per_second": requests as f64 / elapsed, "kinds": con_table },
        "notes": format!(
            "{} people, {} crimes loaded in {:.0} s; one at a time p95: people {pp95:.1} ms, crimes {cp95:.1} ms; {clients} clients: {:.0} searches/s",
            shared.0.spec.people, shared.0.spec.crimes, shared.1.seconds, requests as f64 / elapsed
        ),
    }))
}
