/**
 * The yardstick: a bare Fastify server answering `GET /:size` with a constant HTML page of that
 * many bytes, no logging, no hooks. Whatever the store reaches is put beside what Node and Fastify
 * manage on this machine at all, in the same run. Prints `{"port":n}` once listening.
 */
import Fastify from 'fastify';

const pages = new Map<number, Buffer>();

/** A page of exactly `size` bytes that looks like HTML (the bytes are what count). */
function page(size: number): Buffer {
  let body = pages.get(size);
  if (!body) {
    const head = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head><body><main>';
    const tail = '</main></body></html>\n';
    const filler = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>'.repeat(Math.ceil(size / 60));
    body = Buffer.from((head + filler).slice(0, Math.max(0, size - tail.length)) + tail);
    pages.set(size, body);
  }
  return body;
}

const app = Fastify({ logger: false });
app.get<{ Params: { size: string } }>('/:size', async (request, reply) => {
  const size = Math.min(Math.max(Number.parseInt(request.params.size, 10) || 0, 0), 4_000_000);
  return reply.type('text/html; charset=utf-8').send(page(size));
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: (app.server.address() as { port: number }).port })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
