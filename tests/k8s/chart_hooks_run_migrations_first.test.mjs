// The chart runs the migration Job as a pre-install,pre-upgrade hook (deleted before the next one
// is created and once it succeeded), and everything the Job uses is a hook of a lower weight, so
// it exists when the Job starts: hooks run before the release's own resources are created. The
// hook ConfigMap holds exactly the chart's files/migrations/*.sql.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { chartDir, exampleValues, renderChart, root, tempDir } from "./lib.mjs";

const hook = (o) => o.metadata?.annotations?.["helm.sh/hook"];
const weight = (o) => Number(o.metadata?.annotations?.["helm.sh/hook-weight"] ?? 0);
const events = (o) => (hook(o) ?? "").split(",").map((s) => s.trim()).sort();

for (const values of [[], ...exampleValues().map((f) => [f])]) {
  const name = values.length ? path.relative(root, values[0]) : "default values";
  test(`the Job is a pre-install,pre-upgrade hook and what it uses is an earlier hook (${name})`, () => {
    const objects = renderChart(values).map((i) => i.object);
    const job = objects.find((o) => o.kind === "Job");
    assert.deepEqual(events(job), ["pre-install", "pre-upgrade"]);
    assert.ok(Number.isInteger(weight(job)), "hook-weight is not an integer");
    assert.equal(job.metadata.annotations["helm.sh/hook-delete-policy"], "before-hook-creation,hook-succeeded");

    const pod = job.spec.template.spec;
    const uses = [
      ...pod.volumes.filter((v) => v.configMap).map((v) => ["ConfigMap", v.configMap.name]),
      ...pod.volumes.filter((v) => v.secret).map((v) => ["Secret", v.secret.secretName]),
    ];
    const sa = objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === pod.serviceAccountName);
    if (sa) uses.push(["ServiceAccount", sa.metadata.name]);
    assert.ok(uses.some(([k]) => k === "ConfigMap"), "the Job mounts no ConfigMap");
    for (const [kind, n] of uses) {
      const o = objects.find((x) => x.kind === kind && x.metadata.name === n);
      assert.ok(o, `the Job uses ${kind} ${n}, which the chart does not create`);
      assert.deepEqual(events(o), ["pre-install", "pre-upgrade"], `${kind} ${n} is not a pre-install,pre-upgrade hook`);
      assert.ok(weight(o) < weight(job), `${kind} ${n} has weight ${weight(o)}, not below the Job's ${weight(job)}`);
    }
  });
}

test("the hook ConfigMap holds exactly files/migrations/*.sql", () => {
  const objects = renderChart().map((i) => i.object);
  const job = objects.find((o) => o.kind === "Job");
  const name = job.spec.template.spec.volumes.find((v) => v.configMap).configMap.name;
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === name);
  const dir = path.join(chartDir, "files", "migrations");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
  assert.deepEqual(Object.keys(cm.data).sort(), files);
  for (const f of files) assert.equal(cm.data[f], fs.readFileSync(path.join(dir, f), "utf8"), f);
});

test("a chart without migrations does not render, and says where they go", () => {
  const copy = path.join(tempDir("chart"), "schemagate");
  fs.cpSync(chartDir, copy, { recursive: true, dereference: false, filter: (src) => !src.endsWith(path.join("files", "migrations")) });
  assert.throws(
    () => execFileSync(process.env.HELMRENDER, [copy], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    (e) => /no migrations: put your \*\.sql files in the chart's files\/migrations/.test(e.stderr),
  );
});

test("the ServiceMonitor needs serve and renders only when enabled", () => {
  assert.equal(renderChart().filter((i) => i.object.kind === "ServiceMonitor").length, 0);
  const prod = exampleValues().find((f) => f.endsWith("values-production.yaml"));
  const sm = renderChart([prod]).find((i) => i.object.kind === "ServiceMonitor")?.object;
  assert.ok(sm, "no ServiceMonitor with serve.serviceMonitor.enabled");
  assert.equal(sm.apiVersion, "monitoring.coreos.com/v1");
  const svc = renderChart([prod]).find((i) => i.object.kind === "Service").object;
  for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(svc.metadata.labels[k], v, `the ServiceMonitor selects ${k}=${v}, the Service has not`);
  assert.equal(sm.spec.endpoints[0].port, svc.spec.ports[0].name);
});

test("NOTES.txt renders and names the database Secret", () => {
  const notes = renderChart([], { notes: true });
  assert.match(notes, /Secret schemagate-database \(key url\)/);
  assert.match(notes, /wait-for-schema/);
});
