package k8s

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// clients are the components that hold a client secret: all but identity.
var clients = []string{"cart", "catalog", "community", "gateway", "order", "payment"}

// TestServiceIdentity checks the client secrets: each client reads its own
// SERVICE_CLIENT_SECRET from its Secret, identity reads every one of them into
// SERVICE_CLIENTS, and an existingSecret replaces the generated one.
func TestServiceIdentity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, values string
		// secretOf is where each client's secret is, "" for the default.
		secretOf  map[string]corev1.SecretKeySelector
		generated []string
	}{
		{name: "generated", generated: clients},
		{
			name:      "existing secret for the cart and the gateway",
			values:    "services: {cart: {clientSecret: {existingSecret: shop-cart, key: secret}}}\ngateway: {clientSecret: {existingSecret: shop-gw}}",
			secretOf:  map[string]corev1.SecretKeySelector{"cart": ref("shop-cart", "secret"), "gateway": ref("shop-gw", "client-secret")},
			generated: []string{"catalog", "community", "order", "payment"},
		},
		{name: "not generated", values: "serviceIdentity: {generateSecrets: false}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			objs := decode(t, render(t, "jangteo", tt.values), "jangteo")
			var generated []string
			for name, s := range objs.secrets {
				client := strings.TrimSuffix(strings.TrimPrefix(name, "jangteo-"), "-client")
				generated = append(generated, client)
				if v := s.Data["client-secret"]; len(v) < 32 {
					t.Errorf("Secret %s: client-secret of %d bytes, want a long random one", name, len(v))
				}
			}
			if slices.Sort(generated); !slices.Equal(generated, tt.generated) {
				t.Errorf("generated Secrets for %q, want %q", generated, tt.generated)
			}

			identity := container(t, &objs.deployment(t, "jangteo-identity").Spec.Template.Spec)
			if v := envRef(identity.Env, "SERVICE_CLIENT_SECRET"); v != nil {
				t.Errorf("identity has a client secret from %+v; it mints its own tokens", v)
			}
			clientsVar := envValue(t, identity.Env, "SERVICE_CLIENTS")
			listed := map[string]bool{}
			for _, entry := range strings.Split(clientsVar, ",") {
				client, value, _ := strings.Cut(entry, "=")
				listed[client] = true
				// $(VAR) is expanded by Kubernetes only from a variable defined before.
				m := regexp.MustCompile(`^\$\(([A-Z_]+)\)$`).FindStringSubmatch(value)
				if m == nil {
					t.Errorf("SERVICE_CLIENTS entry %q, want <client>=$(VAR)", entry)
					continue
				}
				i := slices.IndexFunc(identity.Env, func(e corev1.EnvVar) bool { return e.Name == m[1] })
				if i < 0 || i > slices.IndexFunc(identity.Env, func(e corev1.EnvVar) bool { return e.Name == "SERVICE_CLIENTS" }) {
					t.Errorf("SERVICE_CLIENTS refers to %s, which is not defined before it", m[1])
					continue
				}
				checkRef(t, "identity "+m[1], identity.Env[i].ValueFrom.SecretKeyRef, secretFor(tt.secretOf, client))
			}
			if got := slices.Sorted(maps.Keys(listed)); !slices.Equal(got, clients) {
				t.Errorf("SERVICE_CLIENTS lists %q, want %q", got, clients)
			}

			for _, client := range clients {
				c := container(t, &objs.deployment(t, "jangteo-"+client).Spec.Template.Spec)
				checkRef(t, client+" SERVICE_CLIENT_SECRET", envRef(c.Env, "SERVICE_CLIENT_SECRET"), secretFor(tt.secretOf, client))
			}
		})
	}
}

// TestNetworkPolicies checks who may reach what: the services' gRPC ports
// admit the gateway and the services of the release, nobody else; the
// gateway's HTTP port and the metrics ports admit what the values say.
func TestNetworkPolicies(t *testing.T) {
	t.Parallel()
	objs := decode(t, render(t, "jangteo", ""), "jangteo")
	stranger := labels.Set{"app": "something-else"}
	otherRelease := labels.Set{"app.kubernetes.io/instance": "other", "app.kubernetes.io/component": "server"}
	for svc, port := range grpcPorts {
		name := "jangteo-" + svc
		np, ok := objs.netpols[name]
		if !ok {
			t.Errorf("no NetworkPolicy %s", name)
			continue
		}
		pods := objs.deployment(t, name).Spec.Template.Labels
		if !selects(t, np.Spec.PodSelector, pods) {
			t.Errorf("NetworkPolicy %s does not select the pods of %s", name, name)
		}
		for peer, want := range map[string]bool{"gateway": true, "cart": true, "order": true} {
			if got := admits(t, np, objs.deployment(t, "jangteo-"+peer).Spec.Template.Labels, "grpc"); got != want {
				t.Errorf("%s gRPC port admits %s = %v, want %v", svc, peer, got, want)
			}
		}
		for what, l := range map[string]labels.Set{"a stranger": stranger, "another release": otherRelease,
			"a migrations Job": objs.job(t, "jangteo-catalog-migrate").Spec.Template.Labels} {
			if admits(t, np, l, "grpc") {
				t.Errorf("%s gRPC port (%d) admits %s", svc, port, what)
			}
		}
		if !admits(t, np, stranger, "metrics") {
			t.Errorf("%s metrics port is closed to Prometheus by default", svc)
		}
	}
	gw := objs.netpols["jangteo-gateway"]
	if gw == nil || !admits(t, gw, stranger, "http") {
		t.Errorf("gateway HTTP port is not open by default: %+v", gw)
	}

	off := decode(t, render(t, "jangteo", "networkPolicy: {enabled: false}"), "jangteo")
	if len(off.netpols) != 0 {
		t.Errorf("%d NetworkPolicies with networkPolicy.enabled=false", len(off.netpols))
	}
	narrowed := decode(t, render(t, "jangteo", "networkPolicy: {metricsFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]}"), "jangteo")
	if admits(t, narrowed.netpols["jangteo-cart"], stranger, "metrics") {
		t.Error("metrics port admits anyone although metricsFrom is set")
	}
}

// admits reports whether np lets a pod of the same namespace labelled from
// reach the named port.
func admits(t *testing.T, np *networkingv1.NetworkPolicy, from labels.Set, port string) bool {
	t.Helper()
	for _, rule := range np.Spec.Ingress {
		if !slices.ContainsFunc(rule.Ports, func(p networkingv1.NetworkPolicyPort) bool { return p.Port != nil && p.Port.String() == port }) {
			continue
		}
		if len(rule.From) == 0 {
			return true
		}
		for _, peer := range rule.From {
			if peer.PodSelector != nil && peer.NamespaceSelector == nil && peer.IPBlock == nil && selects(t, *peer.PodSelector, from) {
				return true
			}
		}
	}
	return false
}

func selects(t *testing.T, sel metav1.LabelSelector, l labels.Set) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(&sel)
	if err != nil {
		t.Fatal(err)
	}
	return s.Matches(l)
}

func ref(name, key string) corev1.SecretKeySelector {
	return corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

func secretFor(custom map[string]corev1.SecretKeySelector, client string) corev1.SecretKeySelector {
	if r, ok := custom[client]; ok {
		return r
	}
	return ref("jangteo-"+client+"-client", "client-secret")
}

func checkRef(t *testing.T, what string, got *corev1.SecretKeySelector, want corev1.SecretKeySelector) {
	t.Helper()
	if got == nil || got.Name != want.Name || got.Key != want.Key || (got.Optional != nil && *got.Optional) {
		t.Errorf("%s from %+v, want required Secret %s key %s", what, got, want.Name, want.Key)
	}
}

func envRef(env []corev1.EnvVar, name string) *corev1.SecretKeySelector {
	for _, e := range env {
		if e.Name == name && e.ValueFrom != nil {
			return e.ValueFrom.SecretKeyRef
		}
	}
	return nil
}

func envValue(t *testing.T, env []corev1.EnvVar, name string) string {
	t.Helper()
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	t.Fatalf("no %s in %+v", name, env)
	return ""
}
