-- Person search ranks in the database (issue 4): with two million people a surname alone matches
-- tens of thousands, so the store scores candidates and returns only the best few. The first
-- forename's key (bluelamp_core::person::forename_key) sits beside each name so "John Smith" is one
-- index range. Names written before this get the key from their first word, lower-cased, letters
-- a-z only (the core key also turns accented letters into plain ones first).
-- Twin of the migration of the same name in the other store crate.
ALTER TABLE person_name ADD COLUMN forename_key text COLLATE "C" NOT NULL DEFAULT '';
UPDATE person_name SET forename_key = regexp_replace(lower(split_part(trim(forenames), ' ', 1)), '[^a-z]', '', 'g');
CREATE INDEX person_name_by_forename_surname ON person_name (forename_key, surname_key, person_id);
CREATE INDEX person_name_by_forename_soundex ON person_name (forename_key, soundex, person_id);
