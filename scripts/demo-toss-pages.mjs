// The demo's pager in front of Prism. Prism answers GET /v1/settlements with the spec's first example for every
// page, so a window would never end: settle confirms a short last page by asking for the page after it, and the
// demo's one-page window would always seem to go on. This proxy asks Prism for the spec's `empty` example
// (`Prefer: example=empty`, what Toss answers past the last page) for every page after the first; everything
// else goes to Prism as it came. Usage: node scripts/demo-toss-pages.mjs <listen port> <Prism URL>
import { createServer, request } from 'node:http';

const [port = '4011', target = 'http://127.0.0.1:4010'] = process.argv.slice(2);
const upstream = new URL(target);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', upstream);
  const headers = { ...req.headers, host: upstream.host };
  if (url.pathname === '/v1/settlements' && Number(url.searchParams.get('page') ?? '1') > 1) headers.prefer = 'example=empty';
  const forward = request(url, { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  forward.on('error', (error) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`demo pager: Prism at ${target} did not answer: ${error.message}\n`);
  });
  req.pipe(forward);
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`demo pager: 127.0.0.1:${port} -> ${target}\n`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
