// The next release as the README's step 6 describes it: a new migration in deploy/migrations
// gives the ConfigMap a new hash; the finished Job is deleted and deploy/ applied again. The
// Deployment rolls: its new pod waits in its init container for the new head while the old pods
// keep running (2 replicas: the default rolling update surges one and takes none away), and once
// the new Job has applied the revision, the new pods replace the old ones.
//
// The new revision is tests/kube/fixtures/next_release/009_add_guild_mottos.sql, added to a copy
// of deploy/ as the README says to. The new Deployment is applied before the new Job so that
// the waiting can be seen.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { deployDir, kustomizeBuild, tempDir } from "../k8s/lib.mjs";
import { adminClient, appliedRevisions, apply, createDatabase, databaseSecret, deployManifests, dropDatabase, inNamespace, pods, waitFor } from "./lib.mjs";

const client = adminClient();
const db = createDatabase("sg_kube_next");
after(() => dropDatabase(db.name));

const selector = "app.kubernetes.io/name=sample-app";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const running = (p, name) => (p.status?.containerStatuses ?? []).find((s) => s.name === name)?.state?.running;
const waiting = (p) => (p.status?.initContainerStatuses ?? []).find((s) => s.name === "wait-for-schema")?.state?.running;

/** deploy/ with the next release's migration added and listed, rendered by kustomize. */
function nextRelease() {
  const dir = path.join(tempDir("next"), "deploy");
  fs.cpSync(deployDir, dir, { recursive: true });
  const file = "009_add_guild_mottos.sql";
  fs.copyFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "next_release", file), path.join(dir, "migrations", file));
  const k = path.join(dir, "kustomization.yaml");
  const text = fs.readFileSync(k, "utf8");
  const listed = text.replace("      - migrations/008_add_guild_audit_log.sql\n", `      - migrations/008_add_guild_audit_log.sql\n      - migrations/${file}\n`);
  assert.notEqual(listed, text, "deploy/kustomization.yaml no longer lists 008 as this test expects");
  fs.writeFileSync(k, listed);
  return kustomizeBuild(dir).map((i) => i.object);
}

async function appPods(ns) {
  return (await pods(client, ns, selector)).filter((p) => !p.metadata.deletionTimestamp);
}

test("a new migration rolls the app: new pods wait for the new head while the old ones run", async () => {
  await inNamespace(client, "deploy-next", async (ns) => {
    await apply(client, ns, databaseSecret(db.url));
    const first = deployManifests();
    for (const o of first) await apply(client, ns, o);
    const old = await waitFor("the first release's 2 app pods to run", async () => {
      const ps = await appPods(ns);
      return ps.length === 2 && ps.every((p) => running(p, "app")) ? ps : null;
    }, { timeout: 90 });
    assert.equal(appliedRevisions(db.name).length, 8);

    // Step 6: delete the finished (here still lingering) Job, then apply the new release.
    const jobPath = `/apis/batch/v1/namespaces/${ns}/jobs/schemagate-migrate`;
    await client.delete(jobPath, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" });
    await waitFor("the old Job to be gone", async () => !(await client.getOrNull(jobPath)), { timeout: 30 });
    const next = nextRelease();
    const cm = next.find((o) => o.kind === "ConfigMap");
    assert.notEqual(cm.metadata.name, first.find((o) => o.kind === "ConfigMap").metadata.name, "the ConfigMap's name hash did not change");
    for (const o of next.filter((o) => o.kind !== "Job")) await apply(client, ns, o);

    const fresh = await waitFor("a new app pod waiting in its init container", async () => (await appPods(ns)).find((p) => !old.some((o) => o.metadata.uid === p.metadata.uid) && waiting(p)), { timeout: 60 });
    await sleep(4000);
    const during = await appPods(ns);
    for (const o of old) {
      const now = during.find((p) => p.metadata.uid === o.metadata.uid);
      assert.ok(now && running(now, "app"), `old pod ${o.metadata.name} stopped before the new head was applied`);
    }
    const still = during.find((p) => p.metadata.uid === fresh.metadata.uid);
    assert.ok(waiting(still) && !running(still, "app"), "the new pod started its app on the old schema");
    assert.equal(appliedRevisions(db.name).length, 8);

    await apply(client, ns, next.find((o) => o.kind === "Job"));
    const rolled = await waitFor("the new release's 2 app pods to run and the old ones to go", async () => {
      const ps = await pods(client, ns, selector);
      return ps.length === 2 && ps.every((p) => running(p, "app") && !old.some((o) => o.metadata.uid === p.metadata.uid)) ? ps : null;
    }, { timeout: 120 });
    assert.ok(appliedRevisions(db.name).includes("009"));
    for (const p of rolled) {
      assert.equal(p.spec.volumes.find((v) => v.name === "migrations").configMap.name, cm.metadata.name);
    }

    await client.delete(`/apis/apps/v1/namespaces/${ns}/deployments/sample-app`, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground" });
    await waitFor("the app pods to be gone", async () => (await pods(client, ns, selector)).length === 0, { timeout: 60 });
  });
});
