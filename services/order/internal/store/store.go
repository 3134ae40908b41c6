// Package store keeps the order service's data in PostgreSQL.
package store

import "embed"

// Migrations are the order schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS
