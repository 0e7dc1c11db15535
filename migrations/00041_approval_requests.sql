-- +goose Up
-- Approval requests, one per submission of a document. open_key is "type/id" while the
-- request is pending and NULL after, so a document has at most one pending request.
-- approval_assignments are the approvers of the current step (open = 1 until they decide
-- or the step ends): the inbox is an index range on (user_id, open). Decisions are unique
-- per (request, step, user): one person decides a step once.
CREATE TABLE approval_requests (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  document_type   VARCHAR(32)  NOT NULL,
  document_id     BIGINT       NOT NULL,
  document_number VARCHAR(64)  NOT NULL DEFAULT '',
  amount          BIGINT       NOT NULL DEFAULT 0,
  branch_id       BIGINT       NOT NULL DEFAULT 0,
  warehouse_id    BIGINT       NOT NULL DEFAULT 0,
  maker_id        BIGINT       NOT NULL DEFAULT 0,
  flow_id         BIGINT       NOT NULL,
  flow_version    INT          NOT NULL,
  condition_text  VARCHAR(255) NOT NULL DEFAULT '',
  state           VARCHAR(16)  NOT NULL,
  open_key        VARCHAR(64)  NULL,
  step            INT          NOT NULL DEFAULT 1,
  step_started_at DATETIME(6)  NOT NULL,
  reminded_step   INT          NOT NULL DEFAULT 0,
  escalated_step  INT          NOT NULL DEFAULT 0,
  comment         VARCHAR(500) NOT NULL DEFAULT '',
  version         INT          NOT NULL DEFAULT 1,
  created_at      DATETIME(6)  NOT NULL,
  decided_at      DATETIME(6)  NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_approval_requests_open (open_key),
  KEY ix_approval_requests_doc (document_type, document_id, id),
  KEY ix_approval_requests_maker (maker_id, state, id),
  KEY ix_approval_requests_due (state, step_started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE approval_assignments (
  request_id BIGINT     NOT NULL,
  step       INT        NOT NULL,
  user_id    BIGINT     NOT NULL,
  open       TINYINT(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (request_id, step, user_id),
  KEY ix_approval_assignments_inbox (user_id, open, request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE approval_decisions (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  request_id   BIGINT       NOT NULL,
  step         INT          NOT NULL,
  user_id      BIGINT       NOT NULL,
  on_behalf_of BIGINT       NOT NULL DEFAULT 0,
  action       VARCHAR(16)  NOT NULL,
  comment      VARCHAR(500) NOT NULL DEFAULT '',
  peer         VARCHAR(64)  NOT NULL DEFAULT '',
  device       VARCHAR(128) NOT NULL DEFAULT '',
  call_id      VARCHAR(64)  NOT NULL DEFAULT '',
  decided_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_approval_decisions (request_id, step, user_id, action),
  KEY ix_approval_decisions_user (user_id, request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE approval_decisions;
DROP TABLE approval_assignments;
DROP TABLE approval_requests;
