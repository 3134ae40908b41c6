// Package config loads a service's typed configuration from the environment.
//
// Configuration is read once, in main, into a struct whose fields carry `env`
// tags; defaults live in the struct's constructor or `envDefault` tags so a
// README can list them. Nothing below main reads the environment.
package config

import (
	"fmt"

	"github.com/caarlos0/env/v11"
)

// Load fills cfg from environment variables named by its `env` tags, each
// prefixed with prefix (which may be empty). Fields whose variable is unset keep
// the value they had, so callers pass a struct holding the defaults.
func Load(cfg any, prefix string) error {
	if err := env.ParseWithOptions(cfg, env.Options{Prefix: prefix}); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
