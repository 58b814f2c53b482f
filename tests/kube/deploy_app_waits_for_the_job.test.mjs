// deploy/'s sample app, run by the real Deployment and ReplicaSet controllers with the harness
// kubelet: while the database is empty its pods stay in their `schemagate wait` init container
// and the app container does not start; once deploy/'s Job has migrated, the init containers
// exit 0, the app containers run and the Deployment becomes available.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { adminClient, deployManifests, apply, condition, createDatabase, databaseSecret, dropDatabase, inNamespace, pods, waitFor } from "./lib.mjs";

const client = adminClient();
const db = createDatabase("sg_kube_app");
after(() => dropDatabase(db.name));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const selector = "app.kubernetes.io/name=sample-app";

function initState(pod) {
  return pod.status?.initContainerStatuses?.find((s) => s.name === "wait-for-schema")?.state ?? {};
}

function appState(pod) {
  return pod.status?.containerStatuses?.find((s) => s.name === "app")?.state ?? {};
}

test("the app's pods wait in their init container until the Job has migrated", async () => {
  await inNamespace(client, "deploy-app", async (ns) => {
    const objects = deployManifests();
    await apply(client, ns, databaseSecret(db.url));
    for (const o of objects.filter((o) => o.kind !== "Job")) await apply(client, ns, o);
    const deployPath = `/apis/apps/v1/namespaces/${ns}/deployments/sample-app`;

    const waiting = await waitFor("2 app pods in their init container", async () => {
      const ps = await pods(client, ns, selector);
      return ps.length === 2 && ps.every((p) => initState(p).running) ? ps : null;
    }, { timeout: 60 });
    // Still held a while later: `wait` does not exit on an empty database.
    await sleep(4000);
    for (const p of await pods(client, ns, selector)) {
      assert.ok(initState(p).running, `${p.metadata.name}: init container no longer running: ${JSON.stringify(initState(p))}`);
      assert.ok(!appState(p).running && !appState(p).terminated, `${p.metadata.name}: the app started on an empty database`);
      assert.equal(p.status.phase, "Pending");
    }
    assert.notEqual(condition(await client.get(deployPath), "Available")?.status, "True");

    await apply(client, ns, objects.find((o) => o.kind === "Job"));
    const released = await waitFor("the app pods' containers to run", async () => {
      const ps = await pods(client, ns, selector);
      return ps.length === 2 && ps.every((p) => appState(p).running) ? ps : null;
    }, { timeout: 90 });
    for (const p of released) {
      assert.ok(waiting.some((w) => w.metadata.uid === p.metadata.uid), "the pods that ran are the pods that waited");
      assert.equal(initState(p).terminated?.exitCode, 0);
      assert.equal(p.status.phase, "Running");
    }
    await waitFor("the Deployment to be available", async () => {
      const d = await client.get(deployPath);
      return d.status?.availableReplicas === 2 && condition(d, "Available")?.status === "True";
    }, { timeout: 60 });

    // Stop the app's processes: the garbage collector deletes the ReplicaSet and its pods, and
    // the harness kubelet stops their containers.
    await client.delete(deployPath, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground" });
    await waitFor("the app pods to be gone", async () => (await pods(client, ns, selector)).length === 0, { timeout: 60 });
  });
});
