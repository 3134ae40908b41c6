-- Orders checked out from a cart: a snapshot of the lines and amounts, the
-- status that every transition changes with one conditional UPDATE, and the
-- history of those transitions.
CREATE TABLE orders (
	id               uuid PRIMARY KEY,
	number           text NOT NULL UNIQUE,
	user_id          text NOT NULL,
	cart_id          text NOT NULL DEFAULT '',
	kind             text NOT NULL DEFAULT 'goods',
	status           text NOT NULL CHECK (status IN ('pending_payment', 'paid', 'preparing', 'shipped',
	                     'delivered', 'completed', 'cancelled', 'refunded', 'partially_refunded')),
	currency         text NOT NULL,
	subtotal         bigint NOT NULL CHECK (subtotal >= 0),
	tax              bigint NOT NULL CHECK (tax >= 0),
	shipping_fee     bigint NOT NULL CHECK (shipping_fee >= 0),
	grand_total      bigint NOT NULL CHECK (grand_total >= 0),
	refunded_amount  bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= grand_total),
	shipping         jsonb NOT NULL,
	payable_until    timestamptz NOT NULL,
	payment_id       text NOT NULL DEFAULT '',
	carrier          text NOT NULL DEFAULT '',
	tracking_number  text NOT NULL DEFAULT '',
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	paid_at          timestamptz
);
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_by_time ON orders (created_at DESC, id DESC);
CREATE INDEX orders_by_status ON orders (status, created_at DESC, id DESC);

CREATE TABLE order_lines (
	order_id          uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	line_number       int NOT NULL,
	product_id        text NOT NULL,
	variant_id        text NOT NULL,
	product_name      text NOT NULL,
	product_slug      text NOT NULL DEFAULT '',
	sku               text NOT NULL DEFAULT '',
	options           jsonb NOT NULL DEFAULT '{}',
	unit_price        bigint NOT NULL CHECK (unit_price >= 0),
	quantity          int NOT NULL CHECK (quantity > 0),
	refunded_quantity int NOT NULL DEFAULT 0 CHECK (refunded_quantity >= 0 AND refunded_quantity <= quantity),
	PRIMARY KEY (order_id, line_number)
);

CREATE TABLE order_history (
	order_id    uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	seq         bigint GENERATED ALWAYS AS IDENTITY,
	at          timestamptz NOT NULL DEFAULT now(),
	actor       text NOT NULL,
	from_status text NOT NULL DEFAULT '',
	to_status   text NOT NULL,
	note        text NOT NULL DEFAULT '',
	PRIMARY KEY (order_id, seq)
);
