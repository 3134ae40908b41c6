-- The buyer's delivery address, given with a bid (or buy now): copied onto
-- the buyer's order when the bid trades. NULL for asks and for bids placed
-- before addresses were taken.
ALTER TABLE market_offers ADD COLUMN shipping jsonb;
