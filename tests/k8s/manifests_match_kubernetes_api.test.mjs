// Every object of deploy/ (as `kubectl apply -k deploy/` renders it, with and without the
// monitoring component, and the example Secret) and of the chart (rendered with its default
// values and with each example) matches the Kubernetes API schemas: kubernetes-models'
// validators (types, enums, formats, required fields) and the same models' TypeScript types
// (no field the API does not have). See lib.mjs, apiSchemaProblems.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { apiSchemaProblems, deployDir, deployObjects, exampleValues, readYamlDocs, renderChart, root } from "./lib.mjs";

const sets = [
  ["deploy/", () => deployObjects().objects],
  ["deploy/ with the monitoring component", () => deployObjects({ monitoring: true }).objects],
  ["deploy/secret.example.yaml", () => readYamlDocs(path.join(deployDir, "secret.example.yaml")).map((object) => ({ source: "deploy/secret.example.yaml", object }))],
  ["the chart with its default values", () => renderChart()],
  ...exampleValues().map((f) => [`the chart with ${path.relative(root, f)}`, () => renderChart([f])]),
];

test("deploy/ is rendered by kustomize, not read raw", { skip: deployObjects().rendered ? false : "no kustomize or kubectl here: raw resource files checked instead" }, () => {});

for (const [name, load] of sets) {
  test(`${name}: every object matches the Kubernetes API schemas`, async () => {
    const items = load();
    assert.ok(items.length > 0, "no objects");
    assert.deepEqual(await apiSchemaProblems(items), []);
  });
}

test("the check catches an unknown field and a wrong type", async () => {
  // A test that cannot fail is a defect: a container field in the pod's securityContext (which
  // the API server drops) and a string where an integer belongs must both be reported.
  const job = structuredClone(deployObjects().objects.find((i) => i.object.kind === "Job"));
  job.object.spec.template.spec.securityContext.readOnlyRootFilesystem = true;
  job.object.spec.backoffLimit = "4";
  const found = await apiSchemaProblems([job]);
  assert.ok(found.some((p) => p.includes("readOnlyRootFilesystem")), found.join("\n"));
  assert.ok(found.some((p) => p.includes("backoffLimit")), found.join("\n"));
});
