// deploy/'s migration Job, exactly as `kubectl apply -k deploy/` creates it, run by the real Job
// controller with the harness kubelet against the throwaway PostgreSQL: the Job completes, the
// database is at the head of deploy/migrations, the pod's termination message holds the JSON
// result, the pod served /readyz while it lingered, and SCHEMAGATE_RUN_ID came from the
// controller-uid label that the Job controller puts on its pods.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { deployDir } from "../k8s/lib.mjs";
import { adminClient, deployManifests, appliedRevisions, apply, createDatabase, databaseSecret, dropDatabase, inNamespace, pods, psql, waitFor, waitForCondition } from "./lib.mjs";

const client = adminClient();
const db = createDatabase("sg_kube_job");
after(() => dropDatabase(db.name));

const head = fs.readdirSync(path.join(deployDir, "migrations")).filter((f) => f.endsWith(".sql")).map((f) => f.split("_")[0]).sort();

async function readyz(port) {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { code: res.status, body: await res.json() };
}

test("deploy/'s Job migrates to head through the Job controller and reports it", async () => {
  await inNamespace(client, "deploy-job", async (ns) => {
    await apply(client, ns, databaseSecret(db.url));
    for (const o of deployManifests().filter((o) => o.kind !== "Deployment")) await apply(client, ns, o);
    const jobPath = `/apis/batch/v1/namespaces/${ns}/jobs/schemagate-migrate`;

    // While it lingers (--linger=1m) the pod is Running and serves /readyz on its metrics port.
    const pod = await waitFor("the Job's pod to run", async () => (await pods(client, ns, "job-name=schemagate-migrate")).find((p) => p.status?.phase === "Running" && p.metadata.annotations?.["harness.schemagate.io/ports"]), { timeout: 60 });
    await waitFor("the database at head", () => appliedRevisions(db.name).length === head.length, { timeout: 60 });
    assert.deepEqual(appliedRevisions(db.name), head);
    const port = JSON.parse(pod.metadata.annotations["harness.schemagate.io/ports"])["migrate/9090"];
    const r = await waitFor("/readyz to answer 200", async () => {
      const x = await readyz(port).catch(() => null);
      return x?.code === 200 ? x : null;
    }, { timeout: 20 });
    assert.equal(r.body.ready, true);

    const job = await waitForCondition(client, jobPath, "Complete", { timeout: 180 });
    assert.equal(job.status.succeeded, 1);
    assert.equal(job.status.failed ?? 0, 0);

    const [done] = await pods(client, ns, "job-name=schemagate-migrate");
    assert.equal(done.status.phase, "Succeeded");
    // The Job controller of 1.20 labels its pods with controller-uid (the Job's uid), which the
    // pod's SCHEMAGATE_RUN_ID reads through fieldRef; an empty one would have exited 2.
    assert.equal(done.metadata.labels["controller-uid"], job.metadata.uid);
    const state = done.status.containerStatuses.find((s) => s.name === "migrate").state.terminated;
    assert.equal(state.exitCode, 0);
    const message = JSON.parse(state.message);
    assert.equal(message.command, "upgrade");
    assert.equal(message.exit_code, 0);
    assert.equal(message.outcome, "success");
    // POD_NAME (fieldRef metadata.name) is who applied each revision.
    assert.deepEqual([...new Set(psql("SELECT applied_by FROM public.schemagate_history", db.name).split("\n"))], [done.metadata.name]);
  });
});
