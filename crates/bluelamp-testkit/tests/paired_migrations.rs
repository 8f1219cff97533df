//! Both backends carry the same migrations: same versions, same descriptions, same order.

#[test]
fn sqlite_and_postgres_migrations_are_paired() {
    let sqlite: Vec<(i64, String)> =
        bluelamp_store_sqlite::MIGRATOR.iter().map(|m| (m.version, m.description.to_string())).collect();
    let postgres: Vec<(i64, String)> =
        bluelamp_store_postgres::MIGRATOR.iter().map(|m| (m.version, m.description.to_string())).collect();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "every migration needs a twin with the same version and name");
}
