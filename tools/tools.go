// Package tools pins the code generators and linters Jangteo builds with.
// They are declared as `tool` directives in go.mod and run with `go tool`.
package tools
