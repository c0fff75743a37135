// @ts-check
// Loopback sink for the delivery bench, in its own process: parses each JSON body and answers like the real
// backends (DataHub Rest.li 200 {"value":…}, OpenLineage 201 empty).
import http from 'node:http';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (req.url?.startsWith('/aspects')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"value":"success"}');
    } else {
      res.writeHead(201);
      res.end();
    }
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: /** @type {import('node:net').AddressInfo} */ (server.address()).port }));
