// helmrender renders a Helm chart's templates the way `helm template` does, for tests on a machine
// without helm: the same engine (Go text/template with sprig v3, Debian's
// golang-github-masterminds-sprig-dev, which Helm 3 uses) and Helm's own additions (include, tpl,
// required, toYaml, fromYaml, toJson, fromJson, lookup, .Files.Glob/Get/AsConfig, .Capabilities).
// Values are the chart's values.yaml coalesced with each -f file, as Helm does, parsed into JSON
// types (numbers are float64). It does not validate values.schema.json, check kubeVersion, load
// subcharts or talk to a cluster.
//
// usage: helmrender CHART_DIR [-f VALUES.yaml]... [--release NAME] [--namespace NS] [--notes]
//
// Prints each rendered template that is not empty as a YAML document headed `# Source: PATH`
// (or, with --notes, the rendered NOTES.txt). Exits 1 on a template error.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

type files map[string][]byte

func (f files) Get(name string) string { return string(f[name]) }

func (f files) GetBytes(name string) []byte { return f[name] }

// Glob matches like Helm's (gobwas/glob with '/' as separator: `*` stays within a folder).
func (f files) Glob(pattern string) files {
	out := files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

func (f files) AsConfig() string {
	if len(f) == 0 {
		return ""
	}
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}

func (f files) AsSecrets() string {
	if len(f) == 0 {
		return ""
	}
	m := map[string][]byte{}
	for name, data := range f {
		m[path.Base(name)] = data
	}
	return toYAML(m)
}

func (f files) Lines(name string) []string {
	s := string(f[name])
	if s == "" {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

type apiVersions []string

func (a apiVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// coalesce merges src over dst as Helm merges user values over a chart's: maps merge key by key,
// anything else replaces, and null deletes the key.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, srcIsMap := v.(map[string]interface{})
		dm, dstIsMap := dst[k].(map[string]interface{})
		if srcIsMap && dstIsMap {
			dst[k] = coalesce(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

func readValues(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return m, nil
}

// loadFiles reads every regular file under dir, following symlinks as Helm's directory loader
// does, keyed by its slash-separated path relative to dir.
func loadFiles(dir, rel string, out files) error {
	entries, err := os.ReadDir(filepath.Join(dir, rel))
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := path.Join(rel, e.Name())
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if info.IsDir() {
			if err := loadFiles(dir, name, out); err != nil {
				return err
			}
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		out[name] = data
	}
	return nil
}

func run() error {
	var chartDir, release, namespace string
	var valueFiles []string
	notes := false
	release, namespace = "release", "default"
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case (a == "-f" || a == "--values" || a == "--release" || a == "--namespace") && i+1 < len(args):
			i++
			switch a {
			case "--release":
				release = args[i]
			case "--namespace":
				namespace = args[i]
			default:
				valueFiles = append(valueFiles, args[i])
			}
		case a == "--notes":
			notes = true
		case chartDir == "" && !strings.HasPrefix(a, "-"):
			chartDir = a
		default:
			return fmt.Errorf("usage: helmrender CHART_DIR [-f VALUES]... [--release NAME] [--namespace NS] [--notes]")
		}
	}
	if chartDir == "" {
		return errors.New("usage: helmrender CHART_DIR [-f VALUES]... [--release NAME] [--namespace NS] [--notes]")
	}

	all := files{}
	if err := loadFiles(chartDir, "", all); err != nil {
		return err
	}
	meta := map[string]interface{}{}
	if err := yaml.Unmarshal(all["Chart.yaml"], &meta); err != nil {
		return fmt.Errorf("Chart.yaml: %w", err)
	}
	chart := map[string]interface{}{}
	for k, v := range meta { // Helm exposes Chart.yaml's fields capitalized: .Chart.AppVersion
		chart[strings.ToUpper(k[:1])+k[1:]] = v
	}
	chartName, _ := chart["Name"].(string)

	values := map[string]interface{}{}
	if err := yaml.Unmarshal(all["values.yaml"], &values); err != nil {
		return fmt.Errorf("values.yaml: %w", err)
	}
	for _, f := range valueFiles {
		user, err := readValues(f)
		if err != nil {
			return err
		}
		values = coalesce(values, user)
	}

	// .Files holds what is neither a template nor the chart's own metadata, as in Helm.
	chartFiles := files{}
	templates := map[string]string{}
	for name, data := range all {
		switch {
		case strings.HasPrefix(name, "templates/"):
			templates[path.Join(chartName, name)] = string(data)
		case name == "Chart.yaml" || name == "values.yaml" || name == "values.schema.json" || name == "Chart.lock":
		default:
			chartFiles[name] = data
		}
	}

	top := map[string]interface{}{
		"Values":  values,
		"Chart":   chart,
		"Files":   chartFiles,
		"Release": map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v1.32.0", "Major": "1", "Minor": "32", "GitVersion": "v1.32.0"},
			"APIVersions": apiVersions{"v1", "apps/v1", "batch/v1"},
		},
	}

	t := template.New("gotpl").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	included := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if included[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		included[name]++
		defer func() { included[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		c, err := t.Clone()
		if err != nil {
			return "", err
		}
		c, err = c.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf strings.Builder
		err = c.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	t.Funcs(funcs)

	names := make([]string, 0, len(templates))
	for name := range templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := t.New(name).Parse(templates[name]); err != nil {
			return err
		}
	}

	var out bytes.Buffer
	for _, name := range names {
		base := path.Base(name)
		isNotes := base == "NOTES.txt"
		if strings.HasPrefix(base, "_") || isNotes != notes {
			continue
		}
		vals := map[string]interface{}{}
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": name, "BasePath": path.Join(chartName, "templates")}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, vals); err != nil {
			return err
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		if notes {
			out.WriteString(text)
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.TrimSpace(text))
	}
	_, err := os.Stdout.Write(out.Bytes())
	return err
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "helmrender:", err)
		os.Exit(1)
	}
}
