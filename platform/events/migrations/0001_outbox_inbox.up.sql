-- The outbox and inbox of a service's schema. Before these tables were
-- versioned every service created them at start with IF NOT EXISTS; this
-- version adopts the tables such databases already have.
CREATE TABLE IF NOT EXISTS outbox (
	id           uuid PRIMARY KEY,
	subject      text NOT NULL,
	type         text NOT NULL,
	payload      bytea NOT NULL,
	request_id   text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL DEFAULT now(),
	published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (created_at) WHERE published_at IS NULL;

CREATE TABLE IF NOT EXISTS inbox (
	consumer     text NOT NULL,
	event_id     text NOT NULL,
	processed_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (consumer, event_id)
);
