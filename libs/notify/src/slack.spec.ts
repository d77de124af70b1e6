import { alertFixture } from './testing/alert-fixtures';
import { SLACK_LIMITS, slackAlertMessage, slackDigestMessage, type SlackBlock, type SlackMessage } from './slack';

/** Every text in a message, with the limit that applies to it. */
function texts(m: SlackMessage): { text: string; max: number }[] {
  const out: { text: string; max: number }[] = [{ text: m.text, max: SLACK_LIMITS.text }];
  for (const b of m.blocks as (SlackBlock & {
    text?: { text: string };
    fields?: { text: string }[];
    elements?: { text?: unknown; url?: string }[];
  })[]) {
    if (b.text) out.push({ text: b.text.text, max: b.type === 'header' ? SLACK_LIMITS.header : SLACK_LIMITS.text });
    for (const f of b.fields ?? []) out.push({ text: f.text, max: SLACK_LIMITS.field });
    for (const e of b.elements ?? []) {
      if (typeof e.text === 'string') out.push({ text: e.text, max: SLACK_LIMITS.text });
      if (e.url) out.push({ text: e.url, max: SLACK_LIMITS.buttonUrl });
    }
  }
  return out;
}

function expectWithinLimits(m: SlackMessage) {
  expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const b of m.blocks as { fields?: unknown[] }[]) expect((b.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
  for (const t of texts(m)) expect(t.text.length).toBeLessThanOrEqual(t.max);
}

describe('Slack Block Kit messages', () => {
  const base = 'https://dualwatch.example.com';

  it('show verdict, severity, order, parties, exposed value, top reasons with legal basis and a link to the alert', () => {
    const alert = alertFixture({ orderId: 'PO-2026-0001', amount: 19000 });
    const m = slackAlertMessage(alert, { dashboardBaseUrl: base });
    const all = JSON.stringify(m);
    for (const s of [
      'Prohibited',
      'critical',
      'PO-2026-0001',
      'Ganzhou Example Rare Earth',
      'Acquisition, Technology &amp; Logistics Agency',
      '19,000 USD',
      'END_USER_MILITARY',
      'MOFCOM Announcement No. 1 of 2026',
    ]) {
      expect(all).toContain(s);
    }
    expect(all).toContain(`${base}/alerts/${alert.alertId}`);
    expectWithinLimits(m);
  });

  it('stay within Slack limits for a huge alert (500 long reasons, very long names)', () => {
    const long = (n: number, c: string) => c.repeat(n);
    const alert = alertFixture({
      seller: long(5000, 'S'),
      buyer: long(5000, 'B'),
      endUser: long(5000, 'E'),
      itemFamilies: Array.from({ length: 300 }, (_, i) => `family-${i}-${long(50, 'f')}`),
      reasons: Array.from({ length: 500 }, (_, i) => ({
        code: `CODE_${i}_${long(100, 'C')}`,
        message: long(4000, 'm'),
        legalBasis: long(4000, 'l'),
      })),
    });
    const m = slackAlertMessage(alert, { dashboardBaseUrl: base + '/' + long(4000, 'p') });
    expectWithinLimits(m);
    expect(JSON.stringify(m)).toContain('more reasons on the dashboard');
  });

  it('a digest of 500 alerts fits in 50 blocks and says how many more there are', () => {
    const alerts = Array.from({ length: 500 }, (_, i) =>
      alertFixture({ orderId: `PO-${i}`, verdict: i % 2 ? 'review' : 'license_required', seller: 'x'.repeat(3000) }),
    );
    const m = slackDigestMessage(alerts, {
      dashboardBaseUrl: base,
      windowStart: '2026-03-02T10:00:00Z',
      windowEnd: '2026-03-02T10:05:00Z',
    });
    expectWithinLimits(m);
    expect(m.blocks).toHaveLength(SLACK_LIMITS.blocks);
    expect(JSON.stringify(m.blocks[m.blocks.length - 1])).toMatch(/and \d+ more alerts/);
    expect(m.text).toContain('500 alerts');
  });

  it('escapes what Slack would read as markup in party names', () => {
    const m = slackAlertMessage(alertFixture({ seller: '<!channel> Evil & Co' }), { dashboardBaseUrl: base });
    expect(JSON.stringify(m)).not.toContain('<!channel>');
  });
});
