// Package store keeps the community service's data in PostgreSQL.
package store

import "embed"

// Migrations are the community schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS
