-- Carts and their lines. A cart belongs either to a signed-in user (user_id) or
-- to an anonymous client holding a cart token, of which only the SHA-256 hash
-- is kept (token_hash).
CREATE TABLE carts (
    id         uuid PRIMARY KEY,
    user_id    text UNIQUE,
    token_hash bytea UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT carts_one_owner CHECK ((user_id IS NULL) <> (token_hash IS NULL))
);

-- Anonymous carts idle for long are swept.
CREATE INDEX carts_anonymous_idle ON carts (updated_at) WHERE user_id IS NULL;

-- A line is one catalog variant in a cart. The product's slug, name and image
-- are a copy kept fresh by catalog.product_changed; product_synced_at is when
-- the catalog fact behind that copy was true, so an older event never
-- overwrites a newer name. Prices are never stored: a cart is priced when read.
-- quantity is 0 only inside the transaction that then deletes the line.
CREATE TABLE cart_lines (
    id                uuid PRIMARY KEY,
    cart_id           uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    variant_id        uuid NOT NULL,
    product_id        uuid NOT NULL,
    product_slug      text NOT NULL,
    product_name      text NOT NULL,
    image_url         text NOT NULL DEFAULT '',
    options           jsonb NOT NULL DEFAULT '{}',
    quantity          integer NOT NULL CHECK (quantity >= 0),
    product_synced_at timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cart_lines_variant UNIQUE (cart_id, variant_id)
);

CREATE INDEX cart_lines_product ON cart_lines (product_id);
