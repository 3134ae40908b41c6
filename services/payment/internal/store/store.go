// Package store keeps the payment service's data in PostgreSQL.
package store

import "embed"

// Migrations are the payment schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS
