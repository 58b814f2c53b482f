// The commands deploy/ runs, run here against a throwaway PostgreSQL (the `pg` fixture) with the
// args exactly as `kubectl kustomize deploy/` renders them, but for what a cluster provides:
// /migrations is deploy/migrations (the ConfigMap's files), the listen address is a free port on
// 127.0.0.1, --linger is shorter, and the termination log is a scratch file. It plays the
// rollout the README describes: the app's init container (`wait`) holds while the database is
// empty, the Job (`upgrade`) applies the migrations, serves /readyz and /metrics while it
// lingers and writes its outcome, and the waiting init container is released; a retried Job pod
// has nothing to do; and the exit codes the Job's podFailurePolicy maps come out as mapped.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import { deployDir, deployObjects, tempDir } from "./lib.mjs";

const binary = process.env.SCHEMAGATE;
const work = tempDir("rollout");
let pg;
let db;
let url;

function readEnvFile(file) {
  return Object.fromEntries(
    fs.readFileSync(file, "utf8").split("\n").map((l) => /^(\w+)=(.*)$/.exec(l)).filter(Boolean).map((m) => [m[1], m[2]]),
  );
}

function psql(sql) {
  execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", pg.PGTMP_HOST, "-p", pg.PGTMP_PORT, "-U", pg.PGTMP_USER, "-d", "postgres", "-c", sql], {
    env: { ...process.env, PGPASSWORD: pg.PGTMP_PASSWORD },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A container's args with the cluster-provided paths and addresses replaced for this machine. */
function localArgs(args, { port, linger = "3s", timeout } = {}) {
  return args.map((a) => {
    if (a === "--dir=/migrations") return `--dir=${path.join(deployDir, "migrations")}`;
    if (a.startsWith("--listen=")) return `--listen=127.0.0.1:${port}`;
    if (a.startsWith("--linger=")) return `--linger=${linger}`;
    if (timeout && a.startsWith("--timeout=")) return `--timeout=${timeout}`;
    return a;
  });
}

/** Runs schemagate; resolves {code, stderr} when it exits. */
function start(args, env = {}) {
  const child = spawn(binary, args, { env: { ...process.env, DATABASE_URL: url, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
  return { child, done };
}

const rendered = deployObjects().objects;
const jobContainer = rendered.find((i) => i.object.kind === "Job").object.spec.template.spec.containers[0];
const initContainer = rendered.find((i) => i.object.kind === "Deployment").object.spec.template.spec.initContainers[0];

before(() => {
  assert.ok(binary && fs.existsSync(binary), "SCHEMAGATE: run through CTest after a build");
  pg = readEnvFile(process.env.SG_TEST_PGENV);
  db = `sg_k8s_rollout_${process.pid}`;
  psql(`CREATE DATABASE "${db}"`);
  url = `postgresql://${pg.PGTMP_USER}:${pg.PGTMP_PASSWORD}@${pg.PGTMP_HOST}:${pg.PGTMP_PORT}/${db}`;
});

after(() => {
  if (pg && db) psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
});

test("the app's init container holds while the database is empty (exit 6 at its timeout)", async () => {
  assert.deepEqual(initContainer.args.slice(0, 1), ["wait"]);
  const { code, stderr } = await start(localArgs(initContainer.args, { timeout: "1s" })).done;
  assert.equal(code, 6, stderr);
});

test("the Job migrates, serves readiness and metrics while it lingers, and releases the waiting app", async () => {
  assert.deepEqual(jobContainer.args.slice(0, 1), ["upgrade"]);
  const waiting = start(localArgs(initContainer.args));
  let waitExit = null;
  waiting.done.then(() => (waitExit = Date.now()));

  const port = await freePort();
  const terminationLog = path.join(work, "termination-log");
  const job = start([...localArgs(jobContainer.args, { port }), `--termination-log=${terminationLog}`], { POD_NAME: "schemagate-migrate-x7k2p" });

  // Poll /readyz until the schema is in place: the Job lingers 3 s after applying.
  let ready = null;
  let metrics = "";
  for (let i = 0; i < 600 && !ready; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) {
        ready = Date.now();
        metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      }
    } catch {
      // not listening yet
    }
  }
  const { code, stderr } = await job.done;
  assert.equal(code, 0, stderr);
  assert.ok(ready, "/readyz never answered 200 while the Job ran and lingered");
  assert.match(metrics, /^schemagate_schema_ready(\{[^}]*\})? 1$/m, "metrics after the run");
  assert.match(metrics, /^schemagate_pending_migrations(\{[^}]*\})? 0$/m, "metrics after the run");

  const outcome = JSON.parse(fs.readFileSync(terminationLog, "utf8").trim());
  assert.equal(outcome.command, "upgrade", JSON.stringify(outcome));
  assert.equal(outcome.exit_code, 0, JSON.stringify(outcome));
  assert.doesNotMatch(JSON.stringify(outcome), new RegExp(pg.PGTMP_PASSWORD), "the password in the termination message");

  const waited = await waiting.done;
  assert.equal(waited.code, 0, waited.stderr);
  assert.ok(waitExit <= ready + 15000, "the init container was not released soon after the schema was in place");
});

test("a retried Job pod finds nothing to do", async () => {
  const port = await freePort();
  const { code, stderr } = await start(localArgs(jobContainer.args, { port, linger: "0s" })).done;
  assert.equal(code, 0, stderr);
});

test("an unreachable database exits 5, which the Job retries", async () => {
  const port = await freePort();
  const closed = await freePort();
  const { code, stderr } = await start(localArgs(jobContainer.args, { port, linger: "0s" }), {
    DATABASE_URL: `postgresql://nobody:secret@127.0.0.1:${closed}/none?connect_timeout=2`,
  }).done;
  assert.equal(code, 5, stderr);
});

test("a configuration error exits 2, which fails the Job", async () => {
  const port = await freePort();
  const { code, stderr } = await start([...localArgs(jobContainer.args, { port, linger: "0s" }), "--lock-timeout=soon"]).done;
  assert.equal(code, 2, stderr);
});
