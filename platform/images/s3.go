package images

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// S3 stores images in a bucket of any S3-compatible object storage (AWS S3,
// MinIO, Cloudflare R2, NCP Object Storage, …). The bucket, or a CDN in
// front of it, must allow public reads of the objects for the returned URLs
// to load. An S3 is safe for concurrent use.
type S3 struct {
	client  *minio.Client
	bucket  string
	baseURL string
}

// NewS3 returns an S3 store from the S3* fields and PublicBaseURL of cfg.
// It makes no request: a wrong endpoint or credentials show up on the first
// Put. Requests use path-style bucket addressing (endpoint/bucket/key),
// which every S3-compatible server supports, unlike virtual-host style.
func NewS3(cfg Config) (*S3, error) {
	if cfg.S3Endpoint == "" || cfg.S3Bucket == "" {
		return nil, errors.New("images: s3 needs an endpoint and a bucket")
	}
	// Checked here so a misconfigured bucket stops the service at start
	// instead of failing every upload.
	if err := s3utils.CheckValidBucketNameStrict(cfg.S3Bucket); err != nil {
		return nil, fmt.Errorf("images: s3 bucket %q: %w", cfg.S3Bucket, err)
	}
	endpoint, secure := cfg.S3Endpoint, cfg.S3UseSSL
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("images: s3 endpoint %q: want host[:port] or an http(s) URL", cfg.S3Endpoint)
		}
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	client, err := minio.New(endpoint, &minio.Options{
		// Empty keys make the static provider sign nothing (anonymous).
		Creds:        credentials.NewStaticV4(cfg.S3AccessKey, cfg.S3SecretKey, ""),
		Secure:       secure,
		Region:       cfg.S3Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("images: s3 client: %w", err)
	}
	base := cfg.PublicBaseURL
	if base == "" {
		scheme := "http"
		if secure {
			scheme = "https"
		}
		base = scheme + "://" + endpoint + "/" + cfg.S3Bucket
	}
	return &S3{client: client, bucket: cfg.S3Bucket, baseURL: base}, nil
}

// Put uploads data as the object key with its content type and a long
// cache lifetime (keys are never reused), and returns its public URL.
func (s *S3) Put(ctx context.Context, key, contentType string, data []byte) (string, error) {
	if err := checkKey(key, contentType); err != nil {
		return "", err
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType:  contentType,
		CacheControl: "public, max-age=31536000, immutable",
	})
	if err != nil {
		return "", fmt.Errorf("images: put %s: %w", key, err)
	}
	return publicURL(s.baseURL, key), nil
}

// Delete removes the object key; S3 answers a missing one as removed.
func (s *S3) Delete(ctx context.Context, key string) error {
	if _, err := keyType(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("images: delete %s: %w", key, err)
	}
	return nil
}
