//! Test support, used only as a dev-dependency: a per-test database on either backend, a clock the
//! test controls, user fixtures, and the Store contract suite ([`contract`]) that both backends must
//! pass.

pub mod contract;
pub mod contract_generate;
pub mod contract_investigation;
pub mod contract_merge;
pub mod contract_pole;
pub mod contract_search;
pub mod contract_triage;

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bluelamp_core::audit::RequestContext;
use bluelamp_core::clock::Clock;
use bluelamp_core::core::By;
use bluelamp_core::store::Store;
use bluelamp_core::user::{NewUser, User};
use bluelamp_core::{Core, Settings};
use bluelamp_store_postgres::PostgresStore;
use bluelamp_store_sqlite::{Create, SqliteStore};
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

/// A clock that only moves when the test says so.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Arc<Self> {
        Arc::new(ManualClock(Mutex::new(start)))
    }

    /// 26 Nov 2026 09:00 UTC.
    pub fn standard() -> Arc<Self> {
        Self::new(Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).single().unwrap_or_default())
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut now) = self.0.lock() {
            *now += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|t| *t).unwrap_or_default()
    }
}

/// One backend under test, on a database of its own that is removed when the value is dropped.
#[async_trait]
pub trait TestBackend: Send + Sync + Sized + 'static {
    const NAME: &'static str;
    async fn new() -> Self;
    fn store(&self) -> Arc<dyn Store>;
    /// A URL the `bluelamp` binary can use to reach this database.
    fn url(&self) -> String;
    /// Runs raw SQL as the database owner (tamper and fault-injection tests).
    async fn try_exec(&self, sql: &str) -> Result<(), String>;
    async fn exec(&self, sql: &str) {
        if let Err(e) = self.try_exec(sql).await {
            panic!("raw SQL failed: {e}\n{sql}");
        }
    }
    /// Removes the append-only guards on the audit table, as a malicious administrator could.
    async fn drop_audit_guards(&self);
    /// Makes every audit insert fail from now on: the fault injected between a change and its audit.
    async fn break_audit_inserts(&self);
}

pub struct SqliteBackend {
    store: SqliteStore,
    dir: std::path::PathBuf,
}

#[async_trait]
impl TestBackend for SqliteBackend {
    const NAME: &'static str = "sqlite";

    async fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("bluelamp-test-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let store = SqliteStore::open_path(&dir.join("test.db"), Create::IfMissing).await.expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        SqliteBackend { store, dir }
    }

    fn store(&self) -> Arc<dyn Store> {
        Arc::new(self.store.clone())
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.store.path().display())
    }

    async fn try_exec(&self, sql: &str) -> Result<(), String> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(self.store.pool())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    async fn drop_audit_guards(&self) {
        self.exec("DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete;").await;
    }

    async fn break_audit_inserts(&self) {
        self.exec(
            "CREATE TRIGGER audit_event_fail BEFORE INSERT ON audit_event \
             BEGIN SELECT RAISE(ABORT, 'injected audit failure'); END;",
        )
        .await;
    }
}

impl Drop for SqliteBackend {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The server to create test databases on: `BLUELAMP_TEST_PG_URL`, else `DATABASE_URL`, else the local
/// trust-auth server this kind of machine runs.
pub fn postgres_admin_url() -> String {
    std::env::var("BLUELAMP_TEST_PG_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// The admin URL with its database name replaced.
pub fn postgres_url_for(admin_url: &str, database: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{root}/{database}{query}")
}

pub struct PostgresBackend {
    store: PostgresStore,
    name: String,
    url: String,
}

#[async_trait]
impl TestBackend for PostgresBackend {
    const NAME: &'static str = "postgres";

    async fn new() -> Self {
        let admin_url = postgres_admin_url();
        let name = format!("bluelamp_t_{}", Uuid::now_v7().simple());
        let options = sqlx::postgres::PgConnectOptions::from_str(&admin_url).expect("admin URL");
        let mut admin = sqlx::ConnectOptions::connect(&options).await.unwrap_or_else(|e| {
            panic!(
                "cannot connect to PostgreSQL at {admin_url}: {e}. The PostgreSQL tests need a server; \
                 set BLUELAMP_TEST_PG_URL to one where this user may CREATE DATABASE."
            )
        });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let url = postgres_url_for(&admin_url, &name);
        let store = PostgresStore::open(&url, 8).await.expect("open postgres");
        store.migrate().await.expect("migrate postgres");
        PostgresBackend { store, name, url }
    }

    fn store(&self) -> Arc<dyn Store> {
        Arc::new(self.store.clone())
    }

    fn url(&self) -> String {
        self.url.clone()
    }

    async fn try_exec(&self, sql: &str) -> Result<(), String> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(self.store.pool())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    async fn drop_audit_guards(&self) {
        self.exec("DROP TRIGGER audit_event_no_update ON audit_event").await;
    }

    async fn break_audit_inserts(&self) {
        self.exec(
            "CREATE FUNCTION audit_fail() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected audit failure'; END; $$; \
             CREATE TRIGGER audit_event_fail BEFORE INSERT ON audit_event \
             FOR EACH ROW EXECUTE FUNCTION audit_fail();",
        )
        .await;
    }
}

impl Drop for PostgresBackend {
    fn drop(&mut self) {
        let pool = self.store.pool().clone();
        let name = self.name.clone();
        let admin_url = postgres_admin_url();
        // Drop runs inside the test's runtime; the clean-up needs one of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                pool.close().await;
                if let Ok(options) = sqlx::postgres::PgConnectOptions::from_str(&admin_url)
                    && let Ok(mut admin) = sqlx::ConnectOptions::connect(&options).await
                {
                    {
                        let _ =
                            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .execute(&mut admin)
                                .await;
                    }
                }
            });
        })
        .join();
    }
}

/// A core over `store` with a manual clock and default settings.
pub fn core(store: Arc<dyn Store>, clock: Arc<ManualClock>) -> Core {
    Core::new(store, clock, Settings::default())
}

/// Finalises a crime with an outcome that needs only words — 20, action by another body, with a
/// rationale and the victim told — for tests about something other than outcomes.
pub async fn finalise_plainly(
    core: &Core,
    by: &bluelamp_core::access::Principal,
    id: uuid::Uuid,
    version: i64,
) -> bluelamp_core::Result<bluelamp_core::crime::Crime> {
    let evidence = bluelamp_core::outcome::OutcomeEvidence {
        rationale: "Passed to the British Transport Police, who will investigate it".into(),
        victim_informed_on: Some(core.now().date_naive()),
        ..Default::default()
    };
    let ctx = bluelamp_core::audit::RequestContext::default();
    core.finalise_crime(by, id, version, "20", &evidence, &ctx).await.map(|(crime, _)| crime)
}

/// The password every fixture user gets.
pub const PASSWORD: &str = "tangerine lighthouse oboe";

/// A valid new user with the given roles.
pub fn new_user(username: &str, roles: &[&str]) -> NewUser {
    NewUser {
        username: username.to_string(),
        display_name: format!("Test {username}"),
        collar_number: format!("{}", 1000 + username.len()),
        rank: "constable".into(),
        team: "Response A".into(),
        station: "Maidstone".into(),
        division: "West".into(),
        pip_level: "pip1".into(),
        specialisms: vec!["domestic-abuse".into()],
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

/// Creates a user with [`PASSWORD`] through the real use case.
pub async fn add_user(core: &Core, username: &str, roles: &[&str]) -> User {
    core.create_user(By::System("test"), &new_user(username, roles), Some(PASSWORD), &RequestContext::default())
        .await
        .expect("create fixture user")
}
