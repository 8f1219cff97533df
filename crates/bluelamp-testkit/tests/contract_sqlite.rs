//! The Store contract on SQLite.
bluelamp_testkit::contract_tests!(bluelamp_testkit::SqliteBackend);
