-- The first outcome of every call made with an Idempotency-Key, kept to be
-- replayed. A row is written in the same transaction as the call's effect, so
-- there is never an effect without its row nor a row without its effect.
CREATE TABLE idempotency_keys (
	scope        text NOT NULL,        -- who called: user:<id>, service:<name>, anonymous
	method       text NOT NULL,        -- the full gRPC method
	key          text NOT NULL,        -- the client's Idempotency-Key
	fingerprint  bytea NOT NULL,       -- sha256 of the deterministic proto encoding of the request
	code         integer NOT NULL,     -- the gRPC status code; 0 is success
	response     bytea NOT NULL,       -- the response message, or the google.rpc.Status of an error
	response_type text NOT NULL,       -- the response message's full name ('' for an error)
	header       jsonb NOT NULL DEFAULT '{}', -- response metadata the handler set (x-http-code: 201)
	created_at   timestamptz NOT NULL DEFAULT now(),
	expires_at   timestamptz NOT NULL,
	PRIMARY KEY (scope, method, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
