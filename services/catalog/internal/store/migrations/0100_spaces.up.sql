-- Spaces rented by the slot are products of kind 'space'. The product row
-- keeps what every product has (slug, name, description, ordered pictures,
-- the lowest option price for sorting); spaces keeps the rest. The public
-- product list shows goods only. A space has no category of the product
-- tree: its kind of space is spaces.category, from the spaces reference list.
ALTER TABLE products
    ADD COLUMN kind text NOT NULL DEFAULT 'goods' CHECK (kind IN ('goods', 'space')),
    ALTER COLUMN category_id DROP NOT NULL,
    ADD CONSTRAINT products_goods_category CHECK (kind <> 'goods' OR category_id IS NOT NULL);

CREATE TABLE spaces (
    product_id    uuid PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    host_id       text NOT NULL,
    district      text NOT NULL,
    address       text NOT NULL,
    latitude      double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude     double precision CHECK (longitude BETWEEN -180 AND 180),
    min_people    integer NOT NULL CHECK (min_people >= 1),
    max_people    integer NOT NULL CHECK (max_people >= min_people),
    category      text NOT NULL,
    facilities    text[] NOT NULL DEFAULT '{}',
    contact_email text NOT NULL DEFAULT '',
    like_count    integer NOT NULL DEFAULT 0 CHECK (like_count >= 0)
);
CREATE INDEX spaces_by_host ON spaces (host_id);
CREATE INDEX spaces_by_district ON spaces (district, category);

CREATE TABLE space_options (
    space_id   uuid NOT NULL REFERENCES spaces (product_id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('day', 'night', 'all_day')),
    price      bigint NOT NULL CHECK (price >= 0),
    start_hour integer NOT NULL CHECK (start_hour BETWEEN 0 AND 23),
    end_hour   integer NOT NULL CHECK (end_hour BETWEEN 0 AND 23),
    PRIMARY KEY (space_id, kind)
);

-- A like per user and space; spaces.like_count moves with each row.
CREATE TABLE space_likes (
    space_id   uuid NOT NULL REFERENCES spaces (product_id) ON DELETE CASCADE,
    user_id    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space_id, user_id)
);

-- The availability projection: the slot of every booking the order service
-- announced (order.booking_held, _confirmed, _released), by space, date and
-- option. A slot is taken while its booking is held or confirmed. state only
-- moves forward (held → confirmed → released), so a late or repeated event
-- never takes a released slot again.
CREATE TABLE booked_slots (
    booking_id uuid PRIMARY KEY,
    space_id   uuid NOT NULL,
    date       date NOT NULL,
    option     text NOT NULL,
    slot       tstzrange NOT NULL,
    state      text NOT NULL CHECK (state IN ('held', 'confirmed', 'released')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booked_slots_live ON booked_slots (space_id, date) WHERE state <> 'released';
