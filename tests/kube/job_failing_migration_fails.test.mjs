// A migration whose SQL fails, run by deploy/'s Job: the pod ends with exit 1 in the container's
// terminated state, the termination message holds the JSON result with the error, the Job fails,
// and the database keeps nothing of the failed revision.
//
// Changed from deploy/ for this test: the migrations (tests/fixtures/bad_sql_error), --linger=0s,
// and backoffLimit 0. The last one stands in for podFailurePolicy's FailJob on exit 1, which
// Kubernetes 1.20 drops (it would retry the pod up to backoffLimit: 4, for minutes of back-off).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { root } from "../k8s/lib.mjs";
import { adminClient, deployManifests, appliedRevisions, apply, createDatabase, databaseSecret, dropDatabase, inNamespace, pods, psql, waitForCondition } from "./lib.mjs";

const client = adminClient();
const db = createDatabase("sg_kube_fail");
after(() => dropDatabase(db.name));

const fixture = path.join(root, "tests", "fixtures", "bad_sql_error");

test("a failing migration fails the Job with exit 1 and the error in the termination message", async () => {
  await inNamespace(client, "job-fails", async (ns) => {
    const objects = deployManifests().filter((o) => o.kind !== "Deployment");
    const cm = objects.find((o) => o.kind === "ConfigMap");
    cm.data = Object.fromEntries(fs.readdirSync(fixture).filter((f) => f.endsWith(".sql")).map((f) => [f, fs.readFileSync(path.join(fixture, f), "utf8")]));
    const job = objects.find((o) => o.kind === "Job");
    job.spec.backoffLimit = 0;
    const c = job.spec.template.spec.containers[0];
    c.args = c.args.map((a) => (a.startsWith("--linger=") ? "--linger=0s" : a));
    await apply(client, ns, databaseSecret(db.url));
    for (const o of objects) await apply(client, ns, o);

    const failed = await waitForCondition(client, `/apis/batch/v1/namespaces/${ns}/jobs/schemagate-migrate`, "Failed", { timeout: 120 });
    assert.equal(failed.status.failed, 1);
    assert.equal(failed.status.succeeded ?? 0, 0);
    const ps = await pods(client, ns, "job-name=schemagate-migrate");
    assert.equal(ps.length, 1);
    assert.equal(ps[0].status.phase, "Failed");
    const state = ps[0].status.containerStatuses.find((s) => s.name === "migrate").state.terminated;
    assert.equal(state.exitCode, 1);
    assert.equal(state.reason, "Error");
    const message = JSON.parse(state.message);
    assert.equal(message.exit_code, 1);
    assert.equal(message.outcome, "failure");
    assert.match(message.error, /002/);
    assert.match(message.error, /t2_pkey|duplicate key/);
    // 001 applied in its own transaction; 002 rolled back whole, 003 never ran.
    assert.deepEqual(appliedRevisions(db.name), ["001"]);
    assert.equal(psql("SELECT count(*) FROM pg_tables WHERE tablename IN ('t2', 't3')", db.name), "0");
  });
});
