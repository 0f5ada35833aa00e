-- 0011: the default category tree. Idempotent: a category that already exists (by slug) is
-- left as it is, so admins' renames and re-orderings survive re-running the migrations.

INSERT INTO categories (slug, name, description, sort_order) VALUES
  ('music',     'Music',            'Concerts, festivals, club nights and open mics', 10),
  ('sports',    'Sports',           'Matches, races, classes and pick-up games', 20),
  ('arts',      'Arts & Culture',   'Exhibitions, theatre, film and literature', 30),
  ('food',      'Food & Drink',     'Tastings, markets, dinners and cooking classes', 40),
  ('tech',      'Technology',       'Meetups, conferences, hackathons and workshops', 50),
  ('outdoors',  'Outdoors',         'Hikes, climbs, paddles and nature walks', 60),
  ('community', 'Community',        'Volunteering, neighbourhood and causes', 70),
  ('wellness',  'Health & Wellness','Yoga, meditation, fitness and mental health', 80),
  ('business',  'Business',         'Networking, talks and career events', 90),
  ('education', 'Learning',         'Courses, lectures and language exchanges', 100)
ON CONFLICT (slug) DO NOTHING;

INSERT INTO categories (parent_id, slug, name, sort_order)
SELECT parent.id, child.slug, child.name, child.sort_order
FROM (VALUES
  ('music', 'music-concerts', 'Concerts', 10),
  ('music', 'music-festivals', 'Festivals', 20),
  ('music', 'music-club-nights', 'Club nights', 30),
  ('music', 'music-jazz', 'Jazz', 40),
  ('music', 'music-classical', 'Classical', 50),
  ('music', 'music-open-mic', 'Open mic', 60),
  ('sports', 'sports-running', 'Running', 10),
  ('sports', 'sports-football', 'Football', 20),
  ('sports', 'sports-basketball', 'Basketball', 30),
  ('sports', 'sports-cycling', 'Cycling', 40),
  ('sports', 'sports-climbing', 'Climbing', 50),
  ('sports', 'sports-watch-parties', 'Watch parties', 60),
  ('arts', 'arts-exhibitions', 'Exhibitions', 10),
  ('arts', 'arts-theatre', 'Theatre', 20),
  ('arts', 'arts-film', 'Film', 30),
  ('arts', 'arts-comedy', 'Comedy', 40),
  ('arts', 'arts-books', 'Books & readings', 50),
  ('food', 'food-tastings', 'Tastings', 10),
  ('food', 'food-markets', 'Markets', 20),
  ('food', 'food-cooking-classes', 'Cooking classes', 30),
  ('food', 'food-dinners', 'Supper clubs & dinners', 40),
  ('tech', 'tech-meetups', 'Meetups', 10),
  ('tech', 'tech-conferences', 'Conferences', 20),
  ('tech', 'tech-hackathons', 'Hackathons', 30),
  ('tech', 'tech-workshops', 'Workshops', 40),
  ('outdoors', 'outdoors-hiking', 'Hiking', 10),
  ('outdoors', 'outdoors-camping', 'Camping', 20),
  ('outdoors', 'outdoors-water-sports', 'Water sports', 30),
  ('outdoors', 'outdoors-nature-walks', 'Nature walks', 40),
  ('community', 'community-volunteering', 'Volunteering', 10),
  ('community', 'community-neighbourhood', 'Neighbourhood', 20),
  ('community', 'community-causes', 'Causes & activism', 30),
  ('wellness', 'wellness-yoga', 'Yoga', 10),
  ('wellness', 'wellness-meditation', 'Meditation', 20),
  ('wellness', 'wellness-fitness', 'Fitness classes', 30),
  ('business', 'business-networking', 'Networking', 10),
  ('business', 'business-startups', 'Startups', 20),
  ('business', 'business-careers', 'Careers', 30),
  ('education', 'education-languages', 'Language exchange', 10),
  ('education', 'education-lectures', 'Lectures', 20),
  ('education', 'education-courses', 'Courses', 30)
) AS child (parent_slug, slug, name, sort_order)
JOIN categories parent ON parent.slug = child.parent_slug
ON CONFLICT (slug) DO NOTHING;
