-- The control-room queue straight from an index: open incidents only (a few thousand among hundreds
-- of thousands closed), keyed exactly as the queue sorts (ungraded first, then soonest due, then
-- oldest call), so a page of the queue reads its rows in order and stops, with no sort.
-- Twin of the migration of the same name in the other store crate.
CREATE INDEX incident_open_by_urgency ON incident
    ((CASE WHEN grade IS NULL THEN 0 WHEN due_at IS NULL THEN 2 ELSE 1 END), due_at, received_at)
    WHERE status = 'open';
