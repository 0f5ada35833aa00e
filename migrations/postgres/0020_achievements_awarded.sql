-- 0020: achievements are earned. The catalogue (0002) gets its first entries, each earned when
-- one of the profile's counters reaches a threshold (criteria {"metric", "threshold"}, metrics:
-- events_attended, events_organized, karma). A trigger on those counters awards what the new
-- value reaches, once per account (the primary key), in the transaction that moved the counter,
-- so concurrent check-ins award once and nothing is awarded for a change that rolls back. An
-- achievement once earned stays, even if the counter goes back down (an undone check-in).

INSERT INTO achievements (code, name, description, criteria) VALUES
  ('first_event', 'First event', 'Checked in to a first event.', '{"metric": "events_attended", "threshold": 1}'),
  ('regular', 'Regular', 'Checked in to 10 events.', '{"metric": "events_attended", "threshold": 10}'),
  ('devotee', 'Devotee', 'Checked in to 50 events.', '{"metric": "events_attended", "threshold": 50}'),
  ('first_host', 'First host', 'Published a first event.', '{"metric": "events_organized", "threshold": 1}'),
  ('host', 'Host', 'Published 10 events.', '{"metric": "events_organized", "threshold": 10}'),
  ('trusted', 'Trusted', 'Earned 10 karma.', '{"metric": "karma", "threshold": 10}'),
  ('pillar', 'Pillar of the community', 'Earned 100 karma.', '{"metric": "karma", "threshold": 100}')
ON CONFLICT (code) DO NOTHING;

CREATE INDEX IF NOT EXISTS achievements_metric_idx ON achievements ((criteria->>'metric'));

-- The achievements of `metric` that `value` reaches, awarded to the account unless it has them.
CREATE OR REPLACE FUNCTION flow_award_achievements(p_account uuid, p_metric text, p_value integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO account_achievements (account_id, achievement_id, details)
  SELECT p_account, a.id, jsonb_build_object('metric', p_metric, 'value', p_value)
    FROM achievements a
   WHERE a.criteria->>'metric' = p_metric AND (a.criteria->>'threshold')::integer <= p_value
  ON CONFLICT (account_id, achievement_id) DO NOTHING;
$$;

CREATE OR REPLACE FUNCTION flow_profiles_award_achievements() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.events_attended_count > OLD.events_attended_count THEN
    PERFORM flow_award_achievements(NEW.account_id, 'events_attended', NEW.events_attended_count);
  END IF;
  IF NEW.events_organized_count > OLD.events_organized_count THEN
    PERFORM flow_award_achievements(NEW.account_id, 'events_organized', NEW.events_organized_count);
  END IF;
  IF NEW.karma > OLD.karma THEN
    PERFORM flow_award_achievements(NEW.account_id, 'karma', NEW.karma);
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER profiles_award_achievements
  AFTER UPDATE OF events_attended_count, events_organized_count, karma ON profiles
  FOR EACH ROW EXECUTE FUNCTION flow_profiles_award_achievements();

-- What existing profiles have reached already.
SELECT flow_award_achievements(p.account_id, m.metric, m.value)
  FROM profiles p
 CROSS JOIN LATERAL (VALUES ('events_attended', p.events_attended_count), ('events_organized', p.events_organized_count), ('karma', p.karma)) AS m(metric, value)
 WHERE m.value > 0;
