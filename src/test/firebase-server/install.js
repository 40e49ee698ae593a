// Installs the node_modules of the working folder (a test peer or client: src/test/firebase-server,
// src/test/tus-client) with `npm ci` (no install scripts: none of them is needed) unless they already
// match its package-lock.json. Maven runs it in generate-test-resources (exec-maven-plugin) as:
//   node <path>/install.js <skipTests> <maven.test.skip>
// Either argument being "true" skips the install: no test will use these packages then.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const dir = process.cwd();
const name = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name;
if (process.argv.slice(2).some((a) => a === 'true')) {
  console.log(`${name}: tests skipped, npm ci skipped`);
  process.exit(0);
}
const lock = fs.readFileSync(path.join(dir, 'package-lock.json'));
const digest = crypto.createHash('sha256').update(lock).digest('hex');
const stamp = path.join(dir, 'node_modules', '.installed-lock-sha256');
const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies || {});
const present = deps.every((d) => fs.existsSync(path.join(dir, 'node_modules', d, 'package.json')));
if (present && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === digest) {
  console.log(`${name}: node_modules up to date`);
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.error(`${name}: npm ci failed (exit ${r.status}${r.error ? ', ' + r.error.message : ''})`);
  process.exit(r.status || 1);
}
fs.writeFileSync(stamp, digest + '\n');
