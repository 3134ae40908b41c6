-- Accounts. email is the login id, unique regardless of case; a social account
-- whose provider shared no verified email has none.
CREATE TABLE users (
	id                uuid PRIMARY KEY,
	email             text,
	email_verified_at timestamptz,
	username          text,
	name              text NOT NULL,
	phone             text NOT NULL DEFAULT '',
	avatar_url        text NOT NULL DEFAULT '',
	password_hash     text,
	roles             text[] NOT NULL DEFAULT '{customer}',
	status            text NOT NULL CHECK (status IN ('pending_verification', 'active', 'disabled')),
	created_at        timestamptz NOT NULL DEFAULT now(),
	updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE INDEX users_created ON users (created_at DESC, id DESC);

-- Provider accounts linked to a user: (provider, subject) is the provider's
-- stable id; emails can change hands, subjects do not.
CREATE TABLE social_accounts (
	provider   text NOT NULL,
	subject    text NOT NULL,
	user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email      text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (provider, subject)
);
CREATE INDEX social_accounts_user ON social_accounts (user_id);

-- Single-use tokens mailed in verification and reset links; only their
-- SHA-256 is kept.
CREATE TABLE one_time_tokens (
	hash       bytea PRIMARY KEY,
	purpose    text NOT NULL CHECK (purpose IN ('verify', 'reset')),
	user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose);

-- Refresh tokens, hashed. Every rotation adds a row to the same family; a
-- rotated token presented again revokes the family.
CREATE TABLE refresh_tokens (
	id         uuid PRIMARY KEY,
	family_id  uuid NOT NULL,
	user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	hash       bytea NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	rotated_at timestamptz,
	revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Shipping addresses; at most one default per user.
CREATE TABLE addresses (
	id          uuid PRIMARY KEY,
	user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	label       text NOT NULL DEFAULT '',
	recipient   text NOT NULL,
	phone       text NOT NULL,
	postal_code text NOT NULL,
	line1       text NOT NULL,
	line2       text NOT NULL DEFAULT '',
	city        text NOT NULL DEFAULT '',
	country     text NOT NULL DEFAULT 'KR',
	is_default  boolean NOT NULL DEFAULT false,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_user ON addresses (user_id, created_at);
CREATE UNIQUE INDEX addresses_one_default ON addresses (user_id) WHERE is_default;

-- Login throttling, shared by every replica: one row per counted attempt,
-- keyed "account:<email>" (failures) or "ip:<ip>" (attempts). Old rows are
-- pruned by a background task.
CREATE TABLE login_attempts (
	id  bigserial PRIMARY KEY,
	key text NOT NULL,
	at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_key ON login_attempts (key, at);
CREATE INDEX login_attempts_at ON login_attempts (at);

-- Honeypot admin login: every attempt, and per IP the count since the last
-- unblock and when it was blocked.
CREATE TABLE honeypot_attempts (
	id             uuid PRIMARY KEY,
	ip             text NOT NULL,
	user_agent     text NOT NULL DEFAULT '',
	path           text NOT NULL DEFAULT '',
	username_tried text NOT NULL DEFAULT '',
	created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX honeypot_attempts_ip ON honeypot_attempts (ip, id DESC);
CREATE TABLE honeypot_ips (
	ip         text PRIMARY KEY,
	attempts   integer NOT NULL,
	blocked_at timestamptz
);

-- The token signing key when SIGNING_KEY_FILE is not set: generated once by
-- the first replica to start, so every replica signs with the same key.
CREATE TABLE signing_keys (
	id          integer PRIMARY KEY CHECK (id = 1),
	private_pem bytea NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT now()
);
