// Every pod of deploy/ and of the chart meets the "restricted" Pod Security Standard and runs as
// the image's user, with a read-only root filesystem, no service account token, and resource
// requests and limits: each container and init container, in every rendering.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { chartDir, deployObjects, describe, exampleValues, listFiles, podSpecs, renderChart, root } from "./lib.mjs";

const allowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/** The problems of one pod spec, each naming where. */
export function podProblems(spec, where) {
  const out = [];
  const need = (ok, what) => ok || out.push(`${where}: ${what}`);
  const psc = spec.securityContext ?? {};
  need(psc.runAsNonRoot === true, "pod securityContext.runAsNonRoot is not true");
  need(psc.runAsUser === 65532, "pod securityContext.runAsUser is not 65532");
  need(psc.seccompProfile?.type === "RuntimeDefault", "pod securityContext.seccompProfile is not RuntimeDefault");
  need(spec.automountServiceAccountToken === false, "automountServiceAccountToken is not false");
  for (const host of ["hostNetwork", "hostPID", "hostIPC"]) need(!spec[host], `${host} is set`);
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== "name");
    need(allowedVolumes.includes(type), `volume ${v.name} is of type ${type}, not allowed by the restricted standard`);
  }
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  need(containers.length > 0, "no containers");
  for (const c of containers) {
    const at = `container ${c.name}`;
    const sc = c.securityContext ?? {};
    need(sc.allowPrivilegeEscalation === false, `${at}: allowPrivilegeEscalation is not false`);
    need(sc.privileged !== true, `${at}: privileged`);
    need(sc.readOnlyRootFilesystem === true, `${at}: readOnlyRootFilesystem is not true`);
    need(sc.runAsNonRoot === true, `${at}: runAsNonRoot is not true`);
    need(sc.runAsUser === 65532, `${at}: runAsUser is not 65532`);
    need(sc.seccompProfile?.type === "RuntimeDefault", `${at}: seccompProfile is not RuntimeDefault`);
    need((sc.capabilities?.drop ?? []).includes("ALL"), `${at}: capabilities do not drop ALL`);
    need((sc.capabilities?.add ?? []).every((cap) => cap === "NET_BIND_SERVICE"), `${at}: adds capabilities`);
    for (const kind of ["requests", "limits"]) {
      for (const res of ["cpu", "memory"]) need(c.resources?.[kind]?.[res] !== undefined, `${at}: no ${res} in resources.${kind}`);
    }
  }
  return out;
}

function check(items) {
  const pods = items.flatMap((i) => podSpecs(i.object).map((spec) => [spec, describe(i)]));
  assert.ok(pods.length > 0, "no pods");
  assert.deepEqual(pods.flatMap(([spec, where]) => podProblems(spec, where)), []);
}

test("deploy/'s pods run restricted", () => check(deployObjects().objects));

const renders = [[], ...exampleValues().map((f) => [f])].map((values) => ({ values, items: renderChart(values) }));
for (const { values, items } of renders) {
  test(`the chart's pods run restricted (${values.length ? path.relative(root, values[0]) : "default values"})`, () => check(items));
}

test("every chart template that makes a pod is rendered by one of the checks above", () => {
  const templates = listFiles(path.join(chartDir, "templates"), (f) => f.endsWith(".yaml"));
  const withPods = templates.filter((f) => /^\s*containers:/m.test(fs.readFileSync(f, "utf8")));
  assert.ok(withPods.length >= 2, "no template with containers");
  const rendered = new Set(renders.flatMap((r) => r.items.filter((i) => podSpecs(i.object).length).map((i) => path.basename(i.template))));
  assert.deepEqual(withPods.map((f) => path.basename(f)).filter((f) => !rendered.has(f)), []);
  for (const f of withPods) {
    const text = fs.readFileSync(f, "utf8");
    assert.match(text, /include "schemagate\.podSecurityContext"/, `${path.basename(f)}: no pod securityContext`);
    assert.match(text, /include "schemagate\.containerSecurityContext"/, `${path.basename(f)}: no container securityContext`);
  }
});

test("the check reports a container that may escalate privileges", () => {
  const job = structuredClone(deployObjects().objects.find((i) => i.object.kind === "Job").object);
  job.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
  delete job.spec.template.spec.securityContext.seccompProfile;
  const found = podProblems(job.spec.template.spec, "Job");
  assert.equal(found.length, 2, found.join("\n"));
});
