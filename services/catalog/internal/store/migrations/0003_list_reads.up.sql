-- Public lists without per-row subqueries: how many variants of a product
-- have stock is kept on the product by a trigger on variants, so a list reads
-- in_stock from the row instead of probing variants for every row it returns.
-- The count moves by ±1 in an UPDATE of the product row, which takes the
-- row's lock and re-reads it, so two orders emptying the last two variants
-- at once still end at 0 (a recomputed flag would not: each would see the
-- other's variant still in stock).
ALTER TABLE products ADD COLUMN variants_in_stock int NOT NULL DEFAULT 0 CHECK (variants_in_stock >= 0);

UPDATE products p SET variants_in_stock = s.n
FROM (SELECT product_id, count(*) AS n FROM variants WHERE stock > 0 GROUP BY product_id) s
WHERE s.product_id = p.id;

CREATE FUNCTION variants_in_stock_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.stock > 0 THEN
        UPDATE products SET variants_in_stock = variants_in_stock - 1 WHERE id = OLD.product_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.stock > 0 THEN
        UPDATE products SET variants_in_stock = variants_in_stock + 1 WHERE id = NEW.product_id;
    END IF;
    RETURN NULL;
END
$$;

-- Only a change across zero (or of the product) moves the count: most stock
-- movements (5 → 4) run no trigger at all.
CREATE TRIGGER variants_in_stock_insert AFTER INSERT ON variants
    FOR EACH ROW WHEN (NEW.stock > 0) EXECUTE FUNCTION variants_in_stock_track();
CREATE TRIGGER variants_in_stock_delete AFTER DELETE ON variants
    FOR EACH ROW WHEN (OLD.stock > 0) EXECUTE FUNCTION variants_in_stock_track();
CREATE TRIGGER variants_in_stock_update AFTER UPDATE OF stock, product_id ON variants
    FOR EACH ROW WHEN ((OLD.stock > 0) IS DISTINCT FROM (NEW.stock > 0) OR OLD.product_id IS DISTINCT FROM NEW.product_id)
    EXECUTE FUNCTION variants_in_stock_track();

-- Two-character search. pg_trgm extracts no trigram from a two-character
-- pattern, so ILIKE '%러너%' cannot use the trigram indexes and scans.
-- search_bigrams holds the distinct lower-cased character pairs of the name
-- and the description (joined by a newline, so a pair spanning both can
-- only match a query holding a newline, which takes the ILIKE path), and a
-- GIN index over it answers `search_bigrams @> ARRAY['러너']` exactly: a
-- pair is in the text if and only if it is one of its bigrams. The pairs
-- are stored rather than indexed as an expression so that a filter or a
-- recheck reads them instead of recomputing them row by row, and so that
-- the planner has the column's most common pairs to choose between walking
-- the newest-first index (a common pair) and this one (a rare pair).
CREATE FUNCTION text_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(l, i, 2)), '{}')
    FROM (SELECT lower(t) AS l) s, generate_series(1, char_length(l) - 1) AS i
$$;

ALTER TABLE products ADD COLUMN search_bigrams text[]
    GENERATED ALWAYS AS (text_bigrams(name || E'\n' || description)) STORED;
CREATE INDEX products_bigrams ON products USING gin (search_bigrams);
