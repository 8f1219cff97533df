//! The command-line contract, run against the real binary on both databases: admin commands work,
//! `audit verify` fails loudly on tampering, `serve` refuses a database it must not use, and a
//! mistyped SQLite path is never silently created.

use std::process::{Command, Output};

use bluelamp_testkit::TestBackend;

fn bluelamp(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bluelamp"))
        .args(args)
        .env("BLUELAMP_DATABASE_URL", url)
        .env("BLUELAMP_LISTEN", "127.0.0.1:0")
        .env_remove("BLUELAMP_DEMO_PASSWORD")
        .output()
        .expect("run bluelamp")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

async fn admin_commands_work<B: TestBackend>() {
    let backend = B::new().await;
    let url = backend.url();
    let migrate = bluelamp(&url, &["migrate"]);
    assert!(migrate.status.success(), "{}", text(&migrate));

    let add = bluelamp(
        &url,
        &[
            "user",
            "add",
            "--username",
            "pc.cli",
            "--name",
            "PC 1 Cli",
            "--collar",
            "1",
            "--role",
            "investigator",
            "--specialism",
            "domestic-abuse",
        ],
    );
    assert!(add.status.success(), "{}", text(&add));
    assert!(text(&add).contains("first password:"));
    let bad =
        bluelamp(&url, &["user", "add", "--username", "Bad Name", "--name", "", "--collar", "1", "--role", "wizard"]);
    assert!(!bad.status.success());
    let said = text(&bad);
    assert!(said.contains("username:") && said.contains("roles:"), "{said}");

    let list = bluelamp(&url, &["user", "list"]);
    assert!(text(&list).contains("pc.cli") && text(&list).contains("active"), "{}", text(&list));
    assert!(bluelamp(&url, &["user", "disable", "pc.cli"]).status.success());
    assert!(text(&bluelamp(&url, &["user", "list"])).contains("disabled"));
    assert!(bluelamp(&url, &["user", "enable", "pc.cli"]).status.success());
    let reset = bluelamp(&url, &["user", "reset-password", "pc.cli"]);
    assert!(text(&reset).contains("new password:"), "{}", text(&reset));
    assert!(bluelamp(&url, &["user", "set-roles", "pc.cli", "--role", "supervisor"]).status.success());
    assert!(!bluelamp(&url, &["user", "disable", "nobody"]).status.success());

    let token = bluelamp(&url, &["token", "create", "--user", "pc.cli", "--expires-days", "7"]);
    assert!(token.status.success(), "{}", text(&token));
    assert!(String::from_utf8_lossy(&token.stdout).trim().starts_with("blt_"));
    assert!(!bluelamp(&url, &["token", "create", "--user", "pc.cli", "--expires-days", "0"]).status.success());
    let tokens = text(&bluelamp(&url, &["token", "list", "--user", "pc.cli"]));
    assert!(tokens.contains("active") && !tokens.contains("blt_"), "{tokens}");
    let id = tokens.split_whitespace().next().unwrap_or("").to_string();
    assert!(bluelamp(&url, &["token", "revoke", &id]).status.success());
    assert!(text(&bluelamp(&url, &["token", "list", "--user", "pc.cli"])).contains("revoked"));
    assert!(!bluelamp(&url, &["token", "revoke", &id]).status.success(), "revoking twice is an error");

    let verify = bluelamp(&url, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("audit trail intact"));
}

async fn audit_verify_fails_on_tampering<B: TestBackend>() {
    let backend = B::new().await;
    let url = backend.url();
    for name in ["pc.a", "pc.b", "pc.c"] {
        assert!(
            bluelamp(&url, &["user", "add", "--username", name, "--name", name, "--collar", "1", "--role", "analyst"])
                .status
                .success()
        );
    }
    backend.drop_audit_guards().await;
    backend.exec("UPDATE audit_event SET after_json = '{}' WHERE seq = 2").await;
    let verify = bluelamp(&url, &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(text(&verify).contains("AUDIT TRAIL BROKEN at event 2"), "{}", text(&verify));
}

async fn serve_refuses_a_newer_database<B: TestBackend>() {
    let backend = B::new().await;
    let url = backend.url();
    let insert = if B::NAME == "sqlite" {
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'from the future', 1, X'00', 0)"
    } else {
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'from the future', true, '\\x00'::bytea, 0)"
    };
    backend.exec(insert).await;
    let serve = bluelamp(&url, &["serve"]);
    assert!(!serve.status.success());
    assert!(text(&serve).contains("newer bluelamp"), "{}", text(&serve));
    assert!(text(&bluelamp(&url, &["migrate"])).contains("newer bluelamp"));
}

async fn backup_is_restorable<B: TestBackend>() {
    let backend = B::new().await;
    let url = backend.url();
    assert!(
        bluelamp(
            &url,
            &["user", "add", "--username", "pc.kept", "--name", "Kept", "--collar", "1", "--role", "analyst"]
        )
        .status
        .success()
    );
    let dir = std::env::temp_dir().join(format!("bluelamp-backup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("backup.db");
    let file_arg = file.to_string_lossy().to_string();
    let backup = bluelamp(&url, &["backup", "--to", &file_arg]);
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(std::fs::metadata(&file).map(|m| m.len() > 0).unwrap_or(false));
    assert!(!bluelamp(&url, &["backup", "--to", &file_arg]).status.success(), "never overwrites");
    if B::NAME == "sqlite" {
        let restored = format!("sqlite://{file_arg}");
        assert!(text(&bluelamp(&restored, &["user", "list"])).contains("pc.kept"));
        assert!(bluelamp(&restored, &["audit", "verify"]).status.success());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_mistyped_sqlite_path_is_never_created() {
    let path =
        std::env::temp_dir().join(format!("bluelamp-typo-{}", uuid::Uuid::now_v7().simple())).join("bluelamp.db");
    let url = format!("sqlite://{}", path.display());
    for args in [&["serve"][..], &["user", "list"][..], &["audit", "verify"][..]] {
        let output = bluelamp(&url, args);
        assert!(!output.status.success());
        assert!(text(&output).contains("there is no database at"), "{}", text(&output));
    }
    assert!(!path.exists() && !path.parent().is_some_and(|p| p.exists()));
}

#[test]
fn config_example_is_complete_and_help_works() {
    let example = bluelamp("sqlite://unused", &["config", "example"]);
    let example = String::from_utf8_lossy(&example.stdout);
    for key in ["database_url", "listen", "secure_cookies", "idle_minutes", "lockout_threshold", "max_connections"] {
        assert!(example.contains(key), "{key} missing from the example");
    }
    for command in [
        &["--help"][..],
        &["demo", "--help"],
        &["serve", "--help"],
        &["user", "add", "--help"],
        &["token", "create", "--help"],
        &["backup", "--help"],
    ] {
        assert!(bluelamp("sqlite://unused", command).status.success(), "{command:?}");
    }
}

macro_rules! cli_tests {
    ($module:ident, $backend:ty) => {
        mod $module {
            cli_tests!(@each $backend; admin_commands_work, audit_verify_fails_on_tampering, serve_refuses_a_newer_database, backup_is_restorable,
                policeuk_import_reports_and_is_idempotent, policeuk_kent_files_match_their_source);
        }
    };
    (@each $backend:ty; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name::<$backend>().await;
            }
        )*
    };
}

cli_tests!(sqlite, bluelamp_testkit::SqliteBackend);
cli_tests!(postgres, bluelamp_testkit::PostgresBackend);

// ---- data.police.uk import ----------------------------------------------------------------------

fn policeuk_sample(name: &str) -> String {
    format!("{}/tests/data/policeuk/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The four numbers (read, imported, already present, rejected) of a summary line.
fn summary_row(output: &str, label: &str) -> Option<[u64; 4]> {
    let line = output.lines().find(|l| l.starts_with(label) && l[label.len()..].starts_with("  "))?;
    let numbers: Vec<u64> =
        line[label.len()..].split_whitespace().filter_map(|n| n.replace(',', "").parse().ok()).collect();
    numbers.try_into().ok()
}

/// Importing the samples through the binary: the summary by category, rejected rows and a bad
/// header named with file and line, an unreadable file named with its path while the others load,
/// and a second run that adds nothing.
async fn policeuk_import_reports_and_is_idempotent<B: TestBackend>() {
    let backend = B::new().await;
    let url = backend.url();
    let (january, february) =
        (policeuk_sample("2022-01-kent-street-sample.csv"), policeuk_sample("2022-02-kent-street-sample.csv"));
    let (bad_rows, bad_header) = (policeuk_sample("bad-rows.csv"), policeuk_sample("bad-header.csv"));
    let missing = policeuk_sample("no-such-file.csv");
    let first = bluelamp(&url, &["import", "policeuk", &january, &bad_header, &february, &missing, &bad_rows]);
    let said = text(&first);
    assert_eq!(first.status.code(), Some(1), "a file failed: {said}");
    assert!(said.contains("3 of 5 file(s) imported, 365 rows read"), "{said}");
    assert_eq!(summary_row(&said, "Total"), Some([365, 362, 0, 3]), "{said}");
    assert_eq!(summary_row(&said, "Anti-social behaviour"), Some([45, 45, 0, 0]), "{said}");
    assert_eq!(summary_row(&said, "Violence and sexual offences"), Some([136, 135, 0, 1]), "{said}");
    assert_eq!(summary_row(&said, "Public order"), Some([19, 19, 0, 0]), "a repeated Crime ID is kept: {said}");
    assert_eq!(summary_row(&said, "(unreadable)"), Some([2, 0, 0, 2]), "{said}");
    assert!(said.contains("2022-01-kent-street-sample.csv: 300 rows read, 300 imported"), "{said}");
    for expected in [
        "bad-rows.csv, line 3: the row is truncated: 7 of 12 columns",
        "bad-rows.csv, line 4: Month \"2022-13\" is not a month written YYYY-MM",
        "bad-rows.csv, line 6: the row is truncated",
        "bad-header.csv, line 1: column 10 of the header is \"Crime category\", expected \"Crime type\"",
        "cannot read ",
    ] {
        assert!(said.contains(expected), "{expected} missing from: {said}");
    }
    assert!(said.contains(&format!("cannot read {missing}")), "{said}");

    let counts = backend.store().policeuk_counts().await.expect("counts");
    assert_eq!((counts.total(), counts.incidents_by_type.values().sum::<i64>()), (362, 45));
    assert_eq!(counts.by_outcome.get("Unable to prosecute suspect"), Some(&123));

    let second = bluelamp(&url, &["import", "policeuk", &january, &february, &bad_rows]);
    let said = text(&second);
    assert!(second.status.success(), "{said}");
    assert_eq!(summary_row(&said, "Total"), Some([365, 0, 362, 3]), "{said}");
    assert_eq!(backend.store().policeuk_counts().await.expect("counts"), counts, "the second run added nothing");
    let verify = bluelamp(&url, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
}

/// Where the real files are: `BLUELAMP_POLICEUK_DIR`, else `../shared/data/policeuk` beside the
/// repository (as in CI).
fn kent_files() -> Option<Vec<String>> {
    let dir = std::env::var("BLUELAMP_POLICEUK_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/policeuk"));
    let files: Vec<String> = (1..=9)
        .map(|month| dir.join(format!("2022-{month:02}-kent-street.csv")))
        .filter(|path| path.is_file())
        .map(|path| path.to_string_lossy().to_string())
        .collect();
    (files.len() == 9).then_some(files)
}

/// By crime type and by outcome, from `../shared/data/policeuk/SOURCE.md` (153,998 rows).
const KENT_BY_CRIME_TYPE: [(&str, i64); 14] = [
    ("Violence and sexual offences", 63_918),
    ("Anti-social behaviour", 22_403),
    ("Criminal damage and arson", 15_323),
    ("Other theft", 10_720),
    ("Public order", 9_631),
    ("Shoplifting", 8_913),
    ("Vehicle crime", 7_047),
    ("Burglary", 5_236),
    ("Other crime", 4_179),
    ("Drugs", 2_984),
    ("Robbery", 1_043),
    ("Possession of weapons", 1_003),
    ("Bicycle theft", 843),
    ("Theft from the person", 755),
];
const KENT_BY_OUTCOME: [(&str, i64); 16] = [
    ("Unable to prosecute suspect", 63_668),
    ("Investigation complete; no suspect identified", 44_516),
    ("", 22_403),
    ("Awaiting court outcome", 4_775),
    ("Status update unavailable", 3_529),
    ("Action to be taken by another organisation", 3_222),
    ("Further investigation is not in the public interest", 3_118),
    ("Under investigation", 3_117),
    ("Court result unavailable", 2_207),
    ("Local resolution", 1_671),
    ("Offender given a caution", 1_369),
    ("Further action is not in the public interest", 180),
    ("Formal action is not in the public interest", 166),
    ("Offender given a drugs possession warning", 47),
    ("Offender given penalty notice", 6),
    ("Suspect charged as part of another case", 4),
];

/// All nine Kent files load with the counts SOURCE.md gives, by crime type and by outcome, and a
/// second run adds nothing. Without the files (a checkout on its own) it says so and checks the
/// committed sample instead.
async fn policeuk_kent_files_match_their_source<B: TestBackend>() {
    let backend = B::new().await;
    let url = backend.url();
    let Some(files) = kent_files() else {
        println!(
            "SKIPPED the nine-file Kent import on {}: ../shared/data/policeuk is absent \
             (set BLUELAMP_POLICEUK_DIR); importing the committed sample instead",
            B::NAME
        );
        let sample = policeuk_sample("2022-01-kent-street-sample.csv");
        let output = bluelamp(&url, &["import", "policeuk", &sample]);
        assert!(output.status.success(), "{}", text(&output));
        assert_eq!(backend.store().policeuk_counts().await.expect("counts").total(), 300);
        return;
    };
    let args: Vec<&str> = ["import", "policeuk"].into_iter().chain(files.iter().map(String::as_str)).collect();
    let started = std::time::Instant::now();
    let first = bluelamp(&url, &args);
    let said = text(&first);
    println!("{} nine-file import: {:.1} s", B::NAME, started.elapsed().as_secs_f64());
    assert!(first.status.success(), "{said}");
    assert_eq!(summary_row(&said, "Total"), Some([153_998, 153_998, 0, 0]), "{said}");
    let counts = backend.store().policeuk_counts().await.expect("counts");
    let by_type: Vec<(String, i64)> = KENT_BY_CRIME_TYPE.iter().map(|(t, n)| (t.to_string(), *n)).collect();
    let mut stored_by_type: Vec<(String, i64)> = counts.by_crime_type().into_iter().collect();
    stored_by_type.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    assert_eq!(stored_by_type, by_type);
    assert_eq!(counts.incidents_by_type, std::collections::BTreeMap::from([("Anti-social behaviour".into(), 22_403)]));
    let mut by_outcome: Vec<(String, i64)> = KENT_BY_OUTCOME.iter().map(|(o, n)| (o.to_string(), *n)).collect();
    by_outcome.sort();
    assert_eq!(counts.by_outcome.into_iter().collect::<Vec<_>>(), by_outcome);

    let second = bluelamp(&url, &args);
    let said = text(&second);
    assert!(second.status.success(), "{said}");
    assert_eq!(summary_row(&said, "Total"), Some([153_998, 0, 153_998, 0]), "{said}");
    assert_eq!(backend.store().policeuk_counts().await.expect("counts").total(), 153_998);
}
