-- Payments, their refunds, and every call made to a provider.

CREATE TABLE payments (
	id              uuid PRIMARY KEY,
	order_id        uuid NOT NULL,
	order_number    text NOT NULL,
	user_id         uuid NOT NULL,
	order_name      text NOT NULL,
	provider        text NOT NULL,
	status          text NOT NULL CHECK (status IN
		('created', 'ready', 'approved', 'failed', 'cancelled', 'partially_refunded', 'refunded')),
	amount          bigint NOT NULL CHECK (amount > 0),
	currency        char(3) NOT NULL,
	-- refunded_amount is what the provider confirmed given back; refund_pending
	-- is what refunds in flight have reserved. Neither may exceed the amount.
	refunded_amount bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
	refund_pending  bigint NOT NULL DEFAULT 0 CHECK (refund_pending >= 0),
	provider_ref    text NOT NULL DEFAULT '',
	provider_tx_id  text NOT NULL DEFAULT '',
	redirect_url    text NOT NULL DEFAULT '',
	return_url      text NOT NULL,
	cancel_url      text NOT NULL,
	failure_reason  text NOT NULL DEFAULT '',
	idempotency_key text NOT NULL,
	created_at      timestamptz NOT NULL,
	approved_at     timestamptz,
	updated_at      timestamptz NOT NULL,
	CHECK (refunded_amount + refund_pending <= amount),
	UNIQUE (user_id, idempotency_key)
);
CREATE INDEX payments_order ON payments (order_id, created_at DESC);
-- An order is paid by one payment at most: a second approval loses here.
CREATE UNIQUE INDEX payments_one_paid_per_order ON payments (order_id)
	WHERE status IN ('approved', 'partially_refunded', 'refunded');
CREATE INDEX payments_created ON payments (created_at DESC, id DESC);

CREATE TABLE refunds (
	id                 uuid PRIMARY KEY,
	payment_id         uuid NOT NULL REFERENCES payments (id),
	idempotency_key    text NOT NULL,
	amount             bigint NOT NULL CHECK (amount > 0),
	reason             text NOT NULL,
	status             text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
	provider_refund_id text NOT NULL DEFAULT '',
	failure_reason     text NOT NULL DEFAULT '',
	created_at         timestamptz NOT NULL,
	completed_at       timestamptz,
	UNIQUE (payment_id, idempotency_key)
);

-- provider_calls is the audit log: every request to a provider and its answer,
-- raw, with secrets redacted before they are written.
CREATE TABLE provider_calls (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	payment_id  uuid,
	provider    text NOT NULL,
	operation   text NOT NULL,
	request     text NOT NULL,
	response    text NOT NULL,
	error       text NOT NULL DEFAULT '',
	started_at  timestamptz NOT NULL,
	duration_ms integer NOT NULL
);
CREATE INDEX provider_calls_payment ON provider_calls (payment_id, id);

-- sandbox_transactions is the sandbox provider's own ledger: it plays a
-- provider's side of each payment (waiting, approved by the buyer, captured,
-- refunded) so the sandbox answers lookups and refunds like a real one.
CREATE TABLE sandbox_transactions (
	ref             text PRIMARY KEY,
	payment_id      uuid NOT NULL UNIQUE,
	amount          bigint NOT NULL,
	currency        char(3) NOT NULL,
	status          text NOT NULL CHECK (status IN ('pending', 'authorized', 'declined', 'captured')),
	refunded_amount bigint NOT NULL DEFAULT 0 CHECK (refunded_amount <= amount),
	created_at      timestamptz NOT NULL DEFAULT now(),
	captured_at     timestamptz
);

CREATE TABLE sandbox_refunds (
	id              text PRIMARY KEY,
	ref             text NOT NULL REFERENCES sandbox_transactions (ref),
	idempotency_key text NOT NULL,
	amount          bigint NOT NULL CHECK (amount > 0),
	created_at      timestamptz NOT NULL DEFAULT now(),
	UNIQUE (ref, idempotency_key)
);
