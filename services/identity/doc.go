// Package identity owns who may do what: users with hashed passwords (argon2id), their
// roles and branch limits, signed access tokens, connector API keys bound to shops, and
// the audit log of every mutating call.
//
// Invariants:
//   - passwords and key secrets are never stored or answered in clear: argon2id for
//     passwords, SHA-256 for high-entropy connector keys (answered once, at creation);
//   - an access token is HMAC-signed with a key kept in the database (shared by replicas)
//     and carries the user's token epoch: changing a user's roles, branches, password or
//     active flag bumps the epoch and so revokes its earlier tokens within the cache TTL;
//   - a user never gets the connector role, a key never gets a person's role.
package identity
