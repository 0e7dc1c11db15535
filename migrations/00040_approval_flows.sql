-- +goose Up
-- Approval flows. The flow row holds what selects it (type, priority, active) and its
-- current version; each version's definition (conditions, steps, timing) is kept forever
-- in approval_flow_versions, so that a request follows the version it started with.
CREATE TABLE approval_flows (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  name            VARCHAR(128) NOT NULL,
  document_type   VARCHAR(32)  NOT NULL,
  priority        INT          NOT NULL DEFAULT 0,
  active          TINYINT(1)   NOT NULL DEFAULT 1,
  current_version INT          NOT NULL DEFAULT 1,
  created_by      BIGINT       NOT NULL DEFAULT 0,
  created_at      DATETIME(6)  NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  KEY ix_approval_flows_type (document_type, active, priority, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE approval_flow_versions (
  flow_id    BIGINT      NOT NULL,
  version    INT         NOT NULL,
  definition JSON        NOT NULL,
  created_by BIGINT      NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (flow_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE approval_flow_versions;
DROP TABLE approval_flows;
