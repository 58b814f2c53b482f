// Every YAML file of deploy/ and charts/ (chart templates aside: they are Go templates, checked
// once rendered) parses strictly: no syntax error, duplicate key, tab or alias; and every JSON
// file parses.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { chartDir, deployDir, listFiles, readYamlDocs, root } from "./lib.mjs";

const isTemplate = (f) => /^charts\/[^/]+\/templates\//.test(f);
const yamlFiles = [
  ...listFiles(deployDir, (f) => /\.ya?ml$/.test(f)),
  ...listFiles(path.join(root, "charts"), (f) => /\.ya?ml$/.test(f) && !isTemplate(f)),
];

test("the YAML files of deploy/ and charts/ are found", () => {
  const names = yamlFiles.map((f) => path.relative(root, f));
  for (const expected of ["deploy/kustomization.yaml", "deploy/job.yaml", "charts/schemagate/Chart.yaml", "charts/schemagate/values.yaml"]) {
    assert.ok(names.includes(expected), `${expected} missing from ${names.join(", ")}`);
  }
});

for (const file of yamlFiles) {
  test(`${path.relative(root, file)} is well-formed YAML`, () => {
    const docs = readYamlDocs(file);
    assert.ok(docs.length > 0, "no document");
    for (const doc of docs) assert.equal(typeof doc, "object", "a document that is not a mapping");
  });
}

for (const file of listFiles(chartDir, (f) => f.endsWith(".json"))) {
  test(`${path.relative(root, file)} is well-formed JSON`, () => {
    JSON.parse(fs.readFileSync(file, "utf8"));
  });
}
