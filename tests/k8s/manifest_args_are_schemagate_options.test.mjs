// Every schemagate command line in deploy/ and the chart (each rendering, and the init container
// NOTES.txt suggests) names a command and options the built binary has, as its --help lists them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { deployObjects, exampleValues, podSpecs, renderChart, root } from "./lib.mjs";

const binary = process.env.SCHEMAGATE;
const help = (args) => {
  try {
    return execFileSync(binary, [...args, "--help"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    return `${e.stdout}${e.stderr}`;
  }
};

function commandLines() {
  const lines = [];
  const add = (items) => {
    for (const item of items) {
      for (const spec of podSpecs(item.object)) {
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
          if (/(^|\/)schemagate(:|$)/.test(c.image)) lines.push({ where: `${item.source}: ${item.object.kind}/${item.object.metadata.name} ${c.name}`, args: c.args });
        }
      }
    }
  };
  add(deployObjects({ monitoring: true }).objects);
  for (const values of [[], ...exampleValues().map((f) => [f])]) {
    add(renderChart(values));
    const notes = renderChart(values, { notes: true });
    const m = /args: (\[.*\])/.exec(notes);
    assert.ok(m, "NOTES.txt shows no init container args");
    lines.push({ where: `NOTES.txt with ${values.map((f) => path.relative(root, f)).join(", ") || "default values"}`, args: JSON.parse(m[1]) });
  }
  return lines;
}

function problemsOf(lines) {
  const top = help([]);
  const problems = [];
  for (const { where, args } of lines) {
    const [command, ...rest] = args;
    if (!new RegExp(`^  ${command} `, "m").test(top)) {
      problems.push(`${where}: no command ${command}`);
      continue;
    }
    const options = help([command]);
    for (const a of rest.filter((x) => x.startsWith("--"))) {
      const name = a.split("=")[0];
      if (!new RegExp(`^\\s+${name}(\\s|$)`, "m").test(options)) problems.push(`${where}: \`schemagate ${command}\` has no option ${name}`);
    }
  }
  return problems;
}

test("every schemagate command line in the manifests uses the binary's commands and options", () => {
  const lines = commandLines();
  assert.ok(lines.length >= 6, "too few command lines found");
  assert.deepEqual(problemsOf(lines), []);
});

test("the check reports an unknown command and an unknown option", () => {
  const found = problemsOf([
    { where: "a", args: ["migrate", "--dir=/migrations"] },
    { where: "b", args: ["upgrade", "--dir=/migrations", "--no-such-option=1"] },
  ]);
  assert.deepEqual(found, ["a: no command migrate", "b: `schemagate upgrade` has no option --no-such-option"]);
});
