package k8s

import "testing"

// TestMigrationsOnlyInTheJob: with the migrations Job (the default) every
// service starts with MIGRATE_ON_START=false, so it only checks its schema;
// without the Job each migrates as it starts. Each service's pool size
// comes from database.poolMaxConns, overridable per service.
func TestMigrationsOnlyInTheJob(t *testing.T) {
	t.Parallel()
	objs := decode(t, render(t, "jangteo", `
services:
  catalog:
    database: {poolMaxConns: 25}
`), "jangteo")
	for _, name := range []string{"identity", "catalog", "cart", "order", "payment", "community"} {
		pool := "10"
		if name == "catalog" {
			pool = "25"
		}
		checkConfig(t, objs, "jangteo-"+name, map[string]string{"MIGRATE_ON_START": "false", "DATABASE_POOL_MAX_CONNS": pool})
		if args := container(t, &objs.job(t, "jangteo-"+name+"-migrate").Spec.Template.Spec).Args; len(args) != 1 || args[0] != "migrate" {
			t.Errorf("%s migrations Job args %v, want [migrate]", name, args)
		}
	}
	if _, ok := objs.configMaps["jangteo-gateway"].Data["MIGRATE_ON_START"]; ok {
		t.Error("the gateway has no schema, yet gets MIGRATE_ON_START")
	}

	objs = decode(t, render(t, "jangteo", `
migrations: {enabled: false}
database: {poolMaxConns: 0}
`), "jangteo")
	if len(objs.jobs) != 0 {
		t.Errorf("%d Jobs with migrations disabled", len(objs.jobs))
	}
	checkConfig(t, objs, "jangteo-cart", map[string]string{"MIGRATE_ON_START": "true"})
	if v, ok := objs.configMaps["jangteo-cart"].Data["DATABASE_POOL_MAX_CONNS"]; ok {
		t.Errorf("poolMaxConns 0 still sets DATABASE_POOL_MAX_CONNS=%q", v)
	}
}
