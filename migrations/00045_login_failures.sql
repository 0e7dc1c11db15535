-- +goose Up
-- Failed sign-ins per attempted username (known or not, so that the answer does not tell
-- which usernames exist): the count since the last success or lock, when the next attempt
-- is allowed (a growing delay) and until when the name is locked. A successful sign-in
-- deletes the row.
CREATE TABLE login_failures (
  username        VARCHAR(191) NOT NULL,
  failures        INT          NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6)  NOT NULL,
  locked_until    DATETIME(6)  NULL,
  updated_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE login_failures;
