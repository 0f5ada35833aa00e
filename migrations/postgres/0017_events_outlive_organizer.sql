-- 0017: an event other people took part in outlives its organizer's account. Account deletion
-- still removes the organizer's drafts and the events nobody else registered for or formed a crew
-- around; an event with other people's registrations (their tickets, payments, check-ins) or
-- crews stays, without an organizer (organizer_id NULL), so those people keep their history.
-- Nobody manages such an event any more except holders of edit_event. Upcoming published events
-- still block the deletion until the organizer cancels them (attendees are told).
ALTER TABLE events ALTER COLUMN organizer_id DROP NOT NULL;
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_organizer_id_fkey;
-- SET NULL is the safety net: the deletion flow clears the organizer of the events it keeps
-- itself (to know which cached documents to drop) before the account row goes.
ALTER TABLE events ADD CONSTRAINT events_organizer_id_fkey
  FOREIGN KEY (organizer_id) REFERENCES accounts (id) ON DELETE SET NULL;
