-- +goose Up
-- Gap-free document numbers per (document type, branch, period): the counter row is
-- locked and advanced inside the transaction that creates the document, so a rolled-back
-- document gives its number back.
CREATE TABLE doc_sequences (
  doc_type  VARCHAR(16) NOT NULL,
  branch_id BIGINT      NOT NULL,
  period    CHAR(6)     NOT NULL,
  last_no   BIGINT      NOT NULL,
  PRIMARY KEY (doc_type, branch_id, period)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE doc_sequences;
