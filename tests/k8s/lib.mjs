// Shared helpers for the tests in tests/k8s: reading YAML, rendering deploy/ with kustomize and
// the chart with helmrender, and checking objects against the Kubernetes API schemas.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import YAML from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = process.env.SOURCE_DIR ?? path.resolve(here, "../..");
export const deployDir = path.join(root, "deploy");
export const chartDir = path.join(root, "charts", "schemagate");

/** The documents of a YAML stream, parsed strictly (duplicate keys, bad indentation and tabs are
 * errors); empty documents are dropped. Throws with the file name on a syntax error. */
export function parseYamlDocs(text, name) {
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  const out = [];
  for (const doc of docs) {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      throw new Error(`${name}: ${problems.map((e) => e.message).join("\n")}`);
    }
    const value = doc.toJS({ maxAliasCount: 0 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export function readYamlDocs(file) {
  return parseYamlDocs(fs.readFileSync(file, "utf8"), path.relative(root, file));
}

/** Every file under dir (following symlinks) whose path relative to root passes keep. */
export function listFiles(dir, keep = () => true) {
  const out = [];
  for (const entry of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (fs.statSync(full).isDirectory()) out.push(...listFiles(full, keep));
    else if (keep(path.relative(root, full))) out.push(full);
  }
  return out;
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const full = path.join(dir, cmd);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}

/** The command that renders a kustomization, or null: `kustomize build` or `kubectl kustomize`. */
export function kustomizeCommand() {
  const kustomize = which("kustomize");
  if (kustomize) return [kustomize, "build"];
  const kubectl = which("kubectl");
  if (kubectl) return [kubectl, "kustomize"];
  return null;
}

const tempDirs = [];
process.on("exit", () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A scratch directory, deleted when the process exits. */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `schemagate-k8s-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** A copy of deploy/ with the commented-out `components: [monitoring]` switched on, as the
 * kustomization's comment tells users to do. */
export function deployCopyWithMonitoring() {
  const dir = path.join(tempDir("deploy"), "deploy");
  fs.cpSync(deployDir, dir, { recursive: true });
  const file = path.join(dir, "kustomization.yaml");
  const text = fs.readFileSync(file, "utf8");
  const enabled = text.replace(/^# components:\n#   - monitoring$/m, "components:\n  - monitoring");
  if (enabled === text) throw new Error("deploy/kustomization.yaml: no commented-out `components: - monitoring` block");
  fs.writeFileSync(file, enabled);
  return dir;
}

/** Renders a kustomization directory: the objects with their source for messages. */
export function kustomizeBuild(dir) {
  const cmd = kustomizeCommand();
  if (!cmd) throw new Error("neither kustomize nor kubectl is on PATH");
  const out = execFileSync(cmd[0], [...cmd.slice(1), dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const label = dir.startsWith(root) ? path.relative(root, dir) : "deploy (with monitoring)";
  return parseYamlDocs(out, `kustomize build ${label}`).map((object) => ({ source: `kustomize build ${label}`, object }));
}

/** The objects `kubectl apply -k deploy/` creates (monitoring: with the PodMonitor component).
 * rendered is false when no kustomize is available here: then they are the raw resource files
 * the kustomization lists, without the generated ConfigMap, name hashes, labels and images. */
export function deployObjects({ monitoring = false } = {}) {
  if (kustomizeCommand()) {
    return { rendered: true, objects: kustomizeBuild(monitoring ? deployCopyWithMonitoring() : deployDir) };
  }
  const kustomization = readYamlDocs(path.join(deployDir, "kustomization.yaml"))[0];
  const files = [...kustomization.resources];
  if (monitoring) files.push(...readYamlDocs(path.join(deployDir, "monitoring", "kustomization.yaml"))[0].resources.map((f) => `monitoring/${f}`));
  const objects = files.flatMap((f) => readYamlDocs(path.join(deployDir, f)).map((object) => ({ source: `deploy/${f}`, object })));
  return { rendered: false, objects };
}

/** Renders the chart with helmrender (built by the k8s.setup_tools fixture). */
export function renderChart(valueFiles = [], { notes = false, chart = chartDir } = {}) {
  const bin = process.env.HELMRENDER;
  if (!bin) throw new Error("HELMRENDER is not set: run the tests through CTest");
  const args = [chart, ...valueFiles.flatMap((f) => ["-f", f]), "--release", "app", "--namespace", "apps"];
  if (notes) args.push("--notes");
  const out = execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (notes) return out;
  const label = `chart with ${valueFiles.length ? valueFiles.map((f) => path.relative(root, f)).join(", ") : "default values"}`;
  // Keep each object's template: `# Source: schemagate/templates/X.yaml` heads its document.
  return out
    .split(/^---\n/m)
    .filter((d) => d.trim())
    .flatMap((d) => {
      const template = /^# Source: (.*)$/m.exec(d)?.[1] ?? "?";
      return parseYamlDocs(d, `${label}, ${template}`).map((object) => ({ source: `${label}, ${template}`, template, object }));
    });
}

/** The chart's example values files. */
export function exampleValues() {
  return listFiles(path.join(chartDir, "examples"), (f) => /\.ya?ml$/.test(f));
}

/** The pod specs in an object (Pod, Job, CronJob, Deployment, StatefulSet, DaemonSet...). */
export function podSpecs(object) {
  if (object.kind === "Pod") return [object.spec];
  if (object.kind === "CronJob") return [object.spec?.jobTemplate?.spec?.template?.spec];
  const spec = object.spec?.template?.spec;
  return spec ? [spec] : [];
}

export function describe({ source, object }) {
  return `${source}: ${object.kind}/${object.metadata?.name}`;
}

// apiVersion -> module path of its kubernetes-models classes.
function modelModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

/** Checks objects against the Kubernetes API schemas, two ways, and returns the problems:
 *  - kubernetes-models' validators (generated from the API's OpenAPI schemas): types, formats,
 *    enums and required fields;
 *  - TypeScript's excess-property check over the same models' types, run by tsc: a field the API
 *    does not have (a typo, or a container field put in the pod's securityContext), which the
 *    API server drops or, with strict field validation, refuses. */
export async function apiSchemaProblems(items) {
  const problems = [];
  for (const item of items) {
    const { apiVersion, kind } = item.object;
    let mod;
    try {
      mod = await import(modelModule(apiVersion, kind));
    } catch {
      problems.push(`${describe(item)}: no schema for ${apiVersion} ${kind}`);
      continue;
    }
    try {
      new mod[kind](structuredClone(item.object)).validate();
    } catch (e) {
      const details = (e.errors ?? []).map((x) => `${x.instancePath || "/"} ${x.message}`).join("; ");
      problems.push(`${describe(item)}: ${details || e.message}`);
    }
  }
  problems.push(...typeCheck(items));
  return problems;
}

function typeCheck(items) {
  const dir = tempDir("tsc");
  fs.symlinkSync(path.join(here, "node_modules"), path.join(dir, "node_modules"));
  const lines = [];
  const ranges = [];
  items.forEach((item, i) => {
    const { apiVersion, kind } = item.object;
    lines.push(`import type { I${kind} as T${i} } from ${JSON.stringify(modelModule(apiVersion, kind))};`);
  });
  items.forEach((item, i) => {
    lines.push(`// ${describe(item)}`);
    const start = lines.length + 1;
    lines.push(...`export const o${i}: T${i} = ${JSON.stringify(item.object, null, 2)};`.split("\n"));
    ranges.push({ start, end: lines.length, item });
  });
  fs.writeFileSync(path.join(dir, "check.ts"), lines.join("\n") + "\n");
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: "node16", moduleResolution: "node16", skipLibCheck: true, target: "es2022", types: [] },
      files: ["check.ts"],
    }),
  );
  const tsc = path.join(here, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", ".", "--pretty", "false"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return [];
  } catch (e) {
    const out = `${e.stdout ?? ""}${e.stderr ?? ""}`;
    const problems = [];
    for (const line of out.split("\n")) {
      const m = /^check\.ts\((\d+),\d+\): (.*)$/.exec(line);
      if (!m) continue;
      const n = Number(m[1]);
      const range = ranges.find((r) => n >= r.start && n <= r.end);
      const where = range ? `${describe(range.item)}, line ${n - range.start + 1} of the object: ${lines[n - 1].trim()}` : `check.ts:${n}`;
      problems.push(`${where}: ${m[2]}`);
    }
    return problems.length ? problems : [`tsc failed: ${out.trim()}`];
  }
}

/** Helm's merge of user values over the chart's defaults: maps merge, anything else replaces,
 * and null deletes the key. Helm validates the result against values.schema.json. */
export function coalesce(dst, src) {
  const out = structuredClone(dst);
  for (const [k, v] of Object.entries(src ?? {})) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = coalesce(out[k], v);
    else out[k] = v;
  }
  return out;
}

const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** values.schema.json compiled by Ajv (draft-07, its default), strict about the schema itself. */
export function chartValuesValidator() {
  const schema = JSON.parse(fs.readFileSync(path.join(chartDir, "values.schema.json"), "utf8"));
  return new Ajv({ allErrors: true, strict: true, strictTypes: false }).compile(schema);
}
