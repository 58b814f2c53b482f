// The chart, rendered as tests/k8s renders it (helmrender, release "app", serve on), applied in
// Helm's order for `helm install`: the pre-install hooks by weight (the ServiceAccount and the
// migrations ConfigMap at -10, then the Job at 0, waited for as Helm waits for a Job hook), the
// hooks whose delete policy says hook-succeeded deleted once they all succeeded, then the
// release's resources. The hook Job migrates the database to head before the release's serve
// Deployment exists, and serve then reports the database ready.
//
// helm itself does not run here, and the chart's kubeVersion (>=1.26) would make it refuse this
// 1.20 server; the order and the delete policy are applied by this test.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { renderChart } from "../k8s/lib.mjs";
import { adminClient, chartValuesServe, appliedRevisions, apply, createDatabase, databaseSecret, dropDatabase, inNamespace, objectPath, pods, waitFor, waitForCondition } from "./lib.mjs";

const client = adminClient();
const db = createDatabase("sg_kube_chart");
after(() => dropDatabase(db.name));

// Helm's install order of kinds (the ones the chart has).
const k_install_order = ["Namespace", "ServiceAccount", "Secret", "ConfigMap", "Service", "Deployment", "Job"];

const hookOf = (o) => o.metadata.annotations?.["helm.sh/hook"]?.split(",") ?? [];
const weightOf = (o) => Number(o.metadata.annotations?.["helm.sh/hook-weight"] ?? 0);
const byHelmOrder = (a, b) => weightOf(a) - weightOf(b) || k_install_order.indexOf(a.kind) - k_install_order.indexOf(b.kind) || a.metadata.name.localeCompare(b.metadata.name);

test("the chart's pre-install hook Job migrates before the release's Deployment is created", async () => {
  await inNamespace(client, "chart", async (ns) => {
    const objects = renderChart([chartValuesServe]).map((i) => i.object);
    const hooks = objects.filter((o) => hookOf(o).includes("pre-install")).sort(byHelmOrder);
    const release = objects.filter((o) => hookOf(o).length === 0).sort(byHelmOrder);
    assert.deepEqual(hooks.map((o) => `${weightOf(o)} ${o.kind}`), ["-10 ServiceAccount", "-10 ConfigMap", "0 Job"]);
    assert.deepEqual(release.map((o) => o.kind), ["ConfigMap", "Service", "Deployment"]);

    await apply(client, ns, databaseSecret(db.url));
    let job;
    for (const o of hooks) {
      await apply(client, ns, o);
      if (o.kind === "Job") {
        job = await waitForCondition(client, await objectPath(client, { ...o, namespace: ns, name: o.metadata.name }), "Complete", { timeout: 120 });
      }
    }
    assert.ok(job, "the hooks hold a Job");
    assert.equal(appliedRevisions(db.name).length, 8, "the hook Job left the database at head");

    // hook-succeeded: Helm deletes these hooks once every hook of the event succeeded.
    for (const o of hooks) {
      const policy = o.metadata.annotations["helm.sh/hook-delete-policy"]?.split(",") ?? [];
      if (!policy.includes("hook-succeeded")) continue;
      await client.delete(await objectPath(client, { ...o, namespace: ns, name: o.metadata.name }), { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" });
    }
    for (const o of hooks) {
      await waitFor(`${o.kind}/${o.metadata.name} deleted`, async () => !(await client.getOrNull(await objectPath(client, { ...o, namespace: ns, name: o.metadata.name }))), { timeout: 30 });
    }

    for (const o of release) await apply(client, ns, o);
    const deployment = release.find((o) => o.kind === "Deployment");
    const dPath = await objectPath(client, { ...deployment, namespace: ns, name: deployment.metadata.name });
    const created = await client.get(dPath);
    assert.ok(Date.parse(created.metadata.creationTimestamp) >= Date.parse(job.status.completionTime), "the Deployment was created before the hook Job completed");

    // serve's pod: its readiness probe (/healthz) passes, and /readyz says the database is at head.
    const selector = Object.entries(deployment.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(",");
    const pod = await waitFor("serve's pod to be Ready", async () => (await pods(client, ns, selector)).find((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")), { timeout: 90 });
    const port = JSON.parse(pod.metadata.annotations["harness.schemagate.io/ports"])[`serve/${deployment.spec.template.spec.containers[0].ports[0].containerPort}`];
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).ready, true);

    await client.delete(dPath, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground" });
    await waitFor("serve's pods to be gone", async () => (await pods(client, ns, selector)).length === 0, { timeout: 60 });
  });
});
