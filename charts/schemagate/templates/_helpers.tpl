{{/* The chart name, or nameOverride. */}}
{{- define "schemagate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every resource name: fullnameOverride, else RELEASE-CHART (just RELEASE when it already contains the chart name). */}}
{{- define "schemagate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "schemagate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "schemagate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "schemagate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "schemagate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "schemagate.image" -}}
{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) | quote }}
{{- end -}}

{{- define "schemagate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "schemagate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The migrations ConfigMap's data: every files/migrations/*.sql, keyed by file name. */}}
{{- define "schemagate.migrationsData" -}}
{{- $files := .Files.Glob "files/migrations/*.sql" -}}
{{- if not $files -}}
{{- fail "no migrations: put your *.sql files in the chart's files/migrations/ (see the README, \"Kubernetes\")" -}}
{{- end -}}
{{- $files.AsConfig -}}
{{- end -}}

{{/* Flags from .Values.settings, one YAML list item each, for every schemagate command. */}}
{{- define "schemagate.settingsArgs" -}}
{{- with .Values.settings -}}
{{- if .historyTable }}
- {{ printf "--history-table=%s" .historyTable | quote }}
{{- end }}
{{- if .lockTimeout }}
- {{ printf "--lock-timeout=%s" .lockTimeout | quote }}
{{- end }}
{{- if .ddlLockTimeout }}
- {{ printf "--ddl-lock-timeout=%s" .ddlLockTimeout | quote }}
{{- end }}
{{- if .statementTimeout }}
- {{ printf "--statement-timeout=%s" .statementTimeout | quote }}
{{- end }}
{{- if not (kindIs "invalid" .lockRetries) }}
- {{ printf "--lock-retries=%d" (int .lockRetries) | quote }}
{{- end }}
{{- if .logLevel }}
- {{ printf "--log-level=%s" .logLevel | quote }}
{{- end }}
{{- if .logFormat }}
- {{ printf "--log-format=%s" .logFormat | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The database URL from the user's Secret, as DATABASE_URL. */}}
{{- define "schemagate.databaseEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret: the name of the Secret holding the database URL" .Values.database.existingSecret | quote }}
      key: {{ .Values.database.urlKey | quote }}
{{- end -}}

{{/* Restricted Pod Security Standard: the pod's securityContext. */}}
{{- define "schemagate.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Restricted Pod Security Standard: every container's securityContext. */}}
{{- define "schemagate.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}
