-- The seller's shipment of a paid trade's item to inspection, its arrival,
-- and the shipment to the buyer after the item passed.
ALTER TABLE market_trades
	ADD COLUMN inspection_carrier         text NOT NULL DEFAULT '',
	ADD COLUMN inspection_tracking_number text NOT NULL DEFAULT '',
	ADD COLUMN shipped_at                 timestamptz,
	ADD COLUMN received_at                timestamptz,
	ADD COLUMN delivery_carrier           text NOT NULL DEFAULT '',
	ADD COLUMN delivery_tracking_number   text NOT NULL DEFAULT '';
ALTER TABLE market_trades DROP CONSTRAINT market_trades_status_check;
ALTER TABLE market_trades ADD CONSTRAINT market_trades_status_check CHECK (status IN (
	'pending_payment', 'paid', 'shipped_to_inspection', 'at_inspection', 'voided', 'inspection_passed', 'inspection_failed'));
