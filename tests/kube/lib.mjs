// Shared helpers for the tests against the test control plane (the `kube` fixture,
// control_plane.sh): a client for it, a namespace per test, applying objects as `kubectl apply`
// creates them, waiting for conditions, a database in the throwaway PostgreSQL, and what to print
// when a test fails. The operator's tests reuse them.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deployObjects, parseYamlDocs } from "../k8s/lib.mjs";
import { Client, readEnvFile } from "./client.mjs";

export { ApiError, Client, readEnvFile } from "./client.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Chart values that turn on the chart's serve Deployment (tests/kube/fixtures). */
export const chartValuesServe = path.join(here, "fixtures", "chart-values-serve.yaml");

/** The fixture's variables (KUBE_SERVER, KUBE_CA, KUBE_TOKEN, KUBECONFIG, KUBE_POD_LOGS...). */
export function kubeEnv() {
  const file = process.env.SG_KUBE_ENV;
  if (!file || !fs.existsSync(file)) throw new Error("SG_KUBE_ENV names no env file: run the tests through CTest (the kube fixture)");
  return readEnvFile(file);
}

/** A client of the test control plane as its admin (group system:masters). */
export function adminClient() {
  const e = kubeEnv();
  return new Client({ server: e.KUBE_SERVER, ca: e.KUBE_CA, token: e.KUBE_TOKEN });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value, which is returned; throws after timeout seconds
 * with what (and the last value fn returned, via describe) in the message. */
export async function waitFor(what, fn, { timeout = 60, interval = 250, describe = null } = {}) {
  const deadline = Date.now() + timeout * 1000;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) {
      const detail = describe ? `: ${await describe()}` : "";
      throw new Error(`timed out after ${timeout}s waiting for ${what}${detail}`);
    }
    await sleep(interval);
  }
}

/** A new namespace named after the test, with a random suffix; returns its name. */
export async function createNamespace(client, prefix) {
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 40)}-${Math.random().toString(36).slice(2, 8)}`;
  await client.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  // The serviceaccount controller creates `default`; pods referring to a missing service
  // account are refused by admission, so wait as kubectl users implicitly do.
  await waitFor(`serviceaccount ${name}/default`, () => client.getOrNull(`/api/v1/namespaces/${name}/serviceaccounts/default`));
  return name;
}

const resources = new Map();

/** The REST path of a kind (from the API's discovery documents): {plural, namespaced}. */
export async function resourceFor(client, apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!resources.has(key)) {
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const list = await client.get(base);
    for (const r of list.resources) {
      if (!r.name.includes("/")) resources.set(`${apiVersion}/${r.kind}`, { base, plural: r.name, namespaced: r.namespaced });
    }
    if (!resources.has(key)) throw new Error(`the API server has no ${kind} in ${apiVersion}`);
  }
  return resources.get(key);
}

/** The URL path of an object, or of its collection when name is left out. */
export async function objectPath(client, { apiVersion, kind, namespace, name }) {
  const r = await resourceFor(client, apiVersion, kind);
  const ns = r.namespaced ? `/namespaces/${namespace}` : "";
  return `${r.base}${ns}/${r.plural}${name ? `/${name}` : ""}`;
}

/** Creates an object in namespace (or replaces it when it exists, as `kubectl apply` ends up
 * doing); returns what the server stored. Throws the server's refusal (ApiError, 422 for an
 * invalid object). */
export async function apply(client, namespace, object) {
  const r = await resourceFor(client, object.apiVersion, object.kind);
  const obj = structuredClone(object);
  if (r.namespaced) obj.metadata.namespace = namespace;
  const collection = await objectPath(client, { apiVersion: obj.apiVersion, kind: obj.kind, namespace });
  try {
    return await client.post(collection, obj);
  } catch (e) {
    if (e.code !== 409) throw e;
  }
  const current = await client.get(`${collection}/${obj.metadata.name}`);
  obj.metadata.resourceVersion = current.metadata.resourceVersion;
  return client.put(`${collection}/${obj.metadata.name}`, obj);
}

/** Applies every document of a YAML stream, in order; returns what the server stored. */
export async function applyYaml(client, namespace, text, name = "yaml") {
  const out = [];
  for (const object of parseYamlDocs(text, name)) out.push(await apply(client, namespace, object));
  return out;
}

/** The paths of every field set in sent that the server did not store (Kubernetes 1.20 drops
 * unknown fields silently; later servers refuse them with strict field validation). */
export function droppedFields(sent, stored, at = "") {
  const out = [];
  if (sent === null || typeof sent !== "object") return out;
  for (const [k, v] of Object.entries(sent)) {
    const p = Array.isArray(sent) ? `${at}[${k}]` : at ? `${at}.${k}` : k;
    if (stored === null || typeof stored !== "object" || !(k in stored)) {
      // An empty map or list may be left out by the server's encoding.
      const empty = v !== null && typeof v === "object" && Object.keys(v).length === 0;
      if (!empty) out.push(p);
      continue;
    }
    out.push(...droppedFields(v, stored[k], p));
  }
  return out;
}

/** The condition of type in object.status.conditions, or undefined. */
export function condition(object, type) {
  return object?.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the object has condition type with status "True"; returns the object. */
export async function waitForCondition(client, path, type, { timeout = 120 } = {}) {
  let last = null;
  return waitFor(
    `${path} condition ${type}`,
    async () => {
      last = await client.getOrNull(path);
      return condition(last, type)?.status === "True" ? last : null;
    },
    { timeout, describe: () => JSON.stringify(last?.status ?? null) },
  );
}

/** The pods of namespace matching a label selector ("k=v,k2=v2"). */
export async function pods(client, namespace, selector = "") {
  const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : "";
  return (await client.get(`/api/v1/namespaces/${namespace}/pods${q}`)).items;
}

/** The harness kubelet's log of one container (its output so far), or "". */
export function containerLog(namespace, pod, container) {
  const file = path.join(kubeEnv().KUBE_POD_LOGS, `${namespace}_${pod}_${container}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

/** Prints what a failed test needs: the namespace's pods and their states, events, every
 * container's output, and the ends of the harness kubelet's and controller manager's logs. */
export async function dumpNamespace(client, namespace) {
  const lines = [`----- namespace ${namespace}`];
  try {
    for (const p of await pods(client, namespace)) {
      lines.push(`pod ${p.metadata.name} phase=${p.status?.phase} labels=${JSON.stringify(p.metadata.labels)}`);
      for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
        lines.push(`  ${s.name}: ${JSON.stringify(s.state)} restarts=${s.restartCount}`);
      }
    }
    const events = (await client.get(`/api/v1/namespaces/${namespace}/events`)).items;
    for (const ev of events) lines.push(`event ${ev.involvedObject.kind}/${ev.involvedObject.name}: ${ev.reason}: ${ev.message}`);
  } catch (e) {
    lines.push(`(cannot list: ${e.message})`);
  }
  const e = kubeEnv();
  const lastLines = (file, n) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-n).join("\n") : "(none)");
  for (const f of fs.existsSync(e.KUBE_POD_LOGS) ? fs.readdirSync(e.KUBE_POD_LOGS).sort() : []) {
    if (f.startsWith(`${namespace}_`)) lines.push(`----- ${f}`, lastLines(path.join(e.KUBE_POD_LOGS, f), 40));
  }
  for (const f of ["kubelet.log", "kube-controller-manager.log"]) {
    lines.push(`----- ${f} (last 30 lines)`, lastLines(path.join(e.KUBE_DATA, f), 30));
  }
  process.stderr.write(`${lines.join("\n")}\n`);
}

/** Runs fn(namespace) in a fresh namespace; on failure prints the namespace's state first. */
export async function inNamespace(client, prefix, fn) {
  const ns = await createNamespace(client, prefix);
  try {
    return await fn(ns);
  } catch (e) {
    await dumpNamespace(client, ns);
    throw e;
  }
}

/** The throwaway PostgreSQL of the `pg` fixture. */
export function pgEnv() {
  return readEnvFile(process.env.SG_TEST_PGENV);
}

/** Runs SQL in database db (default postgres) with psql; returns its unaligned output. */
export function psql(sql, db = "postgres") {
  const pg = pgEnv();
  return execFileSync("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", pg.PGTMP_HOST, "-p", pg.PGTMP_PORT, "-U", pg.PGTMP_USER, "-d", db, "-c", sql], {
    env: { ...process.env, PGPASSWORD: pg.PGTMP_PASSWORD },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** A new empty database; returns {name, url} (the URL holds the password). */
export function createDatabase(prefix) {
  const pg = pgEnv();
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;
  psql(`CREATE DATABASE "${name}"`);
  return { name, url: `postgresql://${pg.PGTMP_USER}:${pg.PGTMP_PASSWORD}@${pg.PGTMP_HOST}:${pg.PGTMP_PORT}/${name}` };
}

export function dropDatabase(name) {
  psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** The Secret deploy/ and the chart read the database URL from. */
export function databaseSecret(url, name = "schemagate-database") {
  return { apiVersion: "v1", kind: "Secret", metadata: { name }, type: "Opaque", stringData: { url } };
}

/** The revisions applied in db's history table (public.schemagate_history), in order; none
 * when the table does not exist. */
export function appliedRevisions(db) {
  if (psql("SELECT to_regclass('public.schemagate_history') IS NULL", db) === "t") return [];
  const out = psql("SELECT revision FROM public.schemagate_history WHERE state = 'applied' ORDER BY revision", db);
  return out ? out.split("\n") : [];
}

/** The objects `kubectl apply -k deploy/` creates, rendered by kustomize (the ConfigMap comes
 * from its configMapGenerator, so the raw files will not do). */
export function deployManifests() {
  const { rendered, objects } = deployObjects();
  if (!rendered) throw new Error("rendering deploy/ needs kubectl or kustomize on PATH");
  return objects.map((i) => i.object);
}
