-- +goose Up
-- A counter per day of the facts, raised by every fold that changes that day's figures (a
-- daily cell, an order's facts) and by traffic imports. A replica keeps recent answers of
-- the period queries with the counters' sum over the days they read (and the rebuild
-- generation, insights_state 'generation'); an answer is reused only while that sum is
-- unchanged, so it is never older than the facts.
CREATE TABLE insights_day_changes (
  day DATE   NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE insights_day_changes;
