-- +goose Up
-- Write-offs of imported statement lines that went through approval, one row per line
-- (its id is the document the approval request names). amount is the absolute difference
-- written off, fen. state: PENDING while the request runs (the line stays undecided and
-- the statement cannot be confirmed), APPROVED (the line is resolved WRITE_OFF), REJECTED
-- (the line is undecided again; approval_comment says why), FAILED (approved, but over the
-- counterpart's write-off limit by then), '' when the latest write-off of the line needed
-- no approval. approval_request is the request the line waits for, so a redelivered or
-- superseded outcome changes nothing.
CREATE TABLE statement_write_offs (
  id               BIGINT       NOT NULL AUTO_INCREMENT,
  statement_id     BIGINT       NOT NULL,
  row_no           INT          NOT NULL,
  amount           BIGINT       NOT NULL,
  note             VARCHAR(500) NOT NULL DEFAULT '',
  state            VARCHAR(10)  NOT NULL DEFAULT '',
  approval_request BIGINT       NOT NULL DEFAULT 0,
  approval_comment VARCHAR(500) NOT NULL DEFAULT '',
  requested_by     BIGINT       NOT NULL DEFAULT 0,
  created_at       DATETIME(6)  NOT NULL,
  updated_at       DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_statement_write_offs_line (statement_id, row_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE statement_write_offs;
