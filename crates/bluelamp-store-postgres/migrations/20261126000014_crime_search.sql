-- Crime search (issue 4). Who recorded each crime, as a user id beside the name already kept (crimes
-- recorded before this have it filled from their username where that user exists), and an index for
-- each way crimes are searched. Results are newest recorded first, so the filters with many matches
-- end their key with (recorded_at, id): a page is read in order from the index and stops.
-- Twin of the SQLite migration of the same name. The number is compared in the C collation so that
-- a prefix is an index range whatever the database's collation.
ALTER TABLE crime ADD COLUMN recorded_by uuid REFERENCES app_user (id);
UPDATE crime SET recorded_by = (SELECT u.id FROM app_user u WHERE u.username = crime.recorded_by_name);

-- A whole number or the start of one, in any case.
CREATE INDEX crime_by_number_upper ON crime ((upper(number)) COLLATE "C");
CREATE INDEX crime_by_group ON crime (offence_group, recorded_at, id);
CREATE INDEX crime_by_division ON crime (division, recorded_at, id);
CREATE INDEX crime_by_recorder ON crime (recorded_by, recorded_at, id);
CREATE INDEX crime_by_status ON crime (status, recorded_at, id);
CREATE INDEX crime_by_occurred ON crime (occurred_from);
-- When it happened overlaps a period: it began before the period's end and ended (or, with no end,
-- began) at or after its start; recent periods are found by the end.
CREATE INDEX crime_by_occurred_end ON crime ((coalesce(occurred_to, occurred_from)));
-- A radius: the circle's bounding box is a latitude range, its longitudes checked in the index,
-- which also holds what the exact distance and the order need (no table reads for the box).
CREATE INDEX crime_by_place ON crime (latitude, longitude, recorded_at, id);

-- Flags are kept comma-separated; a search names each flag as a constant in this same expression,
-- so each flag's crimes are an index of their own, by division and newest first, holding the other
-- flags too (a second flag is checked, and matches counted, without reading the table).
CREATE INDEX crime_flag_domestic_abuse ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',domestic-abuse,') > 0;
CREATE INDEX crime_flag_vulnerable_victim ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',vulnerable-victim,') > 0;
CREATE INDEX crime_flag_repeat_victim ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',repeat-victim,') > 0;
CREATE INDEX crime_flag_child_victim ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',child-victim,') > 0;
CREATE INDEX crime_flag_online ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',online,') > 0;
CREATE INDEX crime_flag_modern_slavery ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',modern-slavery,') > 0;
CREATE INDEX crime_flag_alcohol ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',alcohol,') > 0;
CREATE INDEX crime_flag_knife ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',knife,') > 0;
CREATE INDEX crime_flag_firearm ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',firearm,') > 0;
CREATE INDEX crime_flag_cse ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',cse,') > 0;
CREATE INDEX crime_flag_honour_based ON crime (division, recorded_at, id) INCLUDE (flags) WHERE strpos(',' || flags || ',', ',honour-based,') > 0;

-- The planner has no idea how common a flag is from the expression alone (it guesses a third of
-- the rows, and then prefers reading every crime newest first to a rare flag's index): statistics
-- on each flag's expression tell it.
CREATE STATISTICS crime_flag_domestic_abuse_stats ON (strpos(',' || flags || ',', ',domestic-abuse,')) FROM crime;
CREATE STATISTICS crime_flag_vulnerable_victim_stats ON (strpos(',' || flags || ',', ',vulnerable-victim,')) FROM crime;
CREATE STATISTICS crime_flag_repeat_victim_stats ON (strpos(',' || flags || ',', ',repeat-victim,')) FROM crime;
CREATE STATISTICS crime_flag_child_victim_stats ON (strpos(',' || flags || ',', ',child-victim,')) FROM crime;
CREATE STATISTICS crime_flag_online_stats ON (strpos(',' || flags || ',', ',online,')) FROM crime;
CREATE STATISTICS crime_flag_modern_slavery_stats ON (strpos(',' || flags || ',', ',modern-slavery,')) FROM crime;
CREATE STATISTICS crime_flag_alcohol_stats ON (strpos(',' || flags || ',', ',alcohol,')) FROM crime;
CREATE STATISTICS crime_flag_knife_stats ON (strpos(',' || flags || ',', ',knife,')) FROM crime;
CREATE STATISTICS crime_flag_firearm_stats ON (strpos(',' || flags || ',', ',firearm,')) FROM crime;
CREATE STATISTICS crime_flag_cse_stats ON (strpos(',' || flags || ',', ',cse,')) FROM crime;
CREATE STATISTICS crime_flag_honour_based_stats ON (strpos(',' || flags || ',', ',honour-based,')) FROM crime;

-- People are found by keys (person::SearchKeys); with the person id in the index, finding the
-- candidates reads no table rows (with a common surname that is tens of thousands of rows).
CREATE INDEX person_name_by_surname_person ON person_name (surname_key, person_id);
CREATE INDEX person_name_by_soundex_person ON person_name (soundex, person_id);
CREATE INDEX person_by_dob_id ON person (date_of_birth, id);
CREATE INDEX person_address_by_key_person ON person_address (address_key, person_id);
CREATE INDEX person_phone_by_key_person ON person_phone (phone_key, person_id);
