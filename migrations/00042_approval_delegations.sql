-- +goose Up
-- While a delegator is away (from_at <= now < to_at) the delegate sees and decides their
-- approval requests.
CREATE TABLE approval_delegations (
  id           BIGINT      NOT NULL AUTO_INCREMENT,
  delegator_id BIGINT      NOT NULL,
  delegate_id  BIGINT      NOT NULL,
  from_at      DATETIME(6) NOT NULL,
  to_at        DATETIME(6) NOT NULL,
  created_at   DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_approval_delegations_delegate (delegate_id, to_at),
  KEY ix_approval_delegations_delegator (delegator_id, to_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE approval_delegations;
