-- Providers that do not take the payment's currency (PayPal does not take
-- KRW) charge another at a rate fixed when the payment was prepared; refunds
-- use the same rate. Some providers also offer mobile and app approvals.
ALTER TABLE payments
	ADD COLUMN mobile_redirect_url text NOT NULL DEFAULT '',
	ADD COLUMN app_redirect_url    text NOT NULL DEFAULT '',
	ADD COLUMN charge_currency     text NOT NULL DEFAULT '',
	ADD COLUMN charge_amount       bigint NOT NULL DEFAULT 0,
	ADD COLUMN fx_rate             text NOT NULL DEFAULT '';
