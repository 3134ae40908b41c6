// Package community is the community service: boards and notices, posts
// with anonymous authors, nested comments, likes and scraps. cmd/community
// runs it alone; cmd/jangteo runs it beside the other services.
package community

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/images"
	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/community/internal/app"
	"github.com/jangteo/jangteo/services/community/internal/campus"
	"github.com/jangteo/jangteo/services/community/internal/catalogclient"
	"github.com/jangteo/jangteo/services/community/internal/events"
	"github.com/jangteo/jangteo/services/community/internal/grpcapi"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// Name is the service's name, schema and event stream.
const Name = "community"

// Config is the community service's configuration.
type Config struct {
	service.Base
	// HotRankRefresh is how often the popular feed's ranks are recomputed.
	HotRankRefresh time.Duration `env:"HOT_RANK_REFRESH"`
	// CatalogEndpoint is the catalog's gRPC address (style posts tag products).
	CatalogEndpoint string `env:"CATALOG_ENDPOINT"`
	// PublicURL is the base of the links in mail (the gateway's public address).
	PublicURL string `env:"PUBLIC_URL"`
	// Mail is the SMTP relay for school email links (SMTP_HOST, SMTP_PORT,
	// SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM, SMTP_STARTTLS, SMTP_TIMEOUT).
	Mail mail.Config `envPrefix:"SMTP_"`
	// Images is where members' uploaded pictures go (IMAGES_DRIVER,
	// IMAGES_DIR, IMAGES_PUBLIC_BASE_URL, S3_*), as the catalog's.
	Images images.Config
	// UploadsPerHour bounds each member's picture uploads in any hour.
	UploadsPerHour int `env:"MEDIA_UPLOADS_PER_HOUR"`
	// KeepUnattachedMedia is how long an upload no post or style uses is
	// kept before the hourly purge deletes it with its picture.
	KeepUnattachedMedia time.Duration `env:"MEDIA_KEEP_UNATTACHED"`
}

// DefaultConfig returns the documented defaults: gRPC on :9106, hot ranks
// refreshed every 5 minutes, the catalog on 127.0.0.1:9102, mail to a relay
// on 127.0.0.1:1025 with links to http://localhost:8080, uploads on disk
// under .data/images served at http://localhost:8080/media (60 an hour per
// member, kept a day when no post uses them).
func DefaultConfig() Config {
	return Config{
		Base: service.Defaults(":9106"), HotRankRefresh: 5 * time.Minute, CatalogEndpoint: "127.0.0.1:9102",
		PublicURL:      "http://localhost:8080",
		Mail:           mail.Config{Host: "127.0.0.1", Port: 1025, From: "Jangteo <no-reply@jangteo.dev>"},
		Images:         images.Config{Driver: images.DriverDisk, Dir: images.DefaultDir, PublicBaseURL: images.DefaultPublicBaseURL},
		UploadsPerHour: app.DefaultUploadsPerHour, KeepUnattachedMedia: app.DefaultKeepUnattached,
	}
}

// Migrations are the service's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running community service.
type Service struct {
	rt      *service.Runtime
	app     *app.App
	campus  *campus.Campus
	catalog *grpc.ClientConn
	media   http.Handler
}

// New connects the service and registers its gRPC API.
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (*Service, error) {
	if cfg.HotRankRefresh <= 0 {
		return nil, fmt.Errorf("community: HOT_RANK_REFRESH %s must be positive", cfg.HotRankRefresh)
	}
	if cfg.CatalogEndpoint == "" {
		return nil, fmt.Errorf("community: CATALOG_ENDPOINT is empty")
	}
	sender, err := mail.NewSender(cfg.Mail)
	if err != nil {
		return nil, fmt.Errorf("community: %w", err)
	}
	pics, err := images.New(cfg.Images)
	if err != nil {
		return nil, fmt.Errorf("community: %w", err)
	}
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	// The connection is lazy: the community starts before the catalog does,
	// and only style posts need it.
	conn, err := rt.Dial(cfg.CatalogEndpoint)
	if err != nil {
		return nil, fmt.Errorf("community: catalog client: %w", err)
	}
	a := app.New(store.New(rt.Pool), catalogclient.New(catalogv1.NewCatalogServiceClient(conn)),
		app.MediaConfig{Store: pics, UploadsPerHour: cfg.UploadsPerHour, KeepUnattached: cfg.KeepUnattachedMedia}, rt.Log)
	communityv1.RegisterCommunityServiceServer(rt.GRPC, grpcapi.New(a))
	cps := campus.New(rt.Pool, sender, strings.TrimSuffix(cfg.PublicURL, "/"))
	communityv1.RegisterCampusServiceServer(rt.GRPC, grpcapi.NewCampus(cps))
	rt.Consume(campus.SchoolEmailConsumer, cps.MailSchoolEmail)
	rt.Consume(events.ProfilesConsumer, events.Profiles)
	rt.Consume(events.NotificationsConsumer, events.Notify)
	service.Work(rt, func(ctx context.Context, _ app.RefreshHotRanksArgs) error { return a.RefreshHotRanks(ctx) })
	rt.Periodic(cfg.HotRankRefresh, app.RefreshHotRanksArgs{})
	service.Work(rt, func(ctx context.Context, _ app.PurgeUnattachedMediaArgs) error {
		_, err := a.PurgeUnattachedMedia(ctx)
		return err
	})
	rt.Periodic(time.Hour, app.PurgeUnattachedMediaArgs{})
	s := &Service{rt: rt, app: a, campus: cps, catalog: conn}
	if d, ok := pics.(*images.Disk); ok {
		s.media = d.Handler()
	}
	return s, nil
}

// MediaHandler serves uploaded pictures when they are kept on disk: mount
// it at the path of Images.PublicBaseURL (/media/ by default) with that
// prefix stripped; nil otherwise. Its keys start with "community/", so it
// may share the path and directory with the catalog's pictures.
func (s *Service) MediaHandler() http.Handler { return s.media }

// PurgeUnattachedMedia deletes the uploads no post or style has used for
// KeepUnattachedMedia, with their pictures, as the hourly job does, and
// returns how many.
func (s *Service) PurgeUnattachedMedia(ctx context.Context) (int, error) {
	return s.app.PurgeUnattachedMedia(ctx)
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	defer s.catalog.Close()
	return s.rt.Run(ctx)
}
