-- The user's school and admission year, as the community's campus confirmed
-- them (community.school_membership_changed). school_changed_at is the
-- newest event applied: an older or repeated event changes nothing.
ALTER TABLE users
	ADD COLUMN school_id         uuid,
	ADD COLUMN school_slug       text NOT NULL DEFAULT '',
	ADD COLUMN school_name       text NOT NULL DEFAULT '',
	ADD COLUMN admission_year    integer NOT NULL DEFAULT 0,
	ADD COLUMN school_changed_at timestamptz;
