// A lock timeout (exit 3) is retried by the Job controller: while another session holds the
// migration lock, deploy/'s Job's first pod gives up with exit 3 and says so in its termination
// message; the Job controller starts another pod (after its back-off), which migrates once the
// lock is free, and the Job completes. Both pods share the Job's
// controller-uid, the run id that makes a retry part of the same request.
//
// Changed from deploy/ for this test: --lock-timeout=2s (SCHEMAGATE_LOCK_TIMEOUT) and
// --linger=0s, to keep it short.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { after, test } from "node:test";
import { deployDir } from "../k8s/lib.mjs";
import { adminClient, deployManifests, appliedRevisions, apply, createDatabase, databaseSecret, dropDatabase, inNamespace, pgEnv, pods, psql, waitFor, waitForCondition } from "./lib.mjs";

const client = adminClient();
const db = createDatabase("sg_kube_lock");
let holder = null;
after(() => {
  holder?.kill();
  dropDatabase(db.name);
});

/** The migration lock's key, from `schemagate status --json`, as a decimal string. */
function lockKey() {
  let out;
  try {
    out = execFileSync(process.env.SCHEMAGATE, ["status", "--json", `--dir=${path.join(deployDir, "migrations")}`], { env: { ...process.env, DATABASE_URL: db.url }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    out = e.stdout; // exit 6: not at head
  }
  // A 64-bit integer: JSON.parse would round it to a double.
  return /"lock_key":\s*(-?\d+)/.exec(out)[1];
}

/** A psql session that holds the advisory lock key until end() is called. */
async function holdLock(key) {
  const pg = pgEnv();
  const child = spawn("psql", ["-X", "-q", "-h", pg.PGTMP_HOST, "-p", pg.PGTMP_PORT, "-U", pg.PGTMP_USER, "-d", db.name], {
    env: { ...process.env, PGPASSWORD: pg.PGTMP_PASSWORD },
    stdio: ["pipe", "ignore", "inherit"],
  });
  child.stdin.write(`BEGIN; SELECT pg_advisory_xact_lock(${key});\n`);
  await waitFor("psql to hold the migration lock", () => psql("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()", db.name) === "1", { timeout: 20 });
  return {
    kill: () => child.kill(),
    end: () => new Promise((resolve) => {
      child.on("exit", resolve);
      child.stdin.end("COMMIT;\n");
    }),
  };
}

test("a lock timeout (exit 3) is retried by the Job controller and the retry migrates", async () => {
  await inNamespace(client, "job-lock", async (ns) => {
    holder = await holdLock(lockKey());
    const objects = deployManifests().filter((o) => o.kind !== "Deployment");
    const c = objects.find((o) => o.kind === "Job").spec.template.spec.containers[0];
    c.args = c.args.map((a) => (a.startsWith("--linger=") ? "--linger=0s" : a));
    c.env.push({ name: "SCHEMAGATE_LOCK_TIMEOUT", value: "2s" });
    await apply(client, ns, databaseSecret(db.url));
    for (const o of objects) await apply(client, ns, o);

    const first = await waitFor("the first pod to fail", async () => (await pods(client, ns, "job-name=schemagate-migrate")).find((p) => p.status?.phase === "Failed"), { timeout: 60 });
    const state = first.status.containerStatuses[0].state.terminated;
    assert.equal(state.exitCode, 3);
    const message = JSON.parse(state.message);
    assert.equal(message.exit_code, 3);
    assert.match(message.error, /lock/);
    assert.deepEqual(appliedRevisions(db.name), [], "the pod that did not get the lock changed the database");
    await holder.end();
    holder = null;

    // A retry the controller started before the lock was released may time out too: every
    // failed pod must have exited 3, and exactly one succeeded.
    const job = await waitForCondition(client, `/apis/batch/v1/namespaces/${ns}/jobs/schemagate-migrate`, "Complete", { timeout: 150 });
    assert.equal(job.status.succeeded, 1);
    const ps = await pods(client, ns, "job-name=schemagate-migrate");
    const failed = ps.filter((p) => p.status.phase === "Failed");
    assert.ok(failed.length >= 1 && failed.length === job.status.failed, `${failed.length} failed pods, the Job counts ${job.status.failed}`);
    for (const p of failed) assert.equal(p.status.containerStatuses[0].state.terminated.exitCode, 3, p.metadata.name);
    for (const p of ps) assert.equal(p.metadata.labels["controller-uid"], job.metadata.uid);
    const retry = ps.filter((p) => p.status.phase === "Succeeded");
    assert.equal(retry.length, 1);
    assert.equal(retry[0].status.containerStatuses[0].state.terminated.exitCode, 0);
    assert.equal(appliedRevisions(db.name).length, 8);
  });
});
