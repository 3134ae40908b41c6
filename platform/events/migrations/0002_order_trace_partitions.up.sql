-- Events in order per aggregate, with their trace and saga ids, relayed by
-- partition: the outbox row carries the trace context, correlation and
-- causation ids and the aggregate's id and sequence; the relays lease
-- partitions; consumers track each aggregate's applied sequence and count
-- failures that are not transient.
ALTER TABLE outbox
	ADD COLUMN IF NOT EXISTS position       bigint GENERATED ALWAYS AS IDENTITY,
	ADD COLUMN IF NOT EXISTS partition      smallint NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS aggregate_id   text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS aggregate_seq  bigint NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS aggregate_prev jsonb NOT NULL DEFAULT '{}',
	ADD COLUMN IF NOT EXISTS traceparent    text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS tracestate     text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS correlation_id text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS causation_id   text NOT NULL DEFAULT '';
DROP INDEX IF EXISTS outbox_pending;
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (position) WHERE published_at IS NULL;

-- The last sequence of each aggregate and, per subject, of its latest event.
CREATE TABLE IF NOT EXISTS outbox_aggregates (
	aggregate_id    text PRIMARY KEY,
	seq             bigint NOT NULL,
	subjects        jsonb NOT NULL,
	subjects_before jsonb NOT NULL
);
-- Which relay replica publishes which partition, on a renewed lease.
CREATE TABLE IF NOT EXISTS outbox_partitions (
	partition   smallint PRIMARY KEY,
	owner       text NOT NULL DEFAULT '',
	lease_until timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO outbox_partitions (partition) SELECT generate_series(0, 15) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS outbox_relays (
	relay   text PRIMARY KEY,
	seen_at timestamptz NOT NULL
);
-- A committed insert wakes the relays (LISTEN outbox_<schema>).
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('outbox_' || current_schema(), '');
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER outbox_notify AFTER INSERT ON outbox
	FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- The last applied sequence of each aggregate, per consumer.
CREATE TABLE IF NOT EXISTS inbox_aggregates (
	consumer     text NOT NULL,
	aggregate_id text NOT NULL,
	seq          bigint NOT NULL,
	PRIMARY KEY (consumer, aggregate_id)
);
-- Failed attempts of events whose handler failed for a reason that is not
-- transient; at MaxAttempts the event is dead-lettered.
CREATE TABLE IF NOT EXISTS inbox_failures (
	consumer   text NOT NULL,
	event_id   text NOT NULL,
	attempts   int NOT NULL,
	last_error text NOT NULL,
	PRIMARY KEY (consumer, event_id)
);
