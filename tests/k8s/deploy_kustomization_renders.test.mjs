// `kubectl kustomize deploy/` (what `kubectl apply -k deploy/` applies) renders: without a
// namespace in any object (the user picks one with -n), with the generated migrations ConfigMap
// named by a hash of its content and referenced under that name, the image set by `images:`,
// and no Secret (the database URL is the user's). Skipped where no kustomize or kubectl is
// installed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { deployDir, kustomizeBuild, kustomizeCommand, podSpecs } from "./lib.mjs";

const skip = kustomizeCommand() ? false : "neither kustomize nor kubectl is installed";

test("deploy/ renders namespace-agnostic, with a hashed migrations ConfigMap and no Secret", { skip }, () => {
  const objects = kustomizeBuild(deployDir).map((i) => i.object);
  assert.deepEqual(objects.map((o) => o.kind).sort(), ["ConfigMap", "Deployment", "Job", "ServiceAccount"]);
  assert.deepEqual(objects.filter((o) => o.metadata.namespace).map((o) => o.kind), []);
  const cm = objects.find((o) => o.kind === "ConfigMap");
  assert.match(cm.metadata.name, /^schemagate-migrations-[a-z0-9]{10}$/);
  for (const o of objects) {
    for (const spec of podSpecs(o)) {
      for (const v of spec.volumes.filter((x) => x.configMap)) assert.equal(v.configMap.name, cm.metadata.name, `${o.kind} mounts ${v.configMap.name}`);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        if (c.image.startsWith("schemagate")) assert.equal(c.image, "schemagate:0.1.0");
        for (const e of c.env ?? []) {
          if (e.valueFrom?.secretKeyRef) assert.deepEqual(e.valueFrom.secretKeyRef, { name: "schemagate-database", key: "url" });
        }
      }
    }
  }
});
