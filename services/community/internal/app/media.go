package app

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/images"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// MaxMediaBytes is the largest picture UploadMedia accepts (5 MiB, as the
// catalog's product pictures).
const MaxMediaBytes = images.DefaultMaxBytes

// DefaultUploadsPerHour is a member's upload budget when none is configured.
const DefaultUploadsPerHour = 60

// ErrUploadsExhausted is a member over their hourly upload budget.
var ErrUploadsExhausted = errs.New(errs.ResourceExhausted, "UPLOAD_LIMIT", "too many uploads; try again later")

// MediaConfig is where uploads go and how many a member may make.
type MediaConfig struct {
	// Store keeps the pictures (the platform's disk or S3 store).
	Store images.Store
	// UploadsPerHour bounds each member's uploads in any hour.
	UploadsPerHour int
	// KeepUnattached is how long an upload no post uses is kept
	// (DefaultKeepUnattached when zero).
	KeepUnattached time.Duration
}

// DefaultKeepUnattached is MediaConfig.KeepUnattached when zero.
const DefaultKeepUnattached = 24 * time.Hour

// purgeBatch is how many unattached uploads one purge transaction deletes.
const purgeBatch = 500

// PurgeUnattachedMediaArgs is the periodic job that deletes uploads no post
// or style uses (one replica at a time: the platform's periodic jobs).
type PurgeUnattachedMediaArgs struct{}

// Kind names the job.
func (PurgeUnattachedMediaArgs) Kind() string { return "community_purge_unattached_media" }

// PurgeUnattachedMedia deletes the uploads older than KeepUnattached that no
// post or style uses, and their pictures, a few hundred at a time, and
// returns how many. The rows go first, in their own transaction, so a post
// can no longer attach an upload whose picture is going; a picture that
// cannot be deleted is left behind and logged.
func (a *App) PurgeUnattachedMedia(ctx context.Context) (int, error) {
	keep := a.media.KeepUnattached
	if keep <= 0 {
		keep = DefaultKeepUnattached
	}
	total := 0
	for {
		var keys []string
		err := a.store.InTx(ctx, func(q *store.Queries) (err error) {
			keys, err = q.DeleteUnattachedMedia(ctx, a.now().Add(-keep), purgeBatch)
			return err
		})
		if err != nil {
			return total, err
		}
		for _, k := range keys {
			if err := a.media.Store.Delete(ctx, k); err != nil {
				a.log.Warn("media: delete unattached picture", zap.String("key", k), zap.Error(err))
			}
		}
		total += len(keys)
		if len(keys) < purgeBatch {
			if total > 0 {
				a.log.Info("media: deleted unattached uploads", zap.Int("count", total))
			}
			return total, nil
		}
	}
}

// keyPrefix puts the community's pictures apart from the catalog's when
// both write to one directory or bucket. Keys carry no member id.
const keyPrefix = "community"

// UploadMedia checks a picture by its bytes (JPEG, PNG, WebP or GIF, at most
// MaxMediaBytes, agreeing with the declared type), takes a slot of the
// member's hourly budget, stores it and returns the upload posts reference.
// The upload is recorded before the object is stored and gets its URL
// after, so a failed store leaves nothing attachable.
func (a *App) UploadMedia(ctx context.Context, c domain.Caller, declaredType string, data []byte) (domain.Media, error) {
	key, contentType, err := images.Accept(data, declaredType, keyPrefix, MaxMediaBytes)
	if err != nil {
		return domain.Media{}, err
	}
	m := domain.Media{ID: newID(), OwnerID: c.UserID, Key: key, ContentType: contentType, Size: int64(len(data)), CreatedAt: a.now()}
	err = a.store.InTx(ctx, func(q *store.Queries) error {
		if err := q.LockUploads(ctx, c.UserID); err != nil {
			return err
		}
		n, err := q.UploadsSince(ctx, c.UserID, m.CreatedAt.Add(-time.Hour))
		if err != nil {
			return err
		}
		if n >= a.media.UploadsPerHour {
			return ErrUploadsExhausted.With("at most %d uploads an hour; try again later", a.media.UploadsPerHour)
		}
		return q.CreateMedia(ctx, m)
	})
	if err != nil {
		return domain.Media{}, err
	}
	m.URL, err = a.media.Store.Put(ctx, key, contentType, data)
	if err == nil {
		err = a.store.Read().MediaStored(ctx, m.ID, m.URL)
	}
	if err != nil {
		// The slot stays taken: a failing store is no reason to allow more.
		if derr := a.store.Read().DeleteMedia(context.WithoutCancel(ctx), m.ID); derr != nil {
			a.log.Warn("media: forget failed upload", zap.String("media_id", m.ID), zap.Error(derr))
		}
		return domain.Media{}, fmt.Errorf("media: store %s: %w", key, err)
	}
	return m, nil
}

// attachMedia resolves a post's media ids to the caller's stored uploads,
// in order: at most domain.MaxMedia, each once, each the caller's own. An
// unknown id and another member's get the same answer, so ids learned from
// anonymous posts tell nothing about their authors.
func attachMedia(ctx context.Context, q *store.Queries, v *errs.Violations, c domain.Caller, field string, ids []string) (urls []string, err error) {
	if len(ids) > domain.MaxMedia {
		v.Add(field, fmt.Sprintf("at most %d media files (got %d)", domain.MaxMedia, len(ids)))
		return nil, nil
	}
	if len(ids) == 0 {
		return []string{}, nil
	}
	own, err := q.OwnMedia(ctx, c.UserID, ids)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, id := range ids {
		m, ok := own[id]
		switch {
		case !ok:
			v.Add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("no upload %q of yours (upload pictures with POST /v1/media)", id))
		case seen[id]:
			v.Add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("upload %q is listed twice", id))
		default:
			urls = append(urls, m.URL)
		}
		seen[id] = true
	}
	return urls, nil
}
