-- checking_since marks a payment whose approval was sent to its provider
-- without a known outcome; a reconciliation job (river) scheduled in the same
-- transaction looks it up and settles it, then clears the mark.
ALTER TABLE payments ADD COLUMN checking_since timestamptz;
CREATE INDEX payments_checking ON payments (checking_since) WHERE checking_since IS NOT NULL;
