-- +goose Up
-- Insights folds its facts on the outbox's batch deliveries (one fold for the sources of
-- all the events of a call) instead of marking sources in insights_dirty for a folding
-- loop. Marks left by the earlier release become outbox events of the topics the
-- subscribers read, so that no change they noted is lost; then the table goes.
INSERT INTO outbox_events (topic, subscriber, event_key, payload, created_at, next_attempt_at)
SELECT 'orders.orders.changed', 'insights-orders', CONCAT('shops/', o.shop_id),
  JSON_OBJECT('shop', o.shop_id, 'channel', o.channel, 'orders', JSON_ARRAY(o.id)), d.queued_at, d.queued_at
FROM insights_dirty d JOIN orders o ON o.id = d.source_id WHERE d.source = 'order';
INSERT INTO outbox_events (topic, subscriber, event_key, payload, created_at, next_attempt_at)
SELECT 'warehouse.document.posted', 'insights-stock', CONCAT('stockDocuments/', d.source_id),
  JSON_OBJECT('document', d.source_id, 'type', 'delivery'), d.queued_at, d.queued_at
FROM insights_dirty d WHERE d.source = 'stock';
INSERT INTO outbox_events (topic, subscriber, event_key, payload, created_at, next_attempt_at)
SELECT 'reconcile.return.recorded', 'insights-returns', CONCAT('customerReturns/', d.source_id),
  JSON_OBJECT('return', d.source_id), d.queued_at, d.queued_at
FROM insights_dirty d WHERE d.source = 'return';
DROP TABLE insights_dirty;

-- +goose Down
CREATE TABLE insights_dirty (
  source    VARCHAR(8)  NOT NULL,
  source_id BIGINT      NOT NULL,
  seq       INT         NOT NULL DEFAULT 1,
  queued_at DATETIME(6) NOT NULL,
  PRIMARY KEY (source, source_id),
  KEY ix_insights_dirty_queued (queued_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
