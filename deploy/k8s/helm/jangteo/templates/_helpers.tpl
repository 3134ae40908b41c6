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
{{- $env := dict "LOG_LEVEL" (toString $c.logLevel) -}}
{{- if eq $c.kind "service" -}}
{{- $gateway := include "jangteo.componentName" (dict "root" $root "name" "gateway") -}}
{{- $jwks := printf "http://%s:%v/.well-known/jwks.json" $gateway $root.Values.gateway.httpPort -}}
{{- $_ := set $env "GRPC_ADDR" (printf ":%v" $c.port) -}}
{{- $_ = set $env "METRICS_ADDR" (printf ":%v" $root.Values.metrics.port) -}}
{{- $_ = set $env "NATS_URL" $root.Values.nats.url -}}
{{- $_ = set $env "EVENTS_STREAM_REPLICAS" (toString $root.Values.nats.streamReplicas) -}}
{{- $_ = set $env "JWKS_URL" (default $jwks $root.Values.jwksURL) -}}
{{- else -}}
{{- $_ := set $env "HTTP_ADDR" (printf ":%v" $c.port) -}}
{{- range $name, $svc := $root.Values.services -}}
{{- $host := include "jangteo.componentName" (dict "root" $root "name" $name) -}}
{{- $_ = set $env (printf "%s_ENDPOINT" (upper $name)) (printf "%s:%v" $host $svc.grpcPort) -}}
{{- end -}}
{{- end -}}
{{- range $k, $v := $c.env -}}
{{- $_ := set $env $k (toString $v) -}}
{{- end -}}
{{- toYaml $env -}}
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
