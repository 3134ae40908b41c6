// Package store keeps payments, refunds and the provider audit log in
// PostgreSQL. Its functions take the caller's transaction (or the pool for
// reads): use cases decide the boundaries. Every status change is one
// conditional UPDATE, or runs under the payment's row lock.
package store

import "embed"

// Migrations are the payment schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS
