// The Dockerfile's runtime stage installs every shared library the built binary needs. No
// container engine runs here, so instead of running the image, each library `ldd` reports for
// the binary is mapped to its Debian package with `dpkg -S` (this machine is Debian bookworm, as
// the image is), and:
//  - a library the binary links directly (readelf's NEEDED) must come from a package the runtime
//    stage's `apt-get install` names, or from libc6, libgcc-s1 or libstdc++6;
//  - every other library (a dependency of those) must come from a package in the dependency
//    closure (Depends and Pre-Depends) of those packages.
//  - and every package the runtime stage names owns a library `ldd` reports, but ca-certificates
//    (for https): a package left behind when a library stops being linked is reported too.
// libc6 (glibc, with the dynamic loader, libm and libresolv), libgcc-s1 and libstdc++6 are in
// every debian:bookworm-slim image, since apt, which the runtime stage itself runs to install
// the rest, depends on each of them; the test checks that dependency too. linux-vdso.so.1 is
// provided by the kernel and has no file.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { root } from "./lib.mjs";

const base = ["libc6", "libgcc-s1", "libstdc++6"];
/** Packages the runtime stage may install although the binary links no library of theirs. */
const notLibraries = ["ca-certificates"];
const binary = process.env.SCHEMAGATE;
const run = (cmd, args) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** The packages the last stage's `apt-get install` commands name. */
export function runtimePackages(dockerfile) {
  const lines = dockerfile.replace(/\\\n/g, " ").split("\n").filter((l) => !/^\s*#/.test(l));
  const stages = [];
  for (const line of lines) {
    if (/^\s*FROM\s/i.test(line)) stages.push({ from: line.trim(), lines: [] });
    else if (stages.length) stages.at(-1).lines.push(line);
  }
  const last = stages.at(-1);
  const packages = [];
  for (const line of last.lines.filter((l) => /^\s*RUN\s/i.test(l))) {
    for (const command of line.replace(/^\s*RUN\s+/i, "").split(/&&|;|\|\|/)) {
      const words = command.trim().split(/\s+/);
      const i = words.findIndex((w, j) => w === "install" && /(^|\/)apt(-get)?$/.test(words[j - 1] ?? ""));
      if (i < 0) continue;
      packages.push(...words.slice(i + 1).filter((w) => w && !w.startsWith("-") && !w.includes("=")));
    }
  }
  return { from: last.from, packages };
}

/** [{name, path}] from `ldd`: path null for the vDSO, which has no file. */
function lddLibraries(file) {
  const libs = [];
  for (const line of run("ldd", [file]).split("\n").map((l) => l.trim()).filter(Boolean)) {
    let m;
    if ((m = /^(\S+) => not found/.exec(line))) throw new Error(`ldd: ${m[1]} not found: install the -dev packages first`);
    if ((m = /^(\S+) => (\/\S+) \(/.exec(line))) libs.push({ name: m[1], path: m[2] });
    else if ((m = /^(\/\S+) \(/.exec(line))) libs.push({ name: path.basename(m[1]), path: m[1] });
    else if ((m = /^(\S+) \(/.exec(line))) libs.push({ name: m[1], path: null });
  }
  return libs;
}

function neededLibraries(file) {
  return [...run("readelf", ["-d", file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

/** The package owning each file, by one `dpkg -S`: bookworm's /lib is a link to /usr/lib, and
 * dpkg knows a file under the one name its package ships it as, so both spellings (and the
 * link's target) are asked for. */
function owningPackages(files) {
  const spellings = new Map(files.map((file) => {
    const names = new Set([file, fs.realpathSync(file)]);
    for (const f of [...names]) names.add(f.startsWith("/usr/") ? f.slice(4) : `/usr${f}`);
    return [file, [...names]];
  }));
  let out;
  try {
    out = run("dpkg", ["-S", ...new Set([...spellings.values()].flat())]);
  } catch (e) {
    out = e.stdout ?? ""; // exit 1 when some spelling is unknown: the others are still listed
  }
  const owner = new Map();
  for (const line of out.split("\n")) {
    const m = /^([^:,\s]+)(?::[^:]+)?(?:, [^:]+)*: (\/.*)$/.exec(line);
    if (m) owner.set(m[2], m[1]);
  }
  return new Map(files.map((file) => {
    const pkg = spellings.get(file).map((f) => owner.get(f)).find(Boolean);
    if (!pkg) throw new Error(`dpkg -S: no package owns ${file}`);
    return [file, pkg];
  }));
}

function installedPackages() {
  const out = run("dpkg-query", ["-W", "-f", "${Package}\t${Status}\t${Provides}\t${Pre-Depends}\t${Depends}\n"]);
  const pkgs = new Map();
  const provides = new Map();
  const names = (s) => s.split(",").map((g) => g.split("|").map((a) => a.replace(/\(.*?\)/g, "").replace(/:\S+/, "").trim()).filter(Boolean)).filter((g) => g.length);
  for (const line of out.split("\n").filter(Boolean)) {
    const [name, status, prov, pre, dep] = line.split("\t");
    if (!status.endsWith(" installed")) continue;
    pkgs.set(name, names([pre, dep].filter(Boolean).join(",")));
    for (const [p] of names(prov ?? "")) if (!provides.has(p)) provides.set(p, name);
  }
  return { pkgs, provides };
}

/** The packages reachable from roots through Depends and Pre-Depends, taking the first installed
 * alternative of each `a | b` as apt would in a fresh image. */
export function closure(roots, { pkgs, provides }) {
  const seen = new Set();
  const todo = [...roots];
  while (todo.length) {
    const p = todo.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    for (const group of pkgs.get(p) ?? []) {
      const pick = group.map((a) => (pkgs.has(a) ? a : provides.get(a))).find(Boolean);
      if (pick) todo.push(pick);
    }
  }
  return seen;
}

/** Problems with a Dockerfile's runtime stage for the given libraries: [] when it covers them. */
export function problems(dockerfileText, libs, needed, dpkgDb) {
  const { packages } = runtimePackages(dockerfileText);
  const allowed = new Set([...packages, ...base]);
  const reachable = closure(allowed, dpkgDb);
  const out = [];
  for (const lib of libs.filter((l) => l.path)) {
    if (needed.includes(lib.name) && !allowed.has(lib.pkg)) {
      out.push(`${lib.name} is linked directly and comes from ${lib.pkg}, which the runtime stage does not install: add ${lib.pkg} to its apt-get install`);
    } else if (!reachable.has(lib.pkg)) {
      out.push(`${lib.name} comes from ${lib.pkg}, which no package of the runtime stage depends on: add ${lib.pkg} to its apt-get install`);
    }
  }
  return out;
}

/** Packages the Dockerfile's runtime stage installs that own none of the given libraries. */
export function unneeded(dockerfileText, libs) {
  const owners = new Set(libs.map((l) => l.pkg).filter(Boolean));
  return runtimePackages(dockerfileText).packages.filter((p) => !owners.has(p) && !notLibraries.includes(p));
}

const dockerfile = fs.readFileSync(path.join(root, "Dockerfile"), "utf8");
let cached;
/** The binary's libraries with their packages, and its NEEDED entries (computed once). */
function linked() {
  if (!cached) {
    const libs = lddLibraries(binary);
    const owners = owningPackages(libs.filter((l) => l.path).map((l) => l.path));
    cached = { libs: libs.map((l) => ({ ...l, pkg: l.path ? owners.get(l.path) : null })), needed: neededLibraries(binary), db: installedPackages() };
  }
  return cached;
}

test("the binary to check is built", () => {
  assert.ok(binary && fs.existsSync(binary), `SCHEMAGATE=${binary}: build first, run through CTest`);
});

// A sanitizer build links every library shared, as Debian ships it (cmake/lean_start.cmake); the
// image is built without sanitizers, so only a plain build's binary says what the image needs.
const sanitized = () => neededLibraries(binary).some((n) => /^lib(a|ub)san\.so/.test(n));

test("the runtime stage is debian bookworm-slim and runs as 65532 with schemagate as entrypoint", () => {
  const { from, packages } = runtimePackages(dockerfile);
  assert.match(from, /^FROM\s+debian:(\$\{DEBIAN_RELEASE\}|bookworm)-slim\b/i);
  assert.match(dockerfile, /^ARG DEBIAN_RELEASE=bookworm$/m);
  assert.ok(packages.length > 0, "no apt-get install in the runtime stage");
  const last = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  assert.match(last, /^USER 65532:65532$/m);
  assert.match(last, /^ENTRYPOINT \["schemagate"\]$/m);
  assert.deepEqual(packages.filter((p) => p.endsWith("-dev")), [], "a -dev package in the runtime stage");
});

test("libc6, libgcc-s1 and libstdc++6 come with apt, which the runtime stage runs", () => {
  const { db } = linked();
  const aptDeps = new Set((db.pkgs.get("apt") ?? []).map((g) => g[0]));
  for (const p of base) assert.ok(aptDeps.has(p), `apt does not depend on ${p} here: list it in the runtime stage`);
});

test("every library ldd reports comes from a package the runtime stage installs", (t) => {
  if (sanitized()) return t.skip("a sanitizer build: check a plain build's binary");
  const { libs, needed, db } = linked();
  for (const l of libs) t.diagnostic(`${l.name}${needed.includes(l.name) ? " (NEEDED)" : ""}: ${l.pkg ?? "the kernel's vDSO"}`);
  assert.ok(needed.length > 0 && libs.length >= needed.length, "readelf or ldd found nothing");
  for (const n of needed) assert.ok(libs.some((l) => l.name === n), `${n} is NEEDED but ldd does not list it`);
  assert.deepEqual(problems(dockerfile, libs, needed, db), []);
});

test("the check fails when the runtime stage misses a directly linked library's package", () => {
  // A test that cannot fail is a defect: drop one listed package and expect exactly its report.
  const { libs, needed, db } = linked();
  const victim = libs.find((l) => needed.includes(l.name) && !base.includes(l.pkg));
  assert.ok(victim, "the binary links no library outside the base image");
  const without = dockerfile.replace(new RegExp(`^\\s+${victim.pkg.replace(/[.+]/g, "\\$&")} \\\\\\n`, "m"), "");
  assert.notEqual(without, dockerfile, `could not remove ${victim.pkg} from the Dockerfile's list`);
  const found = problems(without, libs, needed, db);
  assert.ok(found.some((p) => p.includes(victim.pkg)), `removing ${victim.pkg} went unnoticed: ${found.join("; ")}`);
});

test("every package the runtime stage installs owns a library the binary links", (t) => {
  if (sanitized()) return t.skip("a sanitizer build: check a plain build's binary");
  const { libs } = linked();
  assert.deepEqual(unneeded(dockerfile, libs), [], "the binary links no library of these packages: drop them from the runtime stage");
});

test("the check fails when the runtime stage installs a package the binary does not link", () => {
  const { libs } = linked();
  const extra = dockerfile.replace(/^(\s+)libpq5 \\\n/m, "$1libpq5 \\\n$1libnothing-linked0 \\\n");
  assert.notEqual(extra, dockerfile, "could not add a package to the Dockerfile's list");
  assert.ok(unneeded(extra, libs).includes("libnothing-linked0"), "an extra package went unnoticed");
});
