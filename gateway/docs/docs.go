// Package docs serves the API reference page: Redoc (from the npm package
// redoc, vendored in assets/ by update.sh) rendering the merged OpenAPI document.
package docs

import (
	"embed"
	"net/http"
)

//go:embed assets/redoc.standalone.js
var assets embed.FS

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Jangteo API</title>
</head>
<body>
  <redoc spec-url="/openapi.json" hide-download-button="false"></redoc>
  <script src="/docs/redoc.standalone.js"></script>
</body>
</html>`

// Handler serves /docs (the page) and /docs/redoc.standalone.js.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /docs", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	files := http.FileServerFS(assets)
	mux.Handle("GET /docs/redoc.standalone.js", http.StripPrefix("/docs", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		r.URL.Path = "/assets" + r.URL.Path
		files.ServeHTTP(w, r)
	})))
	return mux
}
