// Package k8s holds Jangteo's Kubernetes deployment: the Helm chart in
// helm/jangteo and, in manifests/, that chart rendered for kubectl users.
//
// Render renders the chart with the Helm library the way `helm template`
// does, so neither the tests nor the manifest generator need a helm binary.
package k8s

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
)

// Render renders the chart in chartDir for a release named release in
// namespace. values are merged over the chart's values.yaml and validated
// against its values.schema.json, as `helm template --set/-f` would do.
//
// The result is one multi-document YAML stream with the same objects, order
// and "# Source:" comments as `helm template release chartDir -n namespace`:
// regular objects in Helm's install order, then the hooks.
func Render(chartDir, release, namespace string, values map[string]any) ([]byte, error) {
	ch, err := loader.Load(chartDir)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w", chartDir, err)
	}
	opts := chartutil.ReleaseOptions{
		Name:      release,
		Namespace: namespace,
		Revision:  1,
		IsInstall: true,
	}
	top, err := chartutil.ToRenderValues(ch, values, opts, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	files, err := engine.Render(ch, top)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	// NOTES.txt is text for the user, not an object.
	for name := range files {
		if path.Base(name) == "NOTES.txt" {
			delete(files, name)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, fmt.Errorf("sort manifests: %w", err)
	}

	var body bytes.Buffer
	for _, m := range manifests {
		fmt.Fprintf(&body, "---\n# Source: %s\n%s\n", m.Name, m.Content)
	}
	var out bytes.Buffer
	out.WriteString(strings.TrimSpace(body.String()))
	out.WriteByte('\n')
	for _, h := range hooks {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
	}
	return out.Bytes(), nil
}
