-- The order schema starts with the platform's outbox and inbox only (created by
-- the service runtime); its own tables arrive with its issue.
SELECT 1;
