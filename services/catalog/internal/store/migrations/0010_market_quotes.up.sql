-- The resale market's best prices per variant, projected from the order
-- service's order.market.quote_changed events: buy now is the lowest ask,
-- sell now the highest bid (NULL when none stands). version is the event's
-- position among the variant's quote events, so an older event that arrives
-- late never overwrites a newer one.
CREATE TABLE market_quotes (
	variant_id uuid PRIMARY KEY,
	buy_now    bigint,
	sell_now   bigint,
	currency   text NOT NULL,
	version    bigint NOT NULL,
	updated_at timestamptz NOT NULL
);
