-- The resale market: asks and bids for one unit of a variant, the trades they
-- make (each paid through an order of kind market), and the ledger of fees,
-- payouts and penalties. Matching takes a per-variant advisory lock, so one
-- placement at a time decides against the book, whichever replica runs it.
CREATE TABLE market_offers (
	id          uuid PRIMARY KEY,
	seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE, -- time priority; kept when an ask returns to the book
	side        text NOT NULL CHECK (side IN ('ask', 'bid')),
	user_id     text NOT NULL,
	variant_id  uuid NOT NULL,
	price       bigint NOT NULL CHECK (price > 0),
	currency    text NOT NULL,
	status      text NOT NULL CHECK (status IN ('open', 'matched', 'cancelled', 'expired', 'voided')),
	trade_id    uuid,
	expires_at  timestamptz NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL
);
-- The book: the best ask is the lowest price, then the earliest; the best bid the highest, then the earliest.
CREATE INDEX market_asks_book ON market_offers (variant_id, price, seq) WHERE status = 'open' AND side = 'ask';
CREATE INDEX market_bids_book ON market_offers (variant_id, price DESC, seq) WHERE status = 'open' AND side = 'bid';
CREATE INDEX market_offers_by_user ON market_offers (user_id, side, seq DESC);

CREATE TABLE market_trades (
	id          uuid PRIMARY KEY,
	seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	variant_id  uuid NOT NULL,
	ask_id      uuid NOT NULL REFERENCES market_offers (id),
	bid_id      uuid NOT NULL REFERENCES market_offers (id),
	seller_id   text NOT NULL,
	buyer_id    text NOT NULL,
	price       bigint NOT NULL,
	currency    text NOT NULL,
	buyer_fee   bigint NOT NULL,
	seller_fee  bigint NOT NULL,
	order_id    uuid NOT NULL UNIQUE REFERENCES orders (id),
	status      text NOT NULL CHECK (status IN ('pending_payment', 'paid', 'voided', 'inspection_passed', 'inspection_failed')),
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL
);
-- An offer is in at most one live trade: a second fill of the same ask or bid cannot commit.
CREATE UNIQUE INDEX market_trades_live_ask ON market_trades (ask_id) WHERE status <> 'voided';
CREATE UNIQUE INDEX market_trades_bid ON market_trades (bid_id);
CREATE INDEX market_trades_by_variant ON market_trades (variant_id, seq DESC);
CREATE INDEX market_trades_by_seller ON market_trades (seller_id, seq DESC);
CREATE INDEX market_trades_by_buyer ON market_trades (buyer_id, seq DESC);

CREATE TABLE market_ledger (
	id          uuid PRIMARY KEY,
	seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	user_id     text NOT NULL,
	trade_id    uuid NOT NULL REFERENCES market_trades (id),
	kind        text NOT NULL CHECK (kind IN ('buyer_fee', 'seller_fee', 'payout', 'penalty')),
	amount      bigint NOT NULL CHECK (amount >= 0),
	currency    text NOT NULL,
	reason      text NOT NULL,
	created_at  timestamptz NOT NULL,
	UNIQUE (trade_id, user_id, kind)
);
CREATE INDEX market_ledger_by_user ON market_ledger (user_id, seq DESC);
