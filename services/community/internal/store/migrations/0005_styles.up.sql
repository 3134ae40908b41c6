ALTER TABLE boards DROP CONSTRAINT boards_kind_check;
ALTER TABLE boards ADD CONSTRAINT boards_kind_check CHECK (kind IN ('general', 'notice', 'style'));

-- The style feed's board: every style post lives here.
INSERT INTO boards (id, slug, name, description, category, kind, anonymous_allowed, position)
VALUES ('01900000-0000-7000-8000-000000000001', 'style', '스타일', '착용 사진과 상품 태그', '스타일', 'style', false, 0)
ON CONFLICT (slug) DO NOTHING;

-- The catalog products a style post tags, as the catalog described them
-- when tagged.
CREATE TABLE post_products (
    post_id      uuid NOT NULL REFERENCES posts ON DELETE CASCADE,
    position     integer NOT NULL,
    product_id   uuid NOT NULL,
    product_slug text NOT NULL,
    product_name text NOT NULL,
    image_url    text NOT NULL DEFAULT '',
    PRIMARY KEY (post_id, position),
    UNIQUE (post_id, product_id)
);
CREATE INDEX post_products_product ON post_products (product_id, post_id DESC);
