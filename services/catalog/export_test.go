package catalog

import "github.com/jackc/pgx/v5/pgxpool"

// Pool exposes the catalog's pool to tests that look at its tables.
func (s *Service) Pool() *pgxpool.Pool { return s.rt.Pool }
