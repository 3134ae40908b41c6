// Package app holds the community's use cases. Each decides its own
// transaction boundary and enqueues its events inside it; what it returns is
// already rendered for the caller (domain views), so no layer above it ever
// holds the author of anonymous content.
package app

import (
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/jangteo/jangteo/services/community/internal/store"
)

// App runs the community's use cases.
type App struct {
	store   *store.Store
	catalog Catalog
	media   MediaConfig
	log     *zap.Logger
	now     func() time.Time
}

// New returns the use cases over s, asking cat about products and keeping
// uploads as media says.
func New(s *store.Store, cat Catalog, media MediaConfig, log *zap.Logger) *App {
	if s == nil || cat == nil || media.Store == nil || log == nil {
		panic("app: nil dependency")
	}
	if media.UploadsPerHour <= 0 {
		media.UploadsPerHour = DefaultUploadsPerHour
	}
	return &App{store: s, catalog: cat, media: media, log: log, now: func() time.Time { return time.Now().UTC() }}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// pageSize applies a list's default and cap.
func pageSize(size, def int) int {
	if size <= 0 {
		return def
	}
	return min(size, 100)
}
