-- KakaoPay's ready has no idempotency key: its answer is remembered per
-- payment so that a retried prepare returns the same tid.
CREATE TABLE kakaopay_ready (
	payment_id   uuid PRIMARY KEY,
	tid          text NOT NULL,
	pc_url       text NOT NULL,
	mobile_url   text NOT NULL,
	app_url      text NOT NULL,
	created_at   timestamptz NOT NULL DEFAULT now()
);
