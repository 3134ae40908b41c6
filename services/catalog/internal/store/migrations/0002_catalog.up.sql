-- The full catalog: causes and brands, variants with stock, reservations,
-- reviews with the purchases that allow them, and trigram search.

CREATE TABLE causes (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    image_url   text NOT NULL DEFAULT '',
    summary     text NOT NULL DEFAULT '',
    body        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE brands (
    id           uuid PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    name         text NOT NULL,
    logo_url     text NOT NULL DEFAULT '',
    homepage_url text NOT NULL DEFAULT '',
    summary      text NOT NULL DEFAULT '',
    description  text NOT NULL DEFAULT '',
    cause_id     uuid REFERENCES causes (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX brands_cause ON brands (cause_id);
CREATE INDEX brands_name_trgm ON brands USING gin (name gin_trgm_ops);

-- options is the product's option list: [{"name": "size", "values": ["260", "270"]}].
-- rating_sum counts half stars so the average stays exact.
ALTER TABLE products
    ADD COLUMN brand_id     uuid REFERENCES brands (id) ON DELETE RESTRICT,
    ADD COLUMN options      jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN review_count bigint NOT NULL DEFAULT 0 CHECK (review_count >= 0),
    ADD COLUMN rating_sum   bigint NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
    ADD COLUMN sold_count   bigint NOT NULL DEFAULT 0;

CREATE INDEX products_brand ON products (brand_id) WHERE archived_at IS NULL;
CREATE INDEX products_price ON products (price_amount, id) WHERE archived_at IS NULL;
CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_description_trgm ON products USING gin (description gin_trgm_ops);

-- A variant is one option combination ({"size": "270", "colour": "black"});
-- a product without options has one variant with {}.
CREATE TABLE variants (
    id                    uuid PRIMARY KEY,
    product_id            uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position              int NOT NULL DEFAULT 0,
    sku                   text NOT NULL DEFAULT '',
    options               jsonb NOT NULL DEFAULT '{}',
    stock                 bigint NOT NULL DEFAULT 0 CHECK (stock >= 0),
    price_override_amount bigint CHECK (price_override_amount >= 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT variants_combination UNIQUE (product_id, options)
);
CREATE UNIQUE INDEX variants_sku ON variants (sku) WHERE sku <> '';
CREATE INDEX variants_options ON variants USING gin (options jsonb_path_ops);
CREATE INDEX variants_in_stock ON variants (product_id) WHERE stock > 0;

-- Products made before variants existed get their default variant.
INSERT INTO variants (id, product_id) SELECT gen_random_uuid(), id FROM products;

-- One reservation per order; its lines hold the units taken from variants.stock.
CREATE TABLE reservations (
    order_id   uuid PRIMARY KEY,
    status     text NOT NULL CHECK (status IN ('active', 'committed', 'released')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_expiry ON reservations (expires_at) WHERE status = 'active';

CREATE TABLE reservation_lines (
    order_id   uuid NOT NULL REFERENCES reservations (order_id) ON DELETE CASCADE,
    variant_id uuid NOT NULL REFERENCES variants (id),
    quantity   bigint NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, variant_id)
);

-- Who bought what, from order.paid: the right to review.
CREATE TABLE purchases (
    user_id    text NOT NULL,
    product_id uuid NOT NULL,
    order_id   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, product_id)
);

CREATE TABLE reviews (
    id         uuid PRIMARY KEY,
    product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    user_id    text NOT NULL,
    rating     smallint NOT NULL CHECK (rating BETWEEN 1 AND 10),
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT reviews_one_per_user UNIQUE (product_id, user_id)
);
CREATE INDEX reviews_newest ON reviews (product_id, created_at DESC, id DESC);
