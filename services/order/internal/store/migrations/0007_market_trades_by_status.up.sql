-- Staff list the trades in one status, newest first (GET /v1/market/trades?status=at_inspection):
-- the few awaiting receipt or a verdict are one index range, however many trades have ended.
CREATE INDEX market_trades_by_status ON market_trades (status, seq DESC);
