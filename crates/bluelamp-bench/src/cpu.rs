//! CPU time by process, from `/proc`, to say what limits a benchmark: the bluelamp server, the
//! PostgreSQL backends or the benchmark's own client. Linux only; zeros elsewhere.

use std::time::Instant;

use serde_json::json;

/// Clock ticks a second (`getconf CLK_TCK`, 100 on Linux).
const TICKS: f64 = 100.0;

/// utime + stime of one `/proc/PID/stat`, in ticks.
fn ticks(stat: &str) -> Option<u64> {
    // The command name may hold spaces: the fields after it start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn process(pid: &str) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let name = stat.split_once('(')?.1.rsplit_once(')')?.0.to_string();
    Some((name, ticks(&stat)?))
}

#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    at: Instant,
    server: u64,
    postgres: u64,
    client: u64,
}

pub fn snapshot(server_pid: u32) -> Snapshot {
    let mut postgres = 0;
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().filter(|p| p.bytes().all(|b| b.is_ascii_digit())) else { continue };
            if let Some((comm, t)) = process(pid)
                && comm == "postgres"
            {
                postgres += t;
            }
        }
    }
    Snapshot {
        at: Instant::now(),
        server: process(&server_pid.to_string()).map_or(0, |p| p.1),
        postgres,
        client: process("self").map_or(0, |p| p.1),
    }
}

/// CPU seconds each side spent between two snapshots, per `records` made, and cores kept busy.
pub fn between(a: Snapshot, b: Snapshot, records: f64) -> serde_json::Value {
    let wall = (b.at - a.at).as_secs_f64().max(0.001);
    let s = |x: u64, y: u64| y.saturating_sub(x) as f64 / TICKS;
    let (server, postgres, client) = (s(a.server, b.server), s(a.postgres, b.postgres), s(a.client, b.client));
    let per = |x: f64| if records > 0.0 { 1000.0 * x / records } else { 0.0 };
    json!({
        "wall_seconds": wall,
        "cpu_seconds": { "server": server, "postgres": postgres, "client": client },
        "cpu_ms_per_record": { "server": per(server), "postgres": per(postgres), "client": per(client) },
        "cores_busy": (server + postgres + client) / wall,
    })
}
