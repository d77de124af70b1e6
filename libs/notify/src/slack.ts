import type { Alert } from '@dualwatch/contracts';

/**
 * Slack Block Kit messages a compliance officer can act on, within Slack's limits: at most 50 blocks,
 * section text up to 3,000 characters, 10 fields of up to 2,000, a header up to 150.
 */
export const SLACK_LIMITS = { blocks: 50, text: 3000, field: 2000, fields: 10, header: 150, buttonUrl: 3000 } as const;

export type SlackBlock = Record<string, unknown>;
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Cuts to `max` characters (an ellipsis marks the cut). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn needs &, < and > escaped; anything else from an order is shown as written. */
export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const VERDICT_LABEL: Record<string, string> = {
  clear: 'Clear',
  review: 'Review',
  license_required: 'Licence required',
  prohibited: 'Prohibited',
};
const SEVERITY_ICON: Record<string, string> = {
  none: ':white_circle:',
  low: ':large_blue_circle:',
  medium: ':large_yellow_circle:',
  high: ':large_orange_circle:',
  critical: ':red_circle:',
};
const KIND_LABEL: Record<string, string> = {
  raised: 'New alert',
  updated: 'Alert updated',
  withdrawn: 'Alert withdrawn',
  upcoming: 'Upcoming change',
};

export function alertUrl(dashboardBaseUrl: string, alertId: string): string {
  return `${dashboardBaseUrl.replace(/\/+$/, '')}/alerts/${encodeURIComponent(alertId)}`;
}

export function formatValue(v: Alert['assessment']['exposedValue']): string {
  if (!v || v.amount === undefined) return 'n/a';
  return `${v.amount.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${v.currency ?? ''}`.trim();
}

const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.text) } });
const field = (label: string, value: string) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${esc(value)}`, SLACK_LIMITS.field) });

/** One alert: what, how bad, which order and parties, how much, why (with the legal basis), and where to act. */
export function slackAlertMessage(alert: Alert, o: { dashboardBaseUrl: string; maxReasons?: number }): SlackMessage {
  const a = alert.assessment;
  const s = alert.summary ?? {};
  const verdict = VERDICT_LABEL[a.verdict] ?? a.verdict;
  const title = `${KIND_LABEL[alert.kind] ?? alert.kind}: ${verdict} (${a.severity}) · order ${alert.orderId}`;
  const fields = [
    field('Verdict', `${verdict}${alert.previousVerdict ? ` (was ${VERDICT_LABEL[alert.previousVerdict] ?? alert.previousVerdict})` : ''}`),
    field('Severity', `${a.severity} (score ${a.score})`),
    field('Order', alert.orderId),
    field('Exposed value', formatValue(a.exposedValue)),
    ...(s.seller ? [field('Seller', s.seller)] : []),
    ...(s.buyer ? [field('Buyer', s.buyer)] : []),
    ...(s.endUser ? [field('End user', s.endUser)] : []),
    ...(s.shipTo ? [field('Ship to', s.shipTo)] : []),
    ...(s.itemFamilies?.length ? [field('Item families', s.itemFamilies.join(', '))] : []),
    ...(alert.effectiveOn ? [field('Effective on', alert.effectiveOn)] : []),
  ].slice(0, SLACK_LIMITS.fields);

  const maxReasons = o.maxReasons ?? 5;
  const reasons = a.reasons.slice(0, maxReasons).map((r) => {
    const basis = r.legalBasis ? `\n    _Legal basis:_ ${esc(r.legalBasis)}` : '';
    return `• *${esc(r.code)}*: ${esc(clip(r.message, 600))}${clip(basis, 600)}`;
  });
  const more = a.reasons.length > maxReasons ? `\n_…and ${a.reasons.length - maxReasons} more reasons on the dashboard_` : '';
  // the reasons share one section: trim whole reasons until it fits, so none is cut mid-sentence
  let reasonsText = `*Top reasons*\n${reasons.join('\n')}${more}`;
  while (reasonsText.length > SLACK_LIMITS.text && reasons.length > 1) {
    reasons.pop();
    reasonsText = `*Top reasons*\n${reasons.join('\n')}\n_…more reasons on the dashboard_`;
  }
  const url = alertUrl(o.dashboardBaseUrl, alert.alertId);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, SLACK_LIMITS.header), emoji: true } },
    section(
      `${SEVERITY_ICON[a.severity] ?? ''} *${esc(verdict)}* · severity *${a.severity}* · ${esc(s.seller ?? '?')} → ${esc(s.buyer ?? '?')}`,
    ),
    { type: 'section', fields },
    ...(a.reasons.length ? [section(reasonsText)] : []),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open alert' },
          url: clip(url, SLACK_LIMITS.buttonUrl),
          style: a.severity === 'critical' ? 'danger' : 'primary',
        },
      ],
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(
            `alert ${esc(alert.alertId)} · raised ${alert.raisedAt} · policy ${esc(a.policyVersion)} · reference data ${esc(a.refdataVersion)}${a.degraded ? ' · :warning: degraded (fallback reference data)' : ''}`,
            SLACK_LIMITS.text,
          ),
        },
      ],
    },
  ];
  return { text: clip(esc(`${title}: ${s.seller ?? '?'} → ${s.buyer ?? '?'}`), SLACK_LIMITS.text), blocks };
}

/** Many alerts in one message: one line each, worst first, up to Slack's block limit. */
export function slackDigestMessage(alerts: Alert[], o: { dashboardBaseUrl: string; windowStart: string; windowEnd: string }): SlackMessage {
  const sorted = [...alerts].sort((x, y) => y.assessment.score - x.assessment.score);
  const title = `Dualwatch digest: ${alerts.length} alerts`;
  const head: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, SLACK_LIMITS.header), emoji: true } },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `Alerts from ${o.windowStart} to ${o.windowEnd}, held back as a digest (more than the per-window limit).` },
      ],
    },
  ];
  const room = SLACK_LIMITS.blocks - head.length - 1; // one for "and N more"
  const shown = sorted.slice(0, room);
  const lines = shown.map((al) => {
    const a = al.assessment;
    const s = al.summary ?? {};
    return section(
      `${SEVERITY_ICON[a.severity] ?? ''} *${esc(VERDICT_LABEL[a.verdict] ?? a.verdict)}* (${a.severity}) · <${alertUrl(o.dashboardBaseUrl, al.alertId)}|order ${esc(al.orderId)}> · ${esc(clip(s.seller ?? '?', 200))} → ${esc(clip(s.buyer ?? '?', 200))} · ${formatValue(a.exposedValue)}` +
        (a.reasons[0]
          ? `\n${esc(clip(a.reasons[0].message, 500))}${a.reasons[0].legalBasis ? ` (_${esc(clip(a.reasons[0].legalBasis, 300))}_)` : ''}`
          : ''),
    );
  });
  const rest = sorted.length - shown.length;
  const tail: SlackBlock[] =
    rest > 0
      ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${rest} more alerts on the dashboard: ${o.dashboardBaseUrl}` }] }]
      : [];
  return { text: clip(title, SLACK_LIMITS.text), blocks: [...head, ...lines, ...tail] };
}
