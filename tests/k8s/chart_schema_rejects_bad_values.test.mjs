// values.schema.json rejects each file in fixtures/bad-values/, for the reason its first line
// (`# rejects: MESSAGE`) names, so a file rejected for another reason fails the test.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { chartDir, chartValuesValidator as validator, coalesce, listFiles, readYamlDocs } from "./lib.mjs";

const defaults = readYamlDocs(path.join(chartDir, "values.yaml"))[0];
const dir = path.join(path.dirname(new URL(import.meta.url).pathname), "fixtures", "bad-values");

for (const file of listFiles(dir, (f) => f.endsWith(".yaml"))) {
  test(`${path.basename(file)} is rejected`, () => {
    const expected = /^# rejects: (.*)$/m.exec(fs.readFileSync(file, "utf8"))?.[1];
    assert.ok(expected, "the file does not say why it must be rejected (# rejects: MESSAGE)");
    const validate = validator();
    assert.equal(validate(coalesce(defaults, readYamlDocs(file)[0])), false, "accepted");
    const messages = validate.errors.map((e) => `${e.instancePath} ${e.message}`.trim());
    assert.ok(messages.some((m) => m.startsWith(expected)), `expected "${expected}", got: ${messages.join("; ")}`);
  });
}
