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
            cli_tests!(@each $backend; admin_commands_work, audit_verify_fails_on_tampering, serve_refuses_a_newer_database, backup_is_restorable);
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
