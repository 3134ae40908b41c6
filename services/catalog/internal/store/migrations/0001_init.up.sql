-- The catalog's first tables: the category tree and products.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE categories (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    parent_id   uuid REFERENCES categories (id) ON DELETE RESTRICT,
    image_url   text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id           uuid PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    category_id  uuid NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    price_amount bigint NOT NULL CHECK (price_amount >= 0),
    currency     text NOT NULL DEFAULT 'KRW',
    available    boolean NOT NULL DEFAULT true,
    archived_at  timestamptz,
    image_urls   text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX products_category ON products (category_id) WHERE archived_at IS NULL;
CREATE INDEX products_newest ON products (created_at DESC, id DESC) WHERE archived_at IS NULL;
