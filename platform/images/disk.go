package images

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
)

// Disk stores images as files under a root directory and serves them with
// Handler. It is the default store: nothing to run besides the service.
// A Disk is safe for concurrent use.
type Disk struct {
	// root confines every file operation to the directory, so even a key
	// that slipped past checkKey could not reach outside it.
	root    *os.Root
	baseURL string
}

// NewDisk opens (creating if needed) dir as the store's root; empty means
// DefaultDir. URLs returned by Put are publicBaseURL + "/" + key; empty
// means DefaultPublicBaseURL. Close releases the directory handle.
func NewDisk(dir, publicBaseURL string) (*Disk, error) {
	if dir == "" {
		dir = DefaultDir
	}
	if publicBaseURL == "" {
		publicBaseURL = DefaultPublicBaseURL
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("images: create %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("images: open %s: %w", dir, err)
	}
	return &Disk{root: root, baseURL: publicBaseURL}, nil
}

// Close releases the root directory handle. Put and Handler fail afterwards.
func (d *Disk) Close() error {
	return d.root.Close()
}

// Put writes data to the file named by key and returns its public URL.
// The data goes to a temporary file that is renamed into place, so a
// reader never sees a half-written image.
func (d *Disk) Put(ctx context.Context, key, contentType string, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := checkKey(key, contentType); err != nil {
		return "", err
	}
	dir := path.Dir(key)
	if err := d.root.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("images: put %s: %w", key, err)
	}
	// The leading dot keeps the temporary name out of the key space, so it
	// can never be served or collide with a real key.
	tmp := path.Join(dir, ".tmp-"+rand.Text())
	if err := d.writeFile(tmp, data); err != nil {
		_ = d.root.Remove(tmp)
		return "", fmt.Errorf("images: put %s: %w", key, err)
	}
	if err := d.root.Rename(tmp, key); err != nil {
		_ = d.root.Remove(tmp)
		return "", fmt.Errorf("images: put %s: %w", key, err)
	}
	return publicURL(d.baseURL, key), nil
}

// Delete removes the file named by key; a missing one is no error.
func (d *Disk) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := keyType(key); err != nil {
		return err
	}
	if err := d.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("images: delete %s: %w", key, err)
	}
	return nil
}

// writeFile creates name and writes data to it, synced so that a URL we
// hand out still resolves after a crash.
func (d *Disk) writeFile(name string, data []byte) error {
	f, err := d.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// Handler serves the stored files by key: a GET for "/<key>" returns the
// image. Mount it under the path of the public base URL with the prefix
// stripped, e.g. mux.Handle("/media/", http.StripPrefix("/media", d.Handler())).
//
// Only well-formed image keys are served, with the content type taken from
// the extension and X-Content-Type-Options: nosniff, so a file can never be
// rendered as HTML. Directories are never listed. Keys are never reused,
// so responses may be cached for a year.
func (d *Disk) Handler() http.Handler {
	files := http.FileServerFS(noDirs{d.root.FS()})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		ct, err := keyType(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("X-Content-Type-Options", "nosniff")
		// FileServer drops Cache-Control again when it answers with an
		// error, so a missing file is not cached.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}

// noDirs hides directories from http.FileServerFS, which would otherwise
// list them.
type noDirs struct{ fs.FS }

// Open opens name and reports fs.ErrNotExist for directories.
func (n noDirs) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		_ = f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.Join(fs.ErrNotExist, err)}
	}
	return f, nil
}
