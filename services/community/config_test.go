package community_test

import (
	"testing"

	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/services/community"
)

// TestConfigImages: the picture store and the upload budget come from the
// same variables as the catalog's (IMAGES_*, S3_*) and MEDIA_UPLOADS_PER_HOUR.
func TestConfigImages(t *testing.T) {
	t.Setenv("IMAGES_DRIVER", "s3")
	t.Setenv("IMAGES_PUBLIC_BASE_URL", "https://cdn.example.com/jangteo")
	t.Setenv("S3_ENDPOINT", "minio:9000")
	t.Setenv("S3_BUCKET", "pictures")
	t.Setenv("S3_USE_SSL", "true")
	t.Setenv("MEDIA_UPLOADS_PER_HOUR", "7")
	cfg := community.DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		t.Fatal(err)
	}
	img := cfg.Images
	if img.Driver != "s3" || img.PublicBaseURL != "https://cdn.example.com/jangteo" || img.S3Endpoint != "minio:9000" ||
		img.S3Bucket != "pictures" || !img.S3UseSSL || img.Dir != ".data/images" || cfg.UploadsPerHour != 7 {
		t.Fatalf("config = %+v, uploads %d", img, cfg.UploadsPerHour)
	}
}
