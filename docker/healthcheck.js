#!/usr/bin/env node
// Container health check: `node docker/healthcheck.js [/health/live]`.
// The runtime image is slim (no curl, no wget), so this uses node's own http module and no dependency.
// Exits 0 when http://127.0.0.1:$PORT<path> answers 2xx within 4 s, else 1.
const http = require('node:http');

const path = process.argv[2] || '/health/live';
const port = Number(process.env.PORT || 3000);

const request = http.get({ host: '127.0.0.1', port, path, timeout: 4000 }, (response) => {
  response.resume();
  process.exit(response.statusCode >= 200 && response.statusCode < 300 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', () => process.exit(1));
