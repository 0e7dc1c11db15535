// Package migrations embeds the versioned SQL that builds the shared schema. Files are
// applied in order by goose (erpctl migrate up, or erpd on start); each holds one concern,
// because MySQL commits DDL implicitly and a half-applied file cannot be rolled back.
//
// Portability: plain InnoDB tables, utf8mb4, DATETIME(6) in UTC, explicit unique keys for
// business keys; no triggers, procedures, events or spatial types, so that the schema also
// runs on TiDB (a test parses every file with TiDB's parser).
package migrations

import "embed"

// FS holds every migration.
//
//go:embed *.sql
var FS embed.FS
