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
-- A radius: the circle's bounding box is a latitude range, its longitudes checked in the index.
CREATE INDEX crime_by_place ON crime (latitude, longitude);
