#!/usr/bin/env node
// Validates one of bulwark's output documents against the official JSON schema of its format,
// as published in npm packages (pinned in package.json; run `npm ci` in this folder first):
//   sarif            SARIF 2.1.0 (sarif-2.1.0-rtm.5.json, shipped by @microsoft/jest-sarif)
//   cyclonedx-1.5    CycloneDX 1.5 JSON (bom-1.5 + spdx + jsf, shipped and wired by
//                    @cyclonedx/cyclonedx-library's own validator)
// Usage: node validate.js FORMAT FILE [FORMAT FILE]...   (one process for many documents: the
// schemas compile once per format)
// Prints "valid FORMAT FILE" or "invalid FORMAT FILE" and the schema errors, per document.
// Exit status: 0 all valid, 1 some invalid, 2 usage or unreadable input.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

function fail(status, message) {
  process.stderr.write(`validate.js: ${message}\n`);
  process.exit(status);
}

let sarifValidator;  // compiled once
function compileSarif() {
  const AjvDraft04 = require('ajv-draft-04');
  const addFormats = require('ajv-formats');
  const schemaPath = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')),
                               'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  // The schema's "language" pattern is not valid in Unicode mode (an extra ']'): plain
  // regular expressions, as the schema's authors (and ajv 6) used them.
  const ajv = new AjvDraft04({allErrors: true, strict: false, unicodeRegExp: false});
  addFormats(ajv);
  return ajv.compile(schema);
}

async function validateSarif(text) {
  sarifValidator = sarifValidator || compileSarif();
  const document = JSON.parse(text);
  if (document.version !== '2.1.0') return [`version is ${document.version}, not 2.1.0`];
  return sarifValidator(document) ? null : sarifValidator.errors;
}

let cycloneDxValidator;  // the library caches its compiled schema per instance
async function validateCycloneDx15(text) {
  if (!cycloneDxValidator) {
    const cdx = require('@cyclonedx/cyclonedx-library');
    cycloneDxValidator = new cdx.Validation.JsonValidator(cdx.Spec.Version.v1dot5);
  }
  const document = JSON.parse(text);
  if (document.specVersion !== '1.5') return [`specVersion is ${document.specVersion}, not 1.5`];
  return cycloneDxValidator.validate(text);
}

async function main() {
  const args = process.argv.slice(2);
  const validators = {'sarif': validateSarif, 'cyclonedx-1.5': validateCycloneDx15};
  if (args.length === 0 || args.length % 2 !== 0 ||
      args.some((arg, i) => i % 2 === 0 && !validators[arg])) {
    fail(2, 'usage: node validate.js sarif|cyclonedx-1.5 FILE [FORMAT FILE]...');
  }
  let invalid = 0;
  for (let i = 0; i < args.length; i += 2) {
    const [format, file] = [args[i], args[i + 1]];
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      fail(2, `cannot read ${file}: ${err.message}`);
    }
    let errors;
    try {
      errors = await validators[format](text);
    } catch (err) {
      errors = [err.message];
    }
    if (errors) {
      ++invalid;
      process.stdout.write(`invalid ${format} ${file}\n${JSON.stringify(errors, null, 2)}\n`);
    } else {
      process.stdout.write(`valid ${format} ${file}\n`);
    }
  }
  process.exit(invalid === 0 ? 0 : 1);
}

main();
