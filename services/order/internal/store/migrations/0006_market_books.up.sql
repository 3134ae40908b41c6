-- The version of each variant's book. Every change of a variant's open
-- offers (a batch of placements, a cancel, an expiry, an ask returning to
-- the book) counts it up under the variant's lock, so a matcher that holds
-- the book in memory knows whether another process changed it since.
CREATE TABLE market_books (
	variant_id uuid PRIMARY KEY,
	version    bigint NOT NULL
);
