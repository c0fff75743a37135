// A loopback OpenLineage endpoint for the throughput benchmark, run as its own process so that neither client
// shares a CPU thread with the server: parses each JSON body, answers 201 with an empty body like Marquez.
// Prints `PORT <n>` when listening; `GET /count` returns the events received.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

let received = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/count') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/api/v1/lineage') {
      res.writeHead(404);
      res.end();
      return;
    }
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    try {
      const event = JSON.parse(body.toString('utf8'));
      if (typeof event.run?.runId !== 'string') throw new Error('no runId');
    } catch {
      res.writeHead(400);
      res.end();
      return;
    }
    received++;
    res.writeHead(201);
    res.end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => console.log(`PORT ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
