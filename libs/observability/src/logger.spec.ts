import { Writable } from 'node:stream';
import { createLogger, redactText } from './logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, stream };
}

describe('logger', () => {
  it('writes one JSON object per line with the app name and the ids given', () => {
    const { lines, stream } = capture();
    createLogger('risk-engine', 'info', stream).info({ orderId: 'PO-1', eventId: 'evt-1' }, 'assessed');
    const doc = JSON.parse(lines[0]);
    expect(doc).toMatchObject({ app: 'risk-engine', level: 'info', orderId: 'PO-1', eventId: 'evt-1', msg: 'assessed' });
  });

  it('redacts secrets in fields and credentials inside messages', () => {
    const { lines, stream } = capture();
    const log = createLogger('t', 'info', stream);
    log.info(
      { password: 'hunter2', settings: { kafkaSaslPassword: 'hunter3', redisUrl: 'redis://u:hunter4@h' } },
      'connecting to redis://user:hunter5@10.0.0.1:6379 with whsec_c2VjcmV0',
    );
    const text = lines.join('');
    for (const s of ['hunter2', 'hunter3', 'hunter4', 'hunter5', 'c2VjcmV0']) expect(text).not.toContain(s);
    expect(text).toContain('redis://user:***@10.0.0.1:6379');
  });

  it('redactText leaves text without credentials alone', () => {
    expect(redactText('plain http://example.com/path')).toBe('plain http://example.com/path');
  });
});
