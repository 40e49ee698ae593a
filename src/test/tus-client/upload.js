// Uploads videos with tus-js-client (the tus project's own client) to the iGait backend's /api/v1/files,
// then submits the upload form naming them, as an app would. Used by the tests (edu.niu.igait.resumable)
// and bench/resumable. One argument: a JSON object
//   endpoint     http://127.0.0.1:PORT/api/v1/files
//   tokenFile    a file holding the Firebase ID token, read again for every request (a test replaces it
//                mid-upload, as an app whose token expired does)
//   files        [{field, path, name, type}]: each is uploaded, in order (or at once with parallel: true)
//   chunkSize    bytes per PATCH (default: the whole file in one)
//   retryDelays  tus-js-client's (default [0, 200, 500, 1000, 2000])
//   pauseAfter   {field, bytes, ms}: abort that upload once this many bytes went out, wait, start it again
//   form         {url, fields}: the form posted (multipart) once every upload is finished, each file's
//                field holding its upload's URL
// Prints one JSON object: the upload URLs, the form's answer, the times (ms since start) of the last
// byte acknowledged and of the form's answer, and the bytes each PATCH sent.
'use strict';
const fs = require('fs');
const tus = require('tus-js-client');

const config = JSON.parse(process.argv[2]);
// Node loads its fetch and FormData (undici) on first use, some 50 ms: done before the clock starts, as an
// app has them loaded long before its form goes, so the time from the last byte to the form's answer is
// the service's and the network's.
new FormData();
const started = process.hrtime.bigint();
const now = () => Number(process.hrtime.bigint() - started) / 1e6;
const token = () => fs.readFileSync(config.tokenFile, 'utf8').trim();
const out = { urls: {}, events: [], requests: { POST: 0, HEAD: 0, PATCH: 0 } };

function upload(file) {
  return new Promise((resolve, reject) => {
    const size = fs.statSync(file.path).size;
    let paused = false;
    const options = {
      endpoint: config.endpoint,
      uploadSize: size,
      chunkSize: config.chunkSize || Infinity,
      retryDelays: config.retryDelays || [0, 200, 500, 1000, 2000],
      metadata: { filename: file.name, filetype: file.type },
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (req) => {
        req.setHeader('Authorization', 'Bearer ' + token());
        out.requests[req.getMethod()] = (out.requests[req.getMethod()] || 0) + 1;
      },
      onAfterResponse: (req, res) => {
        if (res.getStatus() >= 400) {
          out.events.push({ field: file.field, method: req.getMethod(), status: res.getStatus(), at: now() });
        }
      },
      onShouldRetry: (err, attempt, opts) => {
        out.events.push({ field: file.field, retry: attempt, error: String(err.message).slice(0, 200), at: now() });
        const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        return !(status >= 400 && status < 500) || status === 409 || status === 423;
      },
      onError: reject,
      onSuccess: () => resolve({ url: tusUpload.url, at: now() }),
      onProgress: (sent) => {
        const p = config.pauseAfter;
        if (p && p.field === file.field && !paused && sent >= p.bytes) {
          paused = true;
          out.events.push({ field: file.field, paused: sent, at: now() });
          tusUpload.abort().then(() => setTimeout(() => {
            out.events.push({ field: file.field, resumed: true, at: now() });
            tusUpload.start();
          }, p.ms || 200));
        }
      },
    };
    const tusUpload = new tus.Upload(fs.createReadStream(file.path), options);
    tusUpload.start();
  });
}

async function main() {
  const results = [];
  if (config.parallel) {
    results.push(...(await Promise.all(config.files.map(upload))));
  } else {
    for (const file of config.files) {
      results.push(await upload(file));
    }
  }
  config.files.forEach((f, i) => { out.urls[f.field] = results[i].url; });
  out.lastByteAt = Math.max(...results.map((r) => r.at));
  if (config.form) {
    const form = new FormData();
    for (const [k, v] of Object.entries(config.form.fields || {})) form.append(k, v);
    for (const f of config.files) form.append(f.field, out.urls[f.field]);
    const sentAt = now();
    const res = await fetch(config.form.url, { method: 'POST', body: form, headers: { Authorization: 'Bearer ' + token() } });
    out.form = { status: res.status, body: await res.text(), sentAt, answeredAt: now() };
  }
  out.endedAt = now();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  out.error = String(e && e.message ? e.message : e);
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(1);
});
