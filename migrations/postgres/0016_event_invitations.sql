-- 0016: invitations to events. A private event is shown to those who manage it, to attendees
-- with an active registration and to the accounts invited here; on public and unlisted events an
-- invitation only notifies. One invitation per (event, invitee): inviting again changes nothing.
-- Revoking or declining deletes the row; a registration made meanwhile stays (registrations own it).
CREATE TABLE IF NOT EXISTS event_invitations (
  event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  invitee_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  invited_by  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, invitee_id)
);

-- "My invitations": an invitee's rows, without scanning every event's list.
CREATE INDEX IF NOT EXISTS event_invitations_invitee_idx ON event_invitations (invitee_id, event_id);
