// Installs this folder's node_modules with `npm ci` (no install scripts: none of them is needed) unless they already match package-lock.json.
// Maven runs it in generate-test-resources (exec-maven-plugin) as:
//   node install.js <skipTests> <maven.test.skip>
// Either argument being "true" skips the install: no test will start the Firebase peer then.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

if (process.argv.slice(2).some((a) => a === 'true')) {
  console.log('firebase-server peer: tests skipped, npm ci skipped');
  process.exit(0);
}
const dir = __dirname;
const lock = fs.readFileSync(path.join(dir, 'package-lock.json'));
const digest = crypto.createHash('sha256').update(lock).digest('hex');
const stamp = path.join(dir, 'node_modules', '.installed-lock-sha256');
const bin = path.join(dir, 'node_modules', 'firebase-server', 'package.json');
if (fs.existsSync(bin) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === digest) {
  console.log('firebase-server peer: node_modules up to date');
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.error(`firebase-server peer: npm ci failed (exit ${r.status}${r.error ? ', ' + r.error.message : ''})`);
  process.exit(r.status || 1);
}
fs.writeFileSync(stamp, digest + '\n');
