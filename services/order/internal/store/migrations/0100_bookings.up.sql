-- Space rental: spaces with the slots they are rented by, and bookings of a
-- slot as a time range. The exclusion constraint is the rule against double
-- booking: no two live bookings of one space overlap. Day (09–18) and night
-- (19–08) do not; all day (09–08) overlaps both.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE spaces (
	id          uuid PRIMARY KEY,
	slug        text NOT NULL UNIQUE,
	host_id     text NOT NULL,
	name        text NOT NULL,
	district    text NOT NULL,
	address     text NOT NULL,
	min_people  integer NOT NULL CHECK (min_people >= 1),
	max_people  integer NOT NULL CHECK (max_people >= min_people),
	currency    text NOT NULL,
	category    text NOT NULL,
	facilities  text[] NOT NULL DEFAULT '{}',
	description text NOT NULL DEFAULT '',
	contact_email text NOT NULL DEFAULT '',
	like_count  integer NOT NULL DEFAULT 0 CHECK (like_count >= 0),
	created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX spaces_by_host ON spaces (host_id);
CREATE INDEX spaces_by_district ON spaces (district, category);

-- A like per user and space; spaces.like_count moves with each row.
CREATE TABLE space_likes (
	space_id    uuid NOT NULL REFERENCES spaces ON DELETE CASCADE,
	user_id     text NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (space_id, user_id)
);

CREATE TABLE space_options (
	space_id    uuid NOT NULL REFERENCES spaces ON DELETE CASCADE,
	kind        text NOT NULL CHECK (kind IN ('day', 'night', 'all_day')),
	price       bigint NOT NULL CHECK (price >= 0),
	start_hour  integer NOT NULL CHECK (start_hour BETWEEN 0 AND 23),
	end_hour    integer NOT NULL CHECK (end_hour BETWEEN 0 AND 23),
	PRIMARY KEY (space_id, kind)
);

CREATE TABLE bookings (
	id               uuid PRIMARY KEY,
	number           text NOT NULL UNIQUE,
	space_id         uuid NOT NULL REFERENCES spaces,
	space_name       text NOT NULL,
	host_id          text NOT NULL,
	user_id          text NOT NULL,
	date             date NOT NULL,
	option           text NOT NULL CHECK (option IN ('day', 'night', 'all_day')),
	people           integer NOT NULL CHECK (people >= 1),
	note             text NOT NULL DEFAULT '',
	email            text NOT NULL,
	slot             tstzrange NOT NULL,
	status           text NOT NULL CHECK (status IN ('pending_payment', 'confirmed', 'completed', 'cancelled', 'expired')),
	currency         text NOT NULL,
	price            bigint NOT NULL CHECK (price >= 0),
	refunded         bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= price),
	hold_until       timestamptz NOT NULL,
	payment_id       text NOT NULL DEFAULT '',
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT bookings_no_overlap EXCLUDE USING gist (space_id WITH =, slot WITH &&)
		WHERE (status NOT IN ('cancelled', 'expired'))
);
CREATE INDEX bookings_by_user ON bookings (user_id, created_at DESC, id DESC);
CREATE INDEX bookings_by_space_date ON bookings (space_id, date);
