-- The beat and ward an incident's coordinates fall in (issue 3), beside its division. Set at
-- recording from the force's boundaries; empty for rows written before this migration and for
-- incidents without coordinates or outside every beat or ward.
ALTER TABLE incident ADD COLUMN beat TEXT NOT NULL DEFAULT '';
ALTER TABLE incident ADD COLUMN ward TEXT NOT NULL DEFAULT '';
