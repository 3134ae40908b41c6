-- Spaces move to the catalog (products of kind 'space'). A booking keeps
-- what it needs of its space as it was when booked: name (already), slug,
-- host (already) and the host's contact address for mail. The exclusion
-- constraint stays on bookings, keyed by the catalog's space id.
ALTER TABLE bookings
    ADD COLUMN space_slug text NOT NULL DEFAULT '',
    ADD COLUMN host_email text NOT NULL DEFAULT '';

UPDATE bookings b SET space_slug = s.slug, host_email = s.contact_email FROM spaces s WHERE s.id = b.space_id;

ALTER TABLE bookings DROP CONSTRAINT bookings_space_id_fkey;
CREATE INDEX bookings_by_host ON bookings (host_id, created_at DESC, id DESC);
DROP TABLE space_likes;
DROP TABLE space_options;
DROP TABLE spaces;
