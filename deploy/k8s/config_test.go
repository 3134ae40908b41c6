package k8s

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/jangteo/jangteo/gateway"
	"github.com/jangteo/jangteo/services/cart"
	"github.com/jangteo/jangteo/services/catalog"
	"github.com/jangteo/jangteo/services/community"
	"github.com/jangteo/jangteo/services/identity"
	"github.com/jangteo/jangteo/services/order"
	"github.com/jangteo/jangteo/services/payment"
)

// defaultConfigs are every component's Config as its binary starts with
// before reading the environment.
var defaultConfigs = map[string]any{
	"identity":  identity.DefaultConfig(),
	"catalog":   catalog.DefaultConfig(),
	"cart":      cart.DefaultConfig(),
	"order":     order.DefaultConfig(),
	"payment":   payment.DefaultConfig(),
	"community": community.DefaultConfig(),
	"gateway":   gateway.DefaultConfig(),
}

// envDefaults lists the variables a Config type reads (following embedded and
// nested structs and their envPrefix) with their default values.
func envDefaults(v reflect.Value, prefix string, out map[string]string) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if name, ok := f.Tag.Lookup("env"); ok {
			out[prefix+strings.Split(name, ",")[0]] = fmt.Sprint(v.Field(i).Interface())
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			envDefaults(v.Field(i), prefix+f.Tag.Get("envPrefix"), out)
		}
	}
}

// TestEveryDialledAddressIsConfigured derives, from each component's Config
// type, the variables whose default points at this machine (127.0.0.1 or
// localhost: another service, NATS, PostgreSQL, the mail relay, the public
// URL) and checks that the chart sets every one of them, to something else,
// so no pod dials itself. A new *_ENDPOINT in a Config fails here until the
// chart provides it.
func TestEveryDialledAddressIsConfigured(t *testing.T) {
	t.Parallel()
	objs := decode(t, render(t, "jangteo", ""), "jangteo")
	for name, cfg := range defaultConfigs {
		defaults := map[string]string{}
		envDefaults(reflect.ValueOf(cfg), "", defaults)
		var local []string
		for k, v := range defaults {
			if strings.Contains(v, "127.0.0.1") || strings.Contains(v, "localhost") {
				local = append(local, k)
			}
		}
		if len(local) == 0 {
			t.Fatalf("%s: found no local defaults in %v; is the walk broken?", name, slices.Sorted(maps.Keys(defaults)))
		}
		d := objs.deployment(t, "jangteo-"+name)
		c := container(t, &d.Spec.Template.Spec)
		for _, k := range slices.Sorted(slices.Values(local)) {
			v, ok := envOf(objs, c, k)
			switch {
			case !ok:
				t.Errorf("%s: the chart does not set %s (default %q)", name, k, defaults[k])
			case strings.Contains(v, "127.0.0.1") || strings.Contains(v, "localhost"):
				t.Errorf("%s: %s=%q points at the pod itself", name, k, v)
			}
		}
	}
}

// envOf returns what container c gets for variable name: a plain env value, a
// reference to a Secret (as "secret:<name>/<key>"), or a value of a ConfigMap
// it loads.
func envOf(objs *objects, c *corev1.Container, name string) (string, bool) {
	for _, e := range c.Env {
		if e.Name != name {
			continue
		}
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			return "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key, true
		}
		return e.Value, true
	}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			continue
		}
		if cm, ok := objs.configMaps[from.ConfigMapRef.Name]; ok {
			if v, ok := cm.Data[name]; ok {
				return v, true
			}
		}
	}
	return "", false
}
