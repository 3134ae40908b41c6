package k8s

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// TestIngressRoutesOnlyThePublicAPI: the Ingress exposes the API, its
// documents, the token keys and the honeypot, and an admin prefix outside
// /v1; never /metrics or the probes.
func TestIngressRoutesOnlyThePublicAPI(t *testing.T) {
	t.Parallel()
	objs := decode(t, render(t, "jangteo", "gateway: {adminPrefix: /manage-7f3a, ingress: {enabled: true, host: api.example.com}}"), "jangteo")
	ing := objs.ingresses["jangteo-gateway"]
	if ing == nil {
		t.Fatal("no Ingress")
	}
	routed := func(path string) bool {
		for _, p := range ing.Spec.Rules[0].HTTP.Paths {
			switch *p.PathType {
			case networkingv1.PathTypeExact:
				if path == p.Path {
					return true
				}
			case networkingv1.PathTypePrefix:
				if path == p.Path || strings.HasPrefix(path, strings.TrimSuffix(p.Path, "/")+"/") {
					return true
				}
			default:
				t.Errorf("path %s has pathType %s", p.Path, *p.PathType)
			}
		}
		return false
	}
	for path, want := range map[string]bool{
		"/v1/products": true, "/v1/auth/login": true, "/docs": true, "/openapi.json": true,
		"/.well-known/jwks.json": true, "/admin": true, "/admin/login/": true, "/manage-7f3a/users": true,
		"/metrics": false, "/readyz": false, "/healthz": false, "/": false, "/dev/mailbox": false,
	} {
		if got := routed(path); got != want {
			t.Errorf("Ingress routes %s = %v, want %v", path, got, want)
		}
	}
	checkConfig(t, objs, "jangteo-gateway", map[string]string{"ADMIN_PREFIX": "/manage-7f3a", "TRUST_PROXY_HEADERS": "false"})
}

// TestImages: pictures (the catalog's and the community's) go to S3 by
// default; the disk store is refused with more than one replica and gets a
// volume with one.
func TestImages(t *testing.T) {
	t.Parallel()
	objs := decode(t, render(t, "jangteo", ""), "jangteo")
	for _, name := range []string{"jangteo-catalog", "jangteo-community"} {
		checkConfig(t, objs, name, map[string]string{
			"IMAGES_DRIVER": "s3", "S3_ENDPOINT": "s3.example.com", "S3_BUCKET": "jangteo-images", "S3_USE_SSL": "true",
			"IMAGES_PUBLIC_BASE_URL": "https://cdn.example.com/jangteo",
		})
	}
	for _, values := range []string{
		"images: {driver: disk}",
		"images: {driver: disk}\nservices: {catalog: {autoscaling: {enabled: false}, replicaCount: 2}}",
		"images: {driver: disk}\nservices: {catalog: {autoscaling: {enabled: false}, replicaCount: 1}}",
		"images: {s3: {endpoint: ''}}",
		"publicURL: ''",
		"mail: {host: ''}",
	} {
		if _, err := Render(chartDir, "jangteo", "jangteo", testValues(t, values)); err == nil {
			t.Errorf("values %q rendered, want a refusal", values)
		}
	}
	one := decode(t, render(t, "jangteo", "images: {driver: disk, disk: {existingClaim: pictures}}\nservices: {catalog: {autoscaling: {enabled: false}, replicaCount: 1}, community: {autoscaling: {enabled: false}, replicaCount: 1}}"), "jangteo")
	pod := one.deployment(t, "jangteo-catalog").Spec.Template.Spec
	c := container(t, &pod)
	if !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool {
		return v.Name == "images" && v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "pictures"
	}) || !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "images" && m.MountPath == "/data/images" }) {
		t.Errorf("disk store: volumes %+v mounts %+v, want the claim at /data/images", pod.Volumes, c.VolumeMounts)
	}
	for _, name := range []string{"jangteo-catalog", "jangteo-community"} {
		checkConfig(t, one, name, map[string]string{"IMAGES_DRIVER": "disk", "IMAGES_DIR": "/data/images"})
	}
}

// TestComponentSecretsAndExtras: existingSecret becomes the component's
// variables; extraEnv, extraVolumes and extraVolumeMounts reach the pod
// (identity's signing key from a Secret, here).
func TestComponentSecretsAndExtras(t *testing.T) {
	t.Parallel()
	objs := decode(t, render(t, "jangteo", `
services:
  identity:
    existingSecret: identity-env
    extraEnv: [{name: SIGNING_KEY_FILE, value: /keys/signing.pem}]
    extraVolumes: [{name: keys, secret: {secretName: identity-signing-key}}]
    extraVolumeMounts: [{name: keys, mountPath: /keys, readOnly: true}]
`), "jangteo")
	pod := objs.deployment(t, "jangteo-identity").Spec.Template.Spec
	c := container(t, &pod)
	if !slices.ContainsFunc(c.EnvFrom, func(e corev1.EnvFromSource) bool { return e.SecretRef != nil && e.SecretRef.Name == "identity-env" }) {
		t.Errorf("envFrom %+v, want Secret identity-env", c.EnvFrom)
	}
	if v, _ := envOf(objs, c, "SIGNING_KEY_FILE"); v != "/keys/signing.pem" {
		t.Errorf("SIGNING_KEY_FILE = %q", v)
	}
	if !slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == "keys" && v.Secret != nil }) ||
		!slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "keys" && m.MountPath == "/keys" }) {
		t.Errorf("volumes %+v mounts %+v, want the signing key Secret at /keys", pod.Volumes, c.VolumeMounts)
	}
	other := container(t, &objs.deployment(t, "jangteo-cart").Spec.Template.Spec)
	if len(other.EnvFrom) != 1 {
		t.Errorf("cart envFrom %+v, want only its ConfigMap", other.EnvFrom)
	}
	checkConfig(t, objs, "jangteo-identity", map[string]string{
		"PUBLIC_URL": "https://api.example.com", "SMTP_HOST": "smtp.example.com", "SMTP_PORT": "587", "SMTP_STARTTLS": "true",
	})
}

// TestServiceMonitors: off by default; on, one per component scraping the
// port its metrics are on, selecting exactly its Service.
func TestServiceMonitors(t *testing.T) {
	t.Parallel()
	if objs := decode(t, render(t, "jangteo", ""), "jangteo"); len(objs.monitors) != 0 {
		t.Errorf("%d ServiceMonitors by default, want none", len(objs.monitors))
	}
	objs := decode(t, render(t, "jangteo", "metrics: {serviceMonitor: {enabled: true, labels: {release: prometheus}}}"), "jangteo")
	if len(objs.monitors) != len(grpcPorts)+1 {
		t.Fatalf("%d ServiceMonitors, want one per component", len(objs.monitors))
	}
	for name, m := range objs.monitors {
		svc := objs.services[name]
		if svc == nil || !selects(t, m.Spec.Selector, svc.Labels) || m.Labels["release"] != "prometheus" {
			t.Errorf("ServiceMonitor %s does not select Service %s (or lacks the release label)", name, name)
			continue
		}
		want := "metrics"
		if name == "jangteo-gateway" {
			want = "http"
		}
		if len(m.Spec.Endpoints) != 1 || m.Spec.Endpoints[0].Port != want || m.Spec.Endpoints[0].Path != "/metrics" {
			t.Errorf("ServiceMonitor %s endpoints %+v, want %s /metrics", name, m.Spec.Endpoints, want)
		}
		for _, p := range svc.Spec.Ports {
			if p.Name == want {
				want = ""
			}
		}
		if want != "" {
			t.Errorf("Service %s has no port %s", name, want)
		}
	}
}
