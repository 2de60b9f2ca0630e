{{/* Names, labels, images, shared env blocks and the guards against contradictory values. */}}

{{- define "arkenos.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every object name: <release>-arkenos, or the release name if it says arkenos. */}}
{{- define "arkenos.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "arkenos.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "arkenos.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of one component's objects: <fullname>-<component>. */}}
{{- define "arkenos.componentName" -}}
{{- printf "%s-%s" (include "arkenos.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one component (stable across upgrades: never add to them). */}}
{{- define "arkenos.selectorLabels" -}}
app.kubernetes.io/name: {{ include "arkenos.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every label of one component's objects. */}}
{{- define "arkenos.labels" -}}
{{ include "arkenos.selectorLabels" . }}
app.kubernetes.io/part-of: arkenos
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* An Arkenos image: registry/repository, then @digest or :tag. */}}
{{- define "arkenos.image" -}}
{{- $ref := printf "%s/%s" .root.Values.image.registry .image.repository -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $ref .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* The restricted security context every platform container runs with. */}}
{{- define "arkenos.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The pod security context of the platform's own images (UID/GID 10001, see images/). */}}
{{- define "arkenos.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "arkenos.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The Secret holding the database URL, and its key. */}}
{{- define "arkenos.databaseSecretName" -}}
{{- if .Values.postgresql.bundled.enabled -}}
{{- include "arkenos.componentName" (dict "root" . "component" "postgresql") -}}
{{- else -}}
{{- .Values.postgresql.external.existingSecret -}}
{{- end -}}
{{- end -}}
{{- define "arkenos.databaseSecretKey" -}}
{{- if .Values.postgresql.bundled.enabled -}}url{{- else -}}{{ .Values.postgresql.external.secretKey }}{{- end -}}
{{- end -}}

{{/* The Secret with LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET. */}}
{{- define "arkenos.livekitSecretName" -}}
{{- if .Values.livekit.bundled.enabled -}}
{{- include "arkenos.componentName" (dict "root" . "component" "livekit") -}}
{{- else -}}
{{- .Values.livekit.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* The Secret with the ARKENOS_S3_* variables. */}}
{{- define "arkenos.s3SecretName" -}}
{{- if .Values.objectStorage.bundled.enabled -}}
{{- include "arkenos.componentName" (dict "root" . "component" "objectstorage") -}}
{{- else -}}
{{- .Values.objectStorage.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* The Secret with the master keys, and its key. */}}
{{- define "arkenos.masterKeysSecretName" -}}
{{- .Values.api.masterKeys.existingSecret | default (include "arkenos.componentName" (dict "root" . "component" "master-keys")) -}}
{{- end -}}
{{- define "arkenos.masterKeysSecretKey" -}}
{{- if .Values.api.masterKeys.existingSecret -}}{{ .Values.api.masterKeys.secretKey }}{{- else -}}master-keys{{- end -}}
{{- end -}}

{{/* The API's in-cluster URL, given to the workers and the dashboard. */}}
{{- define "arkenos.apiUrl" -}}
{{- printf "http://%s.%s.svc:8000" (include "arkenos.componentName" (dict "root" . "component" "api")) .Release.Namespace -}}
{{- end -}}

{{/* The dashboard's public URL. */}}
{{- define "arkenos.publicUrl" -}}
{{- if .Values.publicUrl -}}
{{- .Values.publicUrl -}}
{{- else if .Values.ingress.enabled -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host -}}
{{- else -}}
http://localhost:3000
{{- end -}}
{{- end -}}

{{/*
A generated secret value that is kept across upgrades: the value already in the cluster when
the Secret exists (read with lookup), otherwise .generated. Returns it base64-encoded, ready for
a Secret's data. `helm template` has no cluster, so it always generates there.
*/}}
{{- define "arkenos.keptSecretValue" -}}
{{- $existing := lookup "v1" "Secret" .namespace .name -}}
{{- if and $existing $existing.data (hasKey $existing.data .key) -}}
{{- index $existing.data .key -}}
{{- else -}}
{{- .generated | b64enc -}}
{{- end -}}
{{- end -}}

{{/* The environment migrations need: the database and the API's own settings. It names no
release-made Secret besides the database's, so a pre-install migration hook can start before
the bundled LiveKit and S3 Secrets exist. */}}
{{- define "arkenos.apiBaseEnv" -}}
- name: ARKENOS_ENVIRONMENT
  value: {{ .Values.api.environment | quote }}
- name: ARKENOS_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "arkenos.databaseSecretName" . }}
      key: {{ include "arkenos.databaseSecretKey" . }}
- name: ARKENOS_DATABASE_POOL_SIZE
  value: {{ .Values.api.databasePoolSize | quote }}
- name: ARKENOS_MASTER_KEYS_FILE
  value: /var/run/secrets/arkenos/master-keys/keys
- name: ARKENOS_PLATFORM_NAMESPACE
  value: {{ .Release.Namespace | quote }}
- name: ARKENOS_PUBLIC_URL
  value: {{ include "arkenos.publicUrl" . | quote }}
- name: ARKENOS_SESSION_TTL_SECONDS
  value: {{ .Values.api.sessionTtlSeconds | quote }}
- name: HOME
  value: /tmp
{{- end -}}

{{/* The environment the API and the jobs runner share (their settings are one class). */}}
{{- define "arkenos.apiEnv" -}}
{{ include "arkenos.apiBaseEnv" . }}
{{- /* LiveKit: browser calls, outbound calls and the worker gateway's upstream. */}}
- name: ARKENOS_LIVEKIT_URL
  valueFrom:
    secretKeyRef: {name: {{ include "arkenos.livekitSecretName" . }}, key: LIVEKIT_URL}
- name: ARKENOS_LIVEKIT_API_KEY
  valueFrom:
    secretKeyRef: {name: {{ include "arkenos.livekitSecretName" . }}, key: LIVEKIT_API_KEY}
- name: ARKENOS_LIVEKIT_API_SECRET
  valueFrom:
    secretKeyRef: {name: {{ include "arkenos.livekitSecretName" . }}, key: LIVEKIT_API_SECRET}
{{- with .Values.livekit.publicUrl }}
- name: ARKENOS_LIVEKIT_PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
{{- /* Object storage: custom agents' code blobs and bundles (the Secret's keys are ARKENOS_S3_*). */}}
{{- range $key := list "ARKENOS_S3_ENDPOINT" "ARKENOS_S3_BUCKET" "ARKENOS_S3_ACCESS_KEY" "ARKENOS_S3_SECRET_KEY" "ARKENOS_S3_SECURE" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef: {name: {{ include "arkenos.s3SecretName" $ }}, key: {{ $key }}}
{{- end }}
{{- end -}}

{{/* The master keys volume the API and the jobs runner mount. */}}
{{- define "arkenos.masterKeysVolume" -}}
- name: master-keys
  secret:
    secretName: {{ include "arkenos.masterKeysSecretName" . }}
    defaultMode: 0440
    items:
      - key: {{ include "arkenos.masterKeysSecretKey" . }}
        path: keys
{{- end -}}

{{/*
Guards against contradictory or incomplete values. Included by every template that depends on
them (NOTES.txt too), so a bad combination stops the install before anything is applied.
*/}}
{{- define "arkenos.validate" -}}
{{- $v := .Values -}}
{{- if and $v.postgresql.bundled.enabled $v.postgresql.external.existingSecret -}}
{{- fail "postgresql: both the bundled database (postgresql.bundled.enabled) and an external one (postgresql.external.existingSecret) are set; choose one: set postgresql.external.existingSecret=\"\" to use the bundled one" -}}
{{- end -}}
{{- if not (or $v.postgresql.bundled.enabled $v.postgresql.external.existingSecret) -}}
{{- fail "postgresql: no database; set postgresql.external.existingSecret to a Secret holding the URL, or postgresql.bundled.enabled=true" -}}
{{- end -}}
{{- if and $v.objectStorage.bundled.enabled $v.objectStorage.external.existingSecret -}}
{{- fail "objectStorage: both the bundled S3 server and objectStorage.external.existingSecret are set; choose one: set objectStorage.external.existingSecret=\"\" to use the bundled one" -}}
{{- end -}}
{{- if not (or $v.objectStorage.bundled.enabled $v.objectStorage.external.existingSecret) -}}
{{- fail "objectStorage: no object storage; set objectStorage.external.existingSecret or objectStorage.bundled.enabled=true" -}}
{{- end -}}
{{- if and $v.livekit.bundled.enabled $v.livekit.external.existingSecret -}}
{{- fail "livekit: both the bundled livekit-server and livekit.external.existingSecret are set; choose one: set livekit.external.existingSecret=\"\" to use the bundled one" -}}
{{- end -}}
{{- if not (or $v.livekit.bundled.enabled $v.livekit.external.existingSecret) -}}
{{- fail "livekit: no LiveKit; set livekit.external.existingSecret or livekit.bundled.enabled=true" -}}
{{- end -}}
{{- if and $v.livekit.bundled.sip.enabled (not $v.livekit.bundled.enabled) -}}
{{- fail "livekit.bundled.sip.enabled needs livekit.bundled.enabled: the bundled SIP server talks to the bundled livekit-server" -}}
{{- end -}}
{{- if and $v.ingress.enabled (not $v.ingress.host) -}}
{{- fail "ingress.enabled needs ingress.host (the dashboard's host name)" -}}
{{- end -}}
{{- if and $v.ingress.tls.enabled (not $v.ingress.enabled) -}}
{{- fail "ingress.tls.enabled needs ingress.enabled" -}}
{{- end -}}
{{- if and $v.ingress.tls.enabled (not $v.ingress.tls.secretName) -}}
{{- fail "ingress.tls.enabled needs ingress.tls.secretName (a kubernetes.io/tls Secret, e.g. written by cert-manager)" -}}
{{- end -}}
{{- if gt (int $v.workerPool.replicas.min) (int $v.workerPool.replicas.max) -}}
{{- fail (printf "workerPool.replicas.min (%d) must not exceed workerPool.replicas.max (%d)" (int $v.workerPool.replicas.min) (int $v.workerPool.replicas.max)) -}}
{{- end -}}
{{- if and $v.monitoring.prometheusRule.enabled (not $v.monitoring.serviceMonitor.enabled) -}}
{{- fail "monitoring.prometheusRule.enabled needs monitoring.serviceMonitor.enabled: the rules read the metrics the ServiceMonitors scrape" -}}
{{- end -}}
{{- end -}}

{{/*
The rules of one object kind (ClusterRole or Role) in files/operator-rbac.yaml, the copy of
operator/deploy/rbac.yaml (the one source of the operator's RBAC; `make chart-sync` copies it
and tests/chart/test_sync.py fails when the copy is stale).
*/}}
{{- define "arkenos.operatorRules" -}}
{{- $rules := list -}}
{{- range $doc := splitList "\n---\n" (.root.Files.Get "files/operator-rbac.yaml") -}}
{{- $object := fromYaml $doc -}}
{{- if eq (get $object "kind") $.kind -}}
{{- $rules = $object.rules -}}
{{- end -}}
{{- end -}}
{{- if not $rules -}}
{{- fail (printf "files/operator-rbac.yaml has no %s: run make chart-sync" .kind) -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}

{{/* A NetworkPolicy peer list: the namespaces in .selector, or every namespace when empty. */}}
{{- define "arkenos.namespacePeers" -}}
- namespaceSelector:
    {{- if .selector }}
    {{- toYaml .selector | nindent 4 }}
    {{- else }} {}
    {{- end }}
{{- end -}}

{{/* The head of a NetworkPolicy of one component, selecting that component's pods. */}}
{{- define "arkenos.networkPolicyHead" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "arkenos.componentName" (dict "root" .root "component" .component) }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "arkenos.labels" (dict "root" .root "component" .component) | nindent 4 }}
{{- end -}}

{{/* A kept generated secret, as plain text (see arkenos.keptSecretValue). */}}
{{- define "arkenos.keptSecretText" -}}
{{- include "arkenos.keptSecretValue" . | b64dec -}}
{{- end -}}

{{/* The Valkey URL livekit-server and livekit-sip share when SIP is bundled. */}}
{{- define "arkenos.valkeyAddress" -}}
{{- printf "%s.%s.svc:6379" (include "arkenos.componentName" (dict "root" . "component" "valkey")) .Release.Namespace -}}
{{- end -}}

{{/* livekit-sip's configuration file. */}}
{{- define "arkenos.sipConfig" -}}
{{- $sip := .root.Values.livekit.bundled.sip -}}
api_key: {{ .key }}
api_secret: {{ .secret }}
ws_url: {{ .url }}
redis:
  address: {{ include "arkenos.valkeyAddress" .root }}
sip_port: {{ $sip.sipPort }}
rtp_port: {{ $sip.rtpPortRange | quote }}
use_external_ip: false
logging:
  level: info
{{- end -}}
