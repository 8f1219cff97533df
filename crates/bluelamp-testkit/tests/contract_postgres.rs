//! The Store contract on PostgreSQL (a database per test on the server in `BLUELAMP_TEST_PG_URL`).
bluelamp_testkit::contract_tests!(bluelamp_testkit::PostgresBackend);
