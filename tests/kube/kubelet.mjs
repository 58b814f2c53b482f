// The harness kubelet: TEST SUPPORT, not a kubelet. The test control plane has an API server and
// controllers but no node, scheduler or container runtime; this process plays the node for pods
// whose containers run the schemagate image, so that the Job and Deployment controllers act on
// real pod outcomes. It only ever talks to the API server as a client (it never answers for it):
//
//  - it registers the Node $KUBE_NODE and binds every unscheduled pod to it (the scheduler's job);
//  - for each pod bound to it, it runs the init containers one by one, then the containers, as
//    processes on this machine: the `schemagate` image is a copy of the built binary
//    ($SG_KUBELET_SCHEMAGATE) with the repository's migrations/ as its /migrations, as the
//    Dockerfile copies them, and the `pause`
//    image is `sleep infinity`; any other image stays Waiting (ImageNotRunnable);
//  - env comes from the container's env and envFrom, with secretKeyRef, configMapKeyRef and
//    fieldRef read through the API ($(VAR) references expanded); a missing Secret or key keeps
//    the container Waiting (CreateContainerConfigError) and is retried, as a kubelet does;
//  - ConfigMap, Secret and emptyDir volumes are directories under the pod's temporary directory;
//    there is no mount namespace, so a mountPath in an argument or env value (`--dir=/migrations`)
//    is rewritten to that directory;
//  - each pod has its own network namespace in a real cluster; here a declared containerPort P in
//    an argument or env value (`--listen=0.0.0.0:9090`) becomes a free port of 127.0.0.1, listed in
//    the pod's annotation harness.schemagate.io/ports ({"CONTAINER/P": HOSTPORT});
//  - the process runs as the pod's runAsUser/runAsGroup when this kubelet runs as root;
//  - the termination message file is a temporary file given to schemagate through
//    SCHEMAGATE_TERMINATION_LOG (unless the pod sets that itself), read when it exits, with
//    FallbackToLogsOnError's log tail;
//  - status goes to pods/NAME/status: the phase, the conditions, each container's waiting,
//    running or terminated state (exit code, reason, message), restart counts; restartPolicy
//    Always and OnFailure restart a container with the kubelet's 10 s, 20 s... back-off;
//  - readiness probes of type httpGet are run against the mapped port; liveness and startup
//    probes, resource limits and security contexts other than the user are not enforced;
//  - a pod being deleted has its processes sent SIGTERM, then SIGKILL after its grace period,
//    and is then deleted with grace period 0, as a kubelet confirms a deletion.
// Each container's output goes to $SG_KUBELET_DIR/logs/NAMESPACE_POD_CONTAINER.log.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "./client.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const client = new Client({ server: env.KUBE_SERVER, ca: env.KUBE_CA, token: env.KUBE_TOKEN });
const nodeName = env.KUBE_NODE ?? "harness";
const stateDir = env.SG_KUBELET_DIR;
const logDir = path.join(stateDir, "logs");
const podsDir = path.join(stateDir, "pods");
fs.mkdirSync(logDir, { recursive: true, mode: 0o755 });
fs.mkdirSync(podsDir, { recursive: true, mode: 0o755 });
const asRoot = process.getuid() === 0;

// "The image": the built binary and the repository's migrations/, copied where the pods' users
// can read them (a checkout in a private home directory is not readable by user 65532).
const imageDir = path.join(stateDir, "image");
fs.mkdirSync(imageDir, { recursive: true, mode: 0o755 });
const schemagate = path.join(imageDir, "schemagate");
fs.copyFileSync(env.SG_KUBELET_SCHEMAGATE, schemagate);
fs.chmodSync(schemagate, 0o755);
const repoMigrations = path.join(imageDir, "migrations");
fs.cpSync(path.resolve(here, "../../migrations"), repoMigrations, { recursive: true });

function log(msg) {
  process.stderr.write(`${new Date().toISOString()} kubelet: ${msg}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

class ConfigError extends Error {}

/** A free TCP port of 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function imageName(image) {
  return image.split("@")[0].split("/").pop().split(":")[0];
}

/** The value of a fieldRef, as the kubelet resolves it ("" for a missing label). */
function fieldValue(pod, fieldPath) {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (m) return pod.metadata[m[1]]?.[m[2]] ?? "";
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata.name;
    case "metadata.namespace":
      return pod.metadata.namespace;
    case "metadata.uid":
      return pod.metadata.uid;
    case "spec.nodeName":
      return nodeName;
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName ?? "default";
    case "status.hostIP":
    case "status.podIP":
    case "status.podIPs":
      return "127.0.0.1";
    default:
      throw new ConfigError(`fieldRef ${fieldPath} is not supported by the harness kubelet`);
  }
}

/** $(VAR) expansion as the kubelet does it: defined variables are replaced, $$ escapes. */
function expand(text, vars) {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name) => {
    if (all === "$$") return "$";
    return Object.hasOwn(vars, name) ? vars[name] : all;
  });
}

class PodRun {
  constructor(pod) {
    this.pod = pod;
    this.uid = pod.metadata.uid;
    this.ns = pod.metadata.namespace;
    this.name = pod.metadata.name;
    this.dir = fs.mkdtempSync(path.join(podsDir, `${this.ns}_${this.name}-`));
    fs.chmodSync(this.dir, 0o755);
    this.procs = new Map();
    this.stopping = false;
    this.startTime = now();
    this.ports = {};
    this.initDone = false;
    this.phase = "Pending";
    const blank = (c) => ({
      name: c.name,
      image: c.image,
      imageID: "",
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason: "PodInitializing" } },
    });
    this.initStatuses = (pod.spec.initContainers ?? []).map(blank);
    this.statuses = pod.spec.containers.map(blank);
    this.publishing = Promise.resolve();
  }

  path(...parts) {
    return `/api/v1/namespaces/${this.ns}/pods/${this.name}${parts.map((p) => `/${p}`).join("")}`;
  }

  /** Queues a status write; writes happen one at a time, in order. */
  publish() {
    const status = this.statusBody();
    this.publishing = this.publishing.then(async () => {
      try {
        await client.mergePatch(this.path("status"), { status });
      } catch (e) {
        if (e.code !== 404) log(`${this.ns}/${this.name}: status write failed: ${e.message}`);
      }
    });
    return this.publishing;
  }

  statusBody() {
    const t = now();
    const allReady = this.statuses.every((s) => s.ready);
    const cond = (type, ok) => ({ type, status: ok ? "True" : "False", lastProbeTime: null, lastTransitionTime: t });
    return {
      phase: this.phase,
      ...(this.message ? { reason: "HarnessKubelet", message: this.message } : {}),
      hostIP: "127.0.0.1",
      podIP: "127.0.0.1",
      podIPs: [{ ip: "127.0.0.1" }],
      startTime: this.startTime,
      conditions: [
        cond("Initialized", this.initDone),
        cond("Ready", allReady && this.phase === "Running"),
        cond("ContainersReady", allReady && this.phase === "Running"),
        cond("PodScheduled", true),
      ],
      initContainerStatuses: this.initStatuses,
      containerStatuses: this.statuses,
    };
  }

  async start() {
    log(`${this.ns}/${this.name}: starting`);
    await this.publish();
    // A missing ConfigMap or Secret is waited for, as a kubelet retries a mount; a volume type
    // this harness cannot provide fails the pod.
    for (;;) {
      try {
        await this.prepareVolumes();
        break;
      } catch (e) {
        if (!(e instanceof ConfigError)) return this.fail(`volumes: ${e.message}`);
        for (const s of [...this.initStatuses, ...this.statuses]) s.state = { waiting: { reason: "ContainerCreating", message: e.message } };
        await this.publish();
        await sleep(1000);
        if (this.stopping) return;
      }
    }
    const policy = this.pod.spec.restartPolicy ?? "Always";
    const inits = this.pod.spec.initContainers ?? [];
    for (let i = 0; i < inits.length; i++) {
      for (;;) {
        const code = await this.runContainer(inits[i], this.initStatuses[i]);
        if (this.stopping) return;
        if (code === 0) break;
        if (policy === "Never") {
          this.phase = "Failed";
          await this.publish();
          return this.finished();
        }
        await this.backoff(this.initStatuses[i]);
        if (this.stopping) return;
      }
    }
    this.initDone = true;
    this.phase = "Running";
    for (const s of this.statuses) s.state = { waiting: { reason: "ContainerCreating" } };
    await this.publish();
    await Promise.all(this.pod.spec.containers.map((c, i) => this.runMain(c, this.statuses[i], policy)));
    if (this.stopping) return;
    const failed = this.statuses.some((s) => s.state.terminated?.exitCode !== 0);
    this.phase = failed ? "Failed" : "Succeeded";
    await this.publish();
    this.finished();
  }

  async runMain(c, status, policy) {
    for (;;) {
      const code = await this.runContainer(c, status);
      if (this.stopping) return;
      if (policy === "Never" || (policy === "OnFailure" && code === 0)) return;
      await this.backoff(status);
      if (this.stopping) return;
    }
  }

  async backoff(status) {
    const seconds = Math.min(300, 10 * 2 ** status.restartCount);
    status.lastState = { terminated: status.state.terminated };
    status.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${seconds}s restarting failed container=${status.name} pod=${this.name}` } };
    status.restartCount += 1;
    await this.publish();
    const deadline = Date.now() + seconds * 1000;
    while (!this.stopping && Date.now() < deadline) await sleep(200);
  }

  async fail(message) {
    log(`${this.ns}/${this.name}: ${message}`);
    this.phase = "Failed";
    this.message = message;
    await this.publish();
    this.finished();
  }

  finished() {
    log(`${this.ns}/${this.name}: ${this.phase}`);
  }

  async prepareVolumes() {
    this.volumes = new Map();
    const root = path.join(this.dir, "volumes");
    for (const v of this.pod.spec.volumes ?? []) {
      const dir = path.join(root, v.name);
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      if (v.emptyDir) {
        fs.chmodSync(dir, 0o777);
      } else if (v.configMap || v.secret) {
        const isSecret = Boolean(v.secret);
        const ref = isSecret ? v.secret.secretName : v.configMap.name;
        const kind = isSecret ? "secrets" : "configmaps";
        const obj = await this.readRef(kind, ref, (isSecret ? v.secret : v.configMap).optional);
        const data = obj ? { ...decode(obj.data, isSecret), ...decode(obj.binaryData, true) } : {};
        const items = (isSecret ? v.secret : v.configMap).items;
        const mode = (isSecret ? v.secret : v.configMap).defaultMode ?? 0o644;
        const entries = items ? items.map((it) => [it.path, data[it.key]]) : Object.entries(data);
        for (const [file, content] of entries) {
          if (content === undefined) throw new ConfigError(`volume ${v.name}: key not found`);
          const full = path.join(dir, file);
          fs.mkdirSync(path.dirname(full), { recursive: true, mode: 0o755 });
          fs.writeFileSync(full, content, { mode });
          fs.chmodSync(full, mode);
        }
      } else {
        throw new Error(`volume ${v.name}: only configMap, secret and emptyDir volumes are supported by the harness kubelet`);
      }
      this.volumes.set(v.name, dir);
    }
  }

  /** A Secret or ConfigMap of the pod's namespace; null when optional and missing. */
  async readRef(kind, name, optional) {
    const obj = await client.getOrNull(`/api/v1/namespaces/${this.ns}/${kind}/${name}`);
    if (!obj && !optional) throw new ConfigError(`${kind === "secrets" ? "secret" : "configmap"} "${name}" not found`);
    return obj;
  }

  async resolveEnv(c) {
    const vars = {};
    for (const from of c.envFrom ?? []) {
      const isSecret = Boolean(from.secretRef);
      const ref = from.secretRef ?? from.configMapRef;
      const obj = await this.readRef(isSecret ? "secrets" : "configmaps", ref.name, ref.optional);
      for (const [k, v] of Object.entries(decode(obj?.data, isSecret))) vars[`${from.prefix ?? ""}${k}`] = v;
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom === undefined) {
        vars[e.name] = expand(e.value ?? "", vars);
        continue;
      }
      const f = e.valueFrom;
      if (f.fieldRef) vars[e.name] = fieldValue(this.pod, f.fieldRef.fieldPath);
      else if (f.secretKeyRef || f.configMapKeyRef) {
        const isSecret = Boolean(f.secretKeyRef);
        const ref = f.secretKeyRef ?? f.configMapKeyRef;
        const obj = await this.readRef(isSecret ? "secrets" : "configmaps", ref.name, ref.optional);
        const value = decode(obj?.data, isSecret)[ref.key];
        if (value === undefined) {
          if (ref.optional) continue;
          throw new ConfigError(`couldn't find key ${ref.key} in ${isSecret ? "Secret" : "ConfigMap"} ${this.ns}/${ref.name}`);
        }
        vars[e.name] = value;
      } else throw new ConfigError(`env ${e.name}: only fieldRef, secretKeyRef and configMapKeyRef are supported by the harness kubelet`);
    }
    return vars;
  }

  /** Rewrites mount paths and declared ports in one argument or env value. */
  mapValue(value, mounts, ports) {
    let out = value;
    const eq = out.startsWith("-") ? out.indexOf("=") : -1;
    const head = eq >= 0 ? out.slice(0, eq + 1) : "";
    let tail = eq >= 0 ? out.slice(eq + 1) : out;
    for (const m of mounts) {
      if (tail === m.mountPath || tail.startsWith(`${m.mountPath}/`)) {
        tail = m.hostPath + tail.slice(m.mountPath.length);
        break;
      }
    }
    for (const [port, hostPort] of ports) {
      const re = new RegExp(`^(0\\.0\\.0\\.0|127\\.0\\.0\\.1|localhost|\\[::\\]|)?:${port}$`);
      if (re.test(tail)) tail = `127.0.0.1:${hostPort}`;
    }
    out = head + tail;
    return out;
  }

  /** Runs one container to its end; resolves to its exit code. */
  async runContainer(c, status) {
    const key = `${this.ns}_${this.name}_${c.name}`;
    let argv;
    let vars;
    const image = imageName(c.image);
    for (;;) {
      if (this.stopping) return -1;
      try {
        vars = await this.resolveEnv(c);
        break;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        if (status.state.waiting?.message !== e.message) {
          status.state = { waiting: { reason: "CreateContainerConfigError", message: e.message } };
          await this.publish();
        }
        await sleep(1000);
      }
    }
    const mounts = [];
    if (image === "schemagate") mounts.push({ mountPath: "/migrations", hostPath: repoMigrations });
    for (const vm of c.volumeMounts ?? []) {
      const dir = this.volumes.get(vm.name);
      if (!dir) return this.cannotStart(status, "CreateContainerConfigError", `volume ${vm.name} is not defined`);
      mounts.unshift({ mountPath: vm.mountPath.replace(/\/+$/, ""), hostPath: path.join(dir, vm.subPath ?? "") });
    }
    mounts.sort((a, b) => b.mountPath.length - a.mountPath.length);
    const ports = [];
    for (const p of c.ports ?? []) {
      const hostPort = (this.ports[`${c.name}/${p.containerPort}`] ??= await freePort());
      ports.push([p.containerPort, hostPort]);
    }
    if (ports.length) await this.annotatePorts();

    const command = (c.command ?? []).map((a) => expand(a, vars));
    const args = (c.args ?? []).map((a) => expand(a, vars));
    if (image === "schemagate") {
      if (command.length && path.basename(command[0]) !== "schemagate") {
        return this.cannotStart(status, "ImageNotRunnable", `the harness kubelet runs only the schemagate binary in the schemagate image, not ${command[0]}`);
      }
      argv = [schemagate, ...command.slice(1), ...args];
    } else if (image === "pause") {
      argv = ["sleep", "infinity"];
    } else {
      return this.cannotStart(status, "ImageNotRunnable", `the harness kubelet runs only the schemagate and pause images, not ${c.image}`);
    }
    argv = argv.map((a, i) => (i === 0 ? a : this.mapValue(a, mounts, ports)));

    const termFile = path.join(this.dir, `${c.name}.termination-log`);
    fs.writeFileSync(termFile, "");
    const sc = { ...(this.pod.spec.securityContext ?? {}), ...(c.securityContext ?? {}) };
    const ids = asRoot && sc.runAsUser !== undefined ? { uid: sc.runAsUser, gid: sc.runAsGroup ?? sc.runAsUser } : {};
    if (ids.uid !== undefined) fs.chownSync(termFile, ids.uid, ids.gid);
    const procEnv = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOSTNAME: this.name, HOME: this.dir };
    for (const [k, v] of Object.entries(vars)) procEnv[k] = this.mapValue(v, mounts, ports);
    if (image === "schemagate" && procEnv.SCHEMAGATE_TERMINATION_LOG === undefined) procEnv.SCHEMAGATE_TERMINATION_LOG = termFile;

    const logFile = path.join(logDir, `${key}.log`);
    const fd = fs.openSync(logFile, "a");
    const startedAt = now();
    const child = spawn(argv[0], argv.slice(1), { cwd: this.dir, env: procEnv, stdio: ["ignore", fd, fd], ...ids });
    fs.closeSync(fd);
    this.procs.set(c.name, child);
    const exit = new Promise((resolve) => {
      child.on("error", (e) => resolve({ code: 128, error: e.message }));
      child.on("exit", (code, signal) => resolve({ code: code ?? 128 + (signalNumber[signal] ?? 0) }));
    });
    status.state = { running: { startedAt } };
    status.started = true;
    status.containerID = `harness://${child.pid}`;
    status.ready = !c.readinessProbe;
    await this.publish();
    const probing = c.readinessProbe ? this.probe(c, status, child, ports) : null;
    log(`${this.ns}/${this.name}/${c.name}: pid ${child.pid}: ${argv.join(" ")}`);

    const { code, error } = await exit;
    this.procs.delete(c.name);
    child.exited = true;
    await probing;
    let message = fs.readFileSync(termFile, "utf8").slice(0, 4096);
    if (!message && code !== 0 && (c.terminationMessagePolicy ?? "File") === "FallbackToLogsOnError") {
      message = tail(logFile, 80, 2048);
    }
    if (error) message = error;
    status.state = {
      terminated: {
        exitCode: code,
        reason: code === 0 ? "Completed" : "Error",
        ...(message ? { message } : {}),
        startedAt,
        finishedAt: now(),
        containerID: status.containerID,
      },
    };
    status.ready = false;
    status.started = false;
    log(`${this.ns}/${this.name}/${c.name}: exited ${code}`);
    await this.publish();
    return code;
  }

  async cannotStart(status, reason, message) {
    status.state = { waiting: { reason, message } };
    await this.publish();
    log(`${this.ns}/${this.name}: ${message}`);
    while (!this.stopping) await sleep(500);
    return -1;
  }

  async annotatePorts() {
    try {
      await client.mergePatch(this.path(), { metadata: { annotations: { "harness.schemagate.io/ports": JSON.stringify(this.ports) } } });
    } catch (e) {
      log(`${this.ns}/${this.name}: annotating ports: ${e.message}`);
    }
  }

  /** An httpGet readiness probe, every periodSeconds, until the process exits. */
  async probe(c, status, child, ports) {
    const p = c.readinessProbe;
    if (!p.httpGet) return;
    let port = p.httpGet.port;
    if (typeof port === "string") port = (c.ports ?? []).find((x) => x.name === port)?.containerPort;
    const hostPort = ports.find(([cp]) => cp === port)?.[1] ?? port;
    await sleep((p.initialDelaySeconds ?? 0) * 1000);
    while (!child.exited && !this.stopping) {
      const ok = await new Promise((resolve) => {
        const req = http.get({ host: "127.0.0.1", port: hostPort, path: p.httpGet.path ?? "/", timeout: (p.timeoutSeconds ?? 1) * 1000 }, (res) => {
          res.resume();
          resolve(res.statusCode >= 200 && res.statusCode < 400);
        });
        req.on("error", () => resolve(false));
        req.on("timeout", () => req.destroy());
      });
      if (!child.exited && ok !== status.ready) {
        status.ready = ok;
        await this.publish();
      }
      const deadline = Date.now() + (p.periodSeconds ?? 10) * 1000;
      while (!child.exited && !this.stopping && Date.now() < deadline) await sleep(100);
    }
  }

  /** SIGTERM to every process, SIGKILL after the grace period; resolves when all are gone. */
  async stop(graceSeconds) {
    this.stopping = true;
    const children = [...this.procs.values()];
    for (const c of children) c.kill("SIGTERM");
    const deadline = Date.now() + graceSeconds * 1000;
    while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(100);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    while (children.some((c) => c.exitCode === null && c.signalCode === null)) await sleep(50);
    await this.publishing;
  }
}

const signalNumber = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

function decode(data, base64) {
  const out = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = base64 ? Buffer.from(v, "base64").toString("utf8") : v;
  return out;
}

function tail(file, lines, bytes) {
  try {
    const text = fs.readFileSync(file, "utf8");
    const last = text.split("\n").slice(-lines - 1).join("\n");
    return last.length > bytes ? last.slice(last.length - bytes) : last;
  } catch {
    return "";
  }
}

const runs = new Map();
const deleting = new Set();

async function handle(type, pod) {
  const uid = pod.metadata.uid;
  if (type === "DELETED") {
    const run = runs.get(uid);
    runs.delete(uid);
    if (run && !run.stopping) await run.stop(0);
    return;
  }
  if (pod.metadata.deletionTimestamp) {
    if (pod.spec.nodeName !== nodeName || deleting.has(uid)) return;
    deleting.add(uid);
    // Not awaited: a grace period must not hold up the other pods' events.
    terminate(pod).catch((e) => log(`deleting ${pod.metadata.namespace}/${pod.metadata.name}: ${e.message}`));
    return;
  }
  if (!pod.spec.nodeName) {
    try {
      await client.post(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`, {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: pod.metadata.name, uid },
        target: { apiVersion: "v1", kind: "Node", name: nodeName },
      });
    } catch (e) {
      if (e.code !== 409 && e.code !== 404) log(`binding ${pod.metadata.namespace}/${pod.metadata.name}: ${e.message}`);
    }
    return;
  }
  if (pod.spec.nodeName !== nodeName || runs.has(uid)) return;
  if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return;
  const run = new PodRun(pod);
  runs.set(uid, run);
  run.start().catch((e) => log(`${run.ns}/${run.name}: ${e.stack ?? e}`));
}

async function terminate(pod) {
  const uid = pod.metadata.uid;
  const run = runs.get(uid);
  const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  if (run) await run.stop(grace);
  try {
    await client.delete(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, {
      kind: "DeleteOptions",
      apiVersion: "v1",
      gracePeriodSeconds: 0,
      preconditions: { uid },
    });
  } catch (e) {
    if (e.code !== 404 && e.code !== 409) throw e;
  }
}

async function registerNode() {
  try {
    await client.post("/api/v1/nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: nodeName, labels: { "kubernetes.io/hostname": nodeName, "harness.schemagate.io/kubelet": "true" } },
    });
  } catch (e) {
    if (e.code !== 409) throw e;
  }
  const t = now();
  await client.mergePatch(`/api/v1/nodes/${nodeName}/status`, {
    status: {
      addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
      conditions: [{ type: "Ready", status: "True", reason: "HarnessKubelet", message: "the test harness kubelet", lastHeartbeatTime: t, lastTransitionTime: t }],
    },
  });
}

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  log("stopping every pod");
  await Promise.all([...runs.values()].map((r) => r.stop(5)));
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

async function main() {
  await registerNode();
  let ready = false;
  // List, then watch from the list's resourceVersion; when the watch ends (the server closes
  // it after a few minutes) or expires (410), list again.
  while (!stopping) {
    try {
      const list = await client.get("/api/v1/pods");
      for (const pod of list.items) await handle("ADDED", pod);
      if (!ready) {
        fs.writeFileSync(path.join(stateDir, "ready"), `${process.pid}\n`);
        log(`node ${nodeName} ready`);
        ready = true;
      }
      let rv = list.metadata.resourceVersion;
      let expired = false;
      const queue = [];
      let draining = Promise.resolve();
      const w = client.watch("/api/v1/pods", rv, (ev) => {
        if (ev.type === "ERROR") {
          expired = true;
          w.stop();
          return;
        }
        if (ev.type === "BOOKMARK") return;
        rv = ev.object.metadata.resourceVersion;
        queue.push(ev);
        draining = draining.then(async () => {
          const e = queue.shift();
          await handle(e.type, e.object);
        });
      });
      await w.done;
      await draining;
      if (expired) log("watch expired; listing again");
    } catch (e) {
      log(`pod watch: ${e.message}; retrying`);
      await sleep(1000);
    }
  }
}

main().catch((e) => {
  log(`fatal: ${e.stack ?? e}`);
  process.exit(1);
});
