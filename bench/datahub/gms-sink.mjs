// @ts-check
// A loopback GMS for the DataHub bench, in its own process: parses each JSON body (and each aspect string) and
// answers like GMS (Rest.li 200 {"value": …}; /config with noCode so DataHub's SDK accepts it).
import http from 'node:http';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/config')) {
      res.end(JSON.stringify({ noCode: 'true', versions: { 'acryldata/datahub': { version: 'v1.2.0' } } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const p of body.proposals ?? [body.proposal]) JSON.parse(p.aspect.value);
    res.end('{"value":"success"}');
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${/** @type {import('node:net').AddressInfo} */ (server.address()).port}\n`));
