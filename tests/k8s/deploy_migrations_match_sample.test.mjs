// deploy/ and the chart ship the repository's sample migrations: deploy/migrations/ is a copy
// (kustomize reads no file outside deploy/, not even through a symlink) that must equal
// migrations/, every file of which the configMapGenerator lists; the chart's files/migrations
// is a symlink to migrations/ (Helm follows it). The Job and the app's init container mount the
// generated ConfigMap at /migrations and read it there.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { chartDir, deployDir, deployObjects, podSpecs, readYamlDocs, root } from "./lib.mjs";

const sqlFiles = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
const sample = path.join(root, "migrations");
const copy = path.join(deployDir, "migrations");
const fix = "run: cp migrations/*.sql deploy/migrations/ and list each file in deploy/kustomization.yaml's configMapGenerator";

test("deploy/migrations holds the same files as migrations/", () => {
  assert.deepEqual(sqlFiles(copy), sqlFiles(sample), fix);
  for (const f of sqlFiles(sample)) {
    assert.equal(fs.readFileSync(path.join(copy, f), "utf8"), fs.readFileSync(path.join(sample, f), "utf8"), `deploy/migrations/${f} differs: ${fix}`);
  }
});

test("the configMapGenerator lists every file of deploy/migrations and no other", () => {
  const k = readYamlDocs(path.join(deployDir, "kustomization.yaml"))[0];
  const gen = k.configMapGenerator.find((g) => g.name === "schemagate-migrations");
  assert.deepEqual([...gen.files].sort(), sqlFiles(copy).map((f) => `migrations/${f}`), fix);
});

test("the Job and the app's init container read the migrations ConfigMap at /migrations", () => {
  const { objects } = deployObjects();
  const configMaps = objects.filter((i) => i.object.kind === "ConfigMap").map((i) => i.object.metadata.name);
  for (const kind of ["Job", "Deployment"]) {
    const spec = podSpecs(objects.find((i) => i.object.kind === kind).object)[0];
    const schemagate = [...(spec.initContainers ?? []), ...spec.containers].filter((c) => /^schemagate(:|$)/.test(c.image));
    assert.equal(schemagate.length, 1, `${kind}: one schemagate container`);
    const [c] = schemagate;
    assert.ok(c.args.includes("--dir=/migrations"), `${kind}: --dir=/migrations`);
    const mount = c.volumeMounts.find((m) => m.mountPath === "/migrations");
    const volume = spec.volumes.find((v) => v.name === mount?.name);
    assert.ok(volume?.configMap, `${kind}: /migrations is not a ConfigMap volume`);
    if (configMaps.length) assert.ok(configMaps.includes(volume.configMap.name), `${kind}: mounts ${volume.configMap.name}, not the generated ${configMaps}`);
  }
});

test("the chart's files/migrations is the sample project", () => {
  assert.equal(fs.realpathSync(path.join(chartDir, "files", "migrations")), fs.realpathSync(sample));
});
