-- +goose Up
-- People who sign in. Roles and branch limits live in their own tables so that
-- "who holds role X" and "who may act in branch Y" are plain indexed lookups.
CREATE TABLE users (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  username      VARCHAR(64)  NOT NULL,
  display_name  VARCHAR(128) NOT NULL DEFAULT '',
  password_hash VARCHAR(255) NOT NULL,
  active        TINYINT(1)   NOT NULL DEFAULT 1,
  -- bumped when roles, branches, password or active change: older tokens stop working
  token_epoch   INT          NOT NULL DEFAULT 0,
  version       INT          NOT NULL DEFAULT 1,
  created_at    DATETIME(6)  NOT NULL,
  updated_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_users_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_roles (
  user_id BIGINT      NOT NULL,
  role    VARCHAR(16) NOT NULL,
  PRIMARY KEY (user_id, role),
  KEY ix_user_roles_role (role, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_branches (
  user_id   BIGINT NOT NULL,
  branch_id BIGINT NOT NULL,
  PRIMARY KEY (user_id, branch_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE user_branches;
DROP TABLE user_roles;
DROP TABLE users;
