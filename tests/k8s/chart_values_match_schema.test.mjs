// values.schema.json (draft-07, as Helm reads it) accepts the chart's default values.yaml and
// every example in charts/schemagate/examples/, and describes every value it allows.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { chartDir, chartValuesValidator as validator, coalesce, exampleValues, readYamlDocs, root } from "./lib.mjs";

const schema = JSON.parse(fs.readFileSync(path.join(chartDir, "values.schema.json"), "utf8"));
const defaults = readYamlDocs(path.join(chartDir, "values.yaml"))[0];

test("the schema is draft-07 and compiles in strict mode", () => {
  assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  validator();
});

test("the default values.yaml matches the schema", () => {
  const validate = validator();
  assert.ok(validate(defaults), JSON.stringify(validate.errors, null, 2));
});

const examples = exampleValues();
test("there are example values files", () => assert.ok(examples.length >= 2));
for (const file of examples) {
  test(`${path.relative(root, file)} matches the schema`, () => {
    const validate = validator();
    const values = coalesce(defaults, readYamlDocs(file)[0]);
    assert.ok(validate(values), JSON.stringify(validate.errors, null, 2));
  });
}

test("every property in the schema has a description", () => {
  const missing = [];
  const walk = (node, where) => {
    if (!node || typeof node !== "object") return;
    for (const [name, prop] of Object.entries(node.properties ?? {})) {
      const target = prop.$ref ? schema.definitions[prop.$ref.split("/").pop()] : prop;
      if (!prop.description && !target?.description) missing.push(`${where}.${name}`);
      walk(prop, `${where}.${name}`);
      if (prop.$ref) walk(target, `${where}.${name}`);
    }
  };
  walk(schema, "");
  assert.deepEqual(missing, []);
});

test("every key of values.yaml is in the schema", () => {
  // additionalProperties: false on every object already makes this hold; check it stays so.
  const open = [];
  const walk = (node, where) => {
    if (!node || typeof node !== "object") return;
    const target = node.$ref ? schema.definitions[node.$ref.split("/").pop()] : node;
    if (target.type === "object" && target.properties && target.additionalProperties !== false) open.push(where || "(root)");
    for (const [name, prop] of Object.entries(target.properties ?? {})) walk(prop, `${where}.${name}`);
  };
  walk(schema, "");
  assert.deepEqual(open, []);
});
