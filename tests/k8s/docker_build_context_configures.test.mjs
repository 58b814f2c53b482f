// The Docker build context that .dockerignore lets through (everything excluded, then a list of
// paths let in) holds what the Dockerfile's build stage needs: CMake configures it as the build
// stage does, with the tests off, and the paths the Dockerfile copies are in it. Building it
// fully takes minutes on two cores, so the test stops after configuring; the build stage's
// compile is the one the `build` stage of scripts/test.sh does with the same sources.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { root, tempDir } from "./lib.mjs";

function contextPaths() {
  const lines = fs.readFileSync(path.join(root, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  assert.equal(lines[0], "**", ".dockerignore no longer starts by excluding everything: update this test");
  assert.ok(lines.slice(1).every((l) => l.startsWith("!")), ".dockerignore excludes after letting in: update this test");
  return lines.slice(1).map((l) => l.slice(1).replace(/\/$/, ""));
}

test("every path the Dockerfile copies from the context is let in by .dockerignore", () => {
  const allowed = contextPaths();
  const copies = [...fs.readFileSync(path.join(root, "Dockerfile"), "utf8").matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
  assert.ok(copies.length > 0);
  for (const src of copies) {
    const p = src.replace(/\/$/, "");
    assert.ok(p === "." || allowed.includes(p), `COPY ${src}: not in the build context`);
  }
});

test("the build context configures with CMake as the build stage does", () => {
  const dir = path.join(tempDir("docker"), "src");
  for (const p of contextPaths()) fs.cpSync(path.join(root, p), path.join(dir, p), { recursive: true });
  execFileSync("cmake", ["-S", dir, "-B", path.join(dir, "..", "build"), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release", "-DSCHEMAGATE_TESTS=OFF"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  assert.match(fs.readFileSync(path.join(root, "Dockerfile"), "utf8"), /-DCMAKE_BUILD_TYPE=Release -DSCHEMAGATE_TESTS=OFF/, "the Dockerfile configures otherwise: update this test");
});
