// Every object `kubectl apply -k deploy/` creates, and every object of the chart (with serve on),
// is accepted by the API server: validation and admission run (a server-side dry run, so nothing
// starts), and the server stores every field we set. Kubernetes 1.20 drops fields it does not
// know instead of refusing them; the only ones it may drop are those listed in k_newer_fields,
// which need a newer API server (the README says which).
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderChart } from "../k8s/lib.mjs";
import { adminClient, chartValuesServe, deployManifests, createNamespace, droppedFields, objectPath, resourceFor } from "./lib.mjs";

const client = adminClient();

// field path -> why 1.20 drops it
const k_newer_fields = {
  "spec.podFailurePolicy": "Job podFailurePolicy is Kubernetes 1.25+ (beta 1.26)",
};

/** Creates each object with ?dryRun=All; returns the fields the server did not keep. */
async function dryRunAll(ns, objects) {
  const dropped = [];
  for (const o of objects) {
    const r = await resourceFor(client, o.apiVersion, o.kind);
    const obj = structuredClone(o);
    if (r.namespaced) obj.metadata.namespace = ns;
    const collection = await objectPath(client, { apiVersion: o.apiVersion, kind: o.kind, namespace: ns });
    let stored;
    try {
      stored = await client.post(`${collection}?dryRun=All`, obj);
    } catch (e) {
      assert.fail(`${o.kind}/${o.metadata.name} refused: ${e.message}`);
    }
    for (const f of droppedFields(obj, stored)) dropped.push(`${o.kind}/${o.metadata.name}: ${f}`);
  }
  return dropped;
}

function unexpected(dropped) {
  return dropped.filter((d) => !Object.keys(k_newer_fields).some((f) => d.endsWith(`: ${f}`)));
}

test("deploy/'s objects are accepted and kept whole by the API server", async () => {
  const ns = await createNamespace(client, "deploy-accepted");
  const objects = deployManifests();
  assert.deepEqual(objects.map((o) => o.kind).sort(), ["ConfigMap", "Deployment", "Job", "ServiceAccount"]);
  const dropped = await dryRunAll(ns, objects);
  assert.deepEqual(unexpected(dropped), [], "the API server dropped fields of deploy/");
  assert.deepEqual(dropped, ["Job/schemagate-migrate: spec.podFailurePolicy"], "1.20 drops exactly the Job's podFailurePolicy");
});

test("the chart's objects, hooks included, are accepted and kept whole by the API server", async () => {
  const ns = await createNamespace(client, "chart-accepted");
  const objects = renderChart([chartValuesServe]).map((i) => i.object);
  assert.deepEqual(objects.map((o) => o.kind).sort(), ["ConfigMap", "ConfigMap", "Deployment", "Job", "Service", "ServiceAccount"]);
  const dropped = await dryRunAll(ns, objects);
  assert.deepEqual(unexpected(dropped), [], "the API server dropped fields of the chart");
  assert.equal(dropped.length, 1, dropped.join("\n"));
});

test("an object with a field the API does not have is caught by the dropped-field check", async () => {
  const ns = await createNamespace(client, "dropped-check");
  const sa = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "x" }, automountServiceAccountTokn: false };
  assert.deepEqual(await dryRunAll(ns, [sa]), ["ServiceAccount/x: automountServiceAccountTokn"]);
});
