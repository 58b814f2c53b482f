// The migration Job's podFailurePolicy follows the exit codes (README, "Exit codes", and the
// table k_exit_codes in src/schemagate/util/error.hpp): 3 (lock timeout) and 5 (database
// unreachable) are retried; 1 (migration failed), 2 (usage or configuration), 4 (integrity)
// and 70 (an internal error) fail the Job at once. In deploy/ and in the chart.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { deployObjects, exampleValues, renderChart, root } from "./lib.mjs";

const retry = [3, 5];
const fail = [1, 2, 4, 70];

function checkJob(job) {
  const spec = job.spec;
  const pod = spec.template.spec;
  assert.equal(pod.restartPolicy, "Never", "podFailurePolicy needs restartPolicy Never");
  for (const field of ["backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"]) {
    assert.ok(Number.isInteger(spec[field]) && spec[field] >= 0, `${field} is ${spec[field]}`);
  }
  assert.equal(pod.containers.length, 1, "one container: the rules name it");
  const byAction = {};
  const seen = [];
  for (const rule of spec.podFailurePolicy.rules) {
    if (!rule.onExitCodes) continue;
    assert.equal(rule.onExitCodes.operator, "In", `rule ${rule.action}: operator`);
    assert.equal(rule.onExitCodes.containerName, pod.containers[0].name, `rule ${rule.action}: containerName`);
    (byAction[rule.action] ??= []).push(...rule.onExitCodes.values);
    seen.push(...rule.onExitCodes.values);
  }
  assert.deepEqual([...seen].sort(), [...new Set(seen)].sort(), "an exit code in more than one rule");
  assert.deepEqual((byAction.FailJob ?? []).sort(), fail, "FailJob codes");
  assert.deepEqual([...(byAction.Count ?? []), ...(byAction.Ignore ?? [])].sort(), retry, "retried (Count, Ignore) codes");
  assert.deepEqual(Object.keys(byAction).filter((a) => !["FailJob", "Count", "Ignore"].includes(a)), [], "other actions on exit codes");
}

test("the README's exit code table retries exactly 3 and 5 (for any command) and never 1, 2, 4 and 70", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Exit codes"));
  const rows = [...section.matchAll(/^\| (\d+) \|.*\| ([^|]*) \|$/gm)].map((m) => [Number(m[1]), m[2].trim()]);
  // "yes, for wait" and the like retry only other commands than the Job's upgrade
  assert.deepEqual(rows.filter(([, r]) => r === "yes").map(([c]) => c).sort(), retry);
  for (const code of fail) assert.ok(rows.some(([c, r]) => c === code && r.startsWith("no")), `exit ${code} is not "no" in the README`);
});

test("deploy/'s Job maps the exit codes", () => {
  const jobs = deployObjects().objects.filter((i) => i.object.kind === "Job");
  assert.equal(jobs.length, 1);
  checkJob(jobs[0].object);
});

for (const values of [[], ...exampleValues().map((f) => [f])]) {
  const name = values.length ? path.relative(root, values[0]) : "default values";
  test(`the chart's Job maps the exit codes (${name})`, () => {
    const jobs = renderChart(values).filter((i) => i.object.kind === "Job");
    assert.equal(jobs.length, 1);
    checkJob(jobs[0].object);
  });
}

test("the check rejects a policy that retries a failed migration", () => {
  const job = structuredClone(deployObjects().objects.find((i) => i.object.kind === "Job").object);
  job.spec.podFailurePolicy.rules.find((r) => r.action === "FailJob").onExitCodes.values = [2, 4];
  job.spec.podFailurePolicy.rules.find((r) => r.action === "Count").onExitCodes.values = [1, 3, 5];
  assert.throws(() => checkJob(job), /FailJob codes/);
});
