{{/*
Prefix of every object name: the release name unless fullnameOverride is set.
Kept to 40 characters so that "<prefix>-community-migrate" fits in 63.
*/}}
{{- define "jangteo.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/*
Name of one component's objects. Args: dict "root" $ "name" "catalog".
*/}}
{{- define "jangteo.componentName" -}}
{{- printf "%s-%s" (include "jangteo.fullname" .root) .name -}}
{{- end -}}

{{- define "jangteo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels. Args: dict "root" $ "name" "catalog" "component" "server".
The component label keeps migration Job pods out of the Service selectors.
*/}}
{{- define "jangteo.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
Common labels. Args: as jangteo.selectorLabels.
*/}}
{{- define "jangteo.labels" -}}
{{ include "jangteo.selectorLabels" . }}
app.kubernetes.io/part-of: jangteo
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "jangteo.chart" .root }}
{{- end -}}

{{/*
Every component with its effective settings: `defaults` merged with the
component's own values. Rendered as YAML; use it as
  (include "jangteo.components" . | fromYaml).components
Each entry has name, kind ("service" or "gateway") and port (gRPC port of a
service, HTTP port of the gateway); services also get their merged `database`.
*/}}
{{- define "jangteo.components" -}}
{{- $out := list -}}
{{- range $name, $svc := .Values.services -}}
{{- $c := mergeOverwrite (deepCopy $.Values.defaults) (deepCopy $svc) -}}
{{- $db := mergeOverwrite (deepCopy $.Values.database) (deepCopy (default (dict) $svc.database)) -}}
{{- $_ := set $c "name" $name -}}
{{- $_ = set $c "kind" "service" -}}
{{- $_ = set $c "port" $svc.grpcPort -}}
{{- $_ = set $c "database" $db -}}
{{- $out = append $out $c -}}
{{- end -}}
{{- $gw := mergeOverwrite (deepCopy .Values.defaults) (deepCopy .Values.gateway) -}}
{{- $_ := set $gw "name" "gateway" -}}
{{- $_ = set $gw "kind" "gateway" -}}
{{- $_ = set $gw "port" .Values.gateway.httpPort -}}
{{- toYaml (dict "components" (append $out $gw)) -}}
{{- end -}}

{{/*
Image of a component. Args: dict "root" $ "c" $component.
A component may set image.repository (the full repository) and image.tag.
*/}}
{{- define "jangteo.image" -}}
{{- $img := default (dict) .c.image -}}
{{- $repo := default (printf "%s/%s" .root.Values.image.repository .c.name) $img.repository -}}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) $img.tag -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{/*
Environment of a component, as the YAML map its ConfigMap holds (all values
strings). DATABASE_URL is not here: it comes from a Secret.
Args: dict "root" $ "c" $component.
*/}}
{{- define "jangteo.config" -}}
{{- $root := .root -}}
{{- $c := .c -}}
{{- $v := $root.Values -}}
{{- $env := dict "LOG_LEVEL" (toString $c.logLevel) -}}
{{- $publicURL := trimSuffix "/" (required "publicURL is required: the gateway's public address, e.g. https://api.example.com (mailed links start with it)" $v.publicURL) -}}
{{- /* Every component knows every service's address (its Service), so a
       service that starts calling another needs no chart change. */ -}}
{{- range $name, $svc := $v.services -}}
{{- $host := include "jangteo.componentName" (dict "root" $root "name" $name) -}}
{{- $_ := set $env (printf "%s_ENDPOINT" (upper $name)) (printf "%s:%v" $host $svc.grpcPort) -}}
{{- end -}}
{{- if eq $c.kind "service" -}}
{{- $_ := set $env "GRPC_ADDR" (printf ":%v" $c.port) -}}
{{- $_ = set $env "METRICS_ADDR" (printf ":%v" $v.metrics.port) -}}
{{- $_ = set $env "NATS_URL" $v.nats.url -}}
{{- $_ = set $env "EVENTS_STREAM_REPLICAS" (toString $v.nats.streamReplicas) -}}
{{- /* The migrations Job migrates; services only check their schema. */ -}}
{{- $_ = set $env "MIGRATE_ON_START" (toString (not $v.migrations.enabled)) -}}
{{- with $c.database.poolMaxConns }}{{ $_ = set $env "DATABASE_POOL_MAX_CONNS" (toString .) }}{{ end -}}
{{- /* Token keys come from identity directly (IDENTITY_ENDPOINT), never through the gateway. */ -}}
{{- with $v.jwksURL }}{{ $_ = set $env "JWKS_URL" . }}{{ end -}}
{{- if eq $c.name "identity" -}}
{{- $_ = set $env "SERVICE_TOKEN_TTL" (toString $v.serviceIdentity.tokenTTL) -}}
{{- end -}}
{{- /* Links in mail and payment pages start at the public address. */ -}}
{{- if has $c.name (list "identity" "order" "payment" "community") -}}
{{- $_ = set $env "PUBLIC_URL" $publicURL -}}
{{- end -}}
{{- /* identity and the community mail links, order mails confirmations: one SMTP relay. */ -}}
{{- if has $c.name (list "identity" "order" "community") -}}
{{- $_ = set $env "SMTP_HOST" (required "mail.host is required: the SMTP relay identity and order send mail through" $v.mail.host) -}}
{{- $_ = set $env "SMTP_PORT" (toString $v.mail.port) -}}
{{- $_ = set $env "SMTP_FROM" $v.mail.from -}}
{{- $_ = set $env "SMTP_STARTTLS" (toString $v.mail.startTLS) -}}
{{- with $v.mail.username }}{{ $_ = set $env "SMTP_USERNAME" . }}{{ end -}}
{{- end -}}
{{- /* Product pictures (catalog) and members' post pictures (community): one store. */ -}}
{{- if has $c.name (list "catalog" "community") -}}
{{- include "jangteo.imagesConfig" (dict "root" $root "c" $c "env" $env "publicURL" $publicURL) -}}
{{- end -}}
{{- else -}}
{{- $_ := set $env "HTTP_ADDR" (printf ":%v" $c.port) -}}
{{- $_ = set $env "METRICS_ADDR" (printf ":%v" $v.metrics.port) -}}
{{- $_ = set $env "ADMIN_PREFIX" $v.gateway.adminPrefix -}}
{{- $_ = set $env "TRUST_PROXY_HEADERS" (toString $v.gateway.trustProxyHeaders) -}}
{{- /* The response cache hears the catalog's events to stay fresh across replicas. */ -}}
{{- $_ = set $env "NATS_URL" $v.nats.url -}}
{{- end -}}
{{- range $k, $val := $c.env -}}
{{- $_ := set $env $k (toString $val) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/*
The picture store of the catalog and the community (one bucket; the community's
keys start with community/). Pictures must outlive pods and be visible to every
replica, so in a cluster they go to S3-compatible storage; the disk store is
refused with more than one replica. Sets keys of .env.
*/}}
{{- define "jangteo.imagesConfig" -}}
{{- $img := .root.Values.images -}}
{{- $env := .env -}}
{{- $_ := set $env "IMAGES_DRIVER" $img.driver -}}
{{- if eq $img.driver "s3" -}}
{{- $_ = set $env "S3_ENDPOINT" (required "images.s3.endpoint is required with images.driver=s3" $img.s3.endpoint) -}}
{{- $_ = set $env "S3_BUCKET" (required "images.s3.bucket is required with images.driver=s3" $img.s3.bucket) -}}
{{- $_ = set $env "S3_USE_SSL" (toString $img.s3.useSSL) -}}
{{- with $img.s3.region }}{{ $_ = set $env "S3_REGION" . }}{{ end -}}
{{- $_ = set $env "IMAGES_PUBLIC_BASE_URL" (required "images.publicBaseURL is required with images.driver=s3: where the bucket's pictures are served from" $img.publicBaseURL) -}}
{{- else -}}
{{- if or .c.autoscaling.enabled (gt (int .c.replicaCount) 1) -}}
{{- fail (printf "images.driver=disk keeps pictures in one pod: run one %s replica (services.%s.autoscaling.enabled=false, replicaCount=1) or use images.driver=s3" .c.name .c.name) -}}
{{- end -}}
{{- $_ = set $env "IMAGES_DIR" "/data/images" -}}
{{- $_ = set $env "IMAGES_PUBLIC_BASE_URL" (required "images.publicBaseURL is required: where the pictures are served from" $img.publicBaseURL) -}}
{{- end -}}
{{- end -}}

{{/*
Secret holding a service's DATABASE_URL. Args: dict "root" $ "c" $component.
*/}}
{{- define "jangteo.databaseSecretName" -}}
{{- default (printf "%s-database" (include "jangteo.fullname" .root)) .c.database.existingSecret -}}
{{- end -}}

{{/*
DATABASE_URL env entry of a service. The Deployment reads it from the Secret.
The migrations Job runs before the chart's own objects exist (pre-install
hook), so with the development `database.url` it gets the value inline.
Args: dict "root" $ "c" $component "inline" bool.
*/}}
{{- define "jangteo.databaseEnv" -}}
- name: DATABASE_URL
{{- if and .inline (not .c.database.existingSecret) .root.Values.database.url }}
  value: {{ .root.Values.database.url | quote }}
{{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ include "jangteo.databaseSecretName" . }}
      key: {{ .c.database.secretKey }}
      optional: true
{{- end }}
{{- end -}}

{{/*
Secret holding a component's client secret (service identity). Args: dict
"root" $ "c" $component. Identity has none: it mints its own tokens.
*/}}
{{- define "jangteo.clientSecretName" -}}
{{- $cs := default (dict) .c.clientSecret -}}
{{- default (printf "%s-%s-client" (include "jangteo.fullname" .root) .c.name) $cs.existingSecret -}}
{{- end -}}

{{- define "jangteo.clientSecretKey" -}}
{{- $cs := default (dict) .c.clientSecret -}}
{{- default "client-secret" $cs.key -}}
{{- end -}}

{{/*
Whether the chart generates a component's client secret.
*/}}
{{- define "jangteo.generatesClientSecret" -}}
{{- $cs := default (dict) .c.clientSecret -}}
{{- if and (ne .c.name "identity") .root.Values.serviceIdentity.generateSecrets (not $cs.existingSecret) -}}true{{- end -}}
{{- end -}}

{{/*
Service identity env entries. Every client (the gateway and every service but
identity) reads its SERVICE_CLIENT_SECRET from its Secret; identity reads every
client's secret and lists them in SERVICE_CLIENTS, by Kubernetes' $(VAR)
expansion, so an existingSecret works as well as a generated one.
Args: dict "root" $ "c" $component "all" $components.
*/}}
{{- define "jangteo.identityEnv" -}}
{{- if ne .c.name "identity" }}
- name: SERVICE_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "jangteo.clientSecretName" . }}
      key: {{ include "jangteo.clientSecretKey" . }}
{{- else }}
{{- $clients := list }}
{{- range $other := .all }}
{{- if ne $other.name "identity" }}
{{- $var := printf "CLIENT_SECRET_%s" (upper $other.name) }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ include "jangteo.clientSecretName" (dict "root" $.root "c" $other) }}
      key: {{ include "jangteo.clientSecretKey" (dict "root" $.root "c" $other) }}
{{- $clients = append $clients (printf "%s=$(%s)" $other.name $var) }}
{{- end }}
{{- end }}
- name: SERVICE_CLIENTS
  value: {{ join "," $clients | quote }}
{{- end }}
{{- end -}}

{{/*
Pod and container security contexts: the distroless nonroot user, nothing
writable but /tmp, no privilege escalation, no capabilities.
*/}}
{{- define "jangteo.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "jangteo.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
{{- end -}}
