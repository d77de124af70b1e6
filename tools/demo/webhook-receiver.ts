/**
 * A signed-webhook receiver for the demo: verifies each delivery's Standard Webhooks signature with the
 * secret the demo subscription was given and prints one line per delivery.
 *
 *   DEMO_WEBHOOK_SECRET=whsec_... node dist/tools/demo/webhook-receiver.js --port 3102
 */
import * as http from 'node:http';
import { verify } from '@dualwatch/notify';

const port = Number(process.argv[process.argv.indexOf('--port') + 1] || 3102);
const secret = process.env.DEMO_WEBHOOK_SECRET ?? '';
if (!secret) {
  console.error('[webhook] DEMO_WEBHOOK_SECRET is required');
  process.exit(2);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const ok = verify(secret, req.headers, body);
    let what = '';
    try {
      const doc = JSON.parse(body) as { type?: string; data?: { kind?: string; orderId?: string; assessment?: { verdict?: string } } };
      what = `${doc.type ?? ''} ${doc.data?.kind ?? ''} ${doc.data?.orderId ?? ''} ${doc.data?.assessment?.verdict ?? ''}`.trim();
    } catch {
      what = `${body.length} bytes`;
    }
    console.log(`[webhook] ${ok ? 'signature ok ' : 'BAD SIGNATURE'} id=${req.headers['webhook-id']} ${what}`);
    res.writeHead(ok ? 204 : 401).end();
  });
});
server.listen(port, '127.0.0.1', () => console.log(`[webhook] receiver on http://127.0.0.1:${port}/hook`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
