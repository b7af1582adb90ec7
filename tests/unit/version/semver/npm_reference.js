// Reference answers from npm's `semver` package for version_semver_differential_test.
// Usage: node npm_reference.js MODE INPUT  (NODE_PATH points at tests/tools/node_modules)
//   compare: lines "HEX_A HEX_B"      -> "VALID_A VALID_B CMP" (CMP "-" unless both valid)
//   range:   lines "HEX_V HEX_RANGE"  -> "E" when new Range() throws, else
//                                        "SATISFIED<TAB>new Range(r).range"
// Strings are hex-encoded UTF-8 so that any byte survives the trip.
'use strict'
const fs = require('fs')
const semver = require('semver')

const [mode, input] = process.argv.slice(2)
const decode = (hex) => (hex === '-' ? '' : Buffer.from(hex, 'hex').toString('utf8'))
const valid = (v) => {
  try {
    return new semver.SemVer(v)
  } catch (e) {
    return null
  }
}
const out = []
for (const line of fs.readFileSync(input, 'utf8').split('\n')) {
  if (line === '') continue
  const [x, y] = line.split(' ').map(decode)
  if (mode === 'compare') {
    const a = valid(x)
    const b = valid(y)
    out.push(`${a ? 1 : 0} ${b ? 1 : 0} ${a && b ? semver.compare(a, b) : '-'}`)
  } else {
    let range
    try {
      range = new semver.Range(y)
    } catch (e) {
      out.push('E')
      continue
    }
    out.push(`${range.test(x) ? 1 : 0}\t${range.range}`)
  }
}
fs.writeFileSync(1, out.join('\n') + '\n')
