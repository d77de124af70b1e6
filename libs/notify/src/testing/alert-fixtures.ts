import { createHash } from 'node:crypto';
import { alertValidator, describeIssues, type Alert, type AlertKind, type Severity, type Verdict } from '@dualwatch/contracts';

/**
 * Alerts for tests, shaped like the risk-engine's (libs/contracts' alert.v1, checked on the way out).
 * Hand-written while libs/scoring is being finished; the parties and legal bases are the examples'.
 */
export interface AlertFixture {
  orderId?: string;
  kind?: AlertKind;
  verdict?: Verdict;
  severity?: Severity;
  score?: number;
  seller?: string;
  buyer?: string;
  endUser?: string;
  shipTo?: string;
  itemFamilies?: string[];
  amount?: number;
  reasons?: Alert['assessment']['reasons'];
}

const SEVERITY_OF: Record<Verdict, Severity> = { clear: 'none', review: 'medium', license_required: 'high', prohibited: 'critical' };

export function alertFixture(f: AlertFixture = {}): Alert {
  const orderId = f.orderId ?? 'PO-2026-0001';
  const verdict = f.verdict ?? 'prohibited';
  const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);
  const assessmentId = `asm-${hash(`${orderId}|${verdict}|${f.kind ?? 'raised'}`)}`;
  const alert: Alert = {
    alertId: `alr-${hash(orderId)}`,
    kind: f.kind ?? 'raised',
    orderId,
    raisedAt: new Date().toISOString(),
    assessment: {
      assessmentId,
      orderId,
      eventId: `evt-${hash(assessmentId).slice(0, 8)}`,
      asOf: '2026-03-02',
      verdict,
      severity: f.severity ?? SEVERITY_OF[verdict],
      score: f.score ?? (verdict === 'prohibited' ? 95 : verdict === 'license_required' ? 70 : 40),
      reasons: f.reasons ?? [
        {
          code: 'END_USER_MILITARY',
          message: 'Buyer Acquisition, Technology & Logistics Agency is a Japanese military end user',
          partyRole: 'buyer',
          matchScore: 1,
          legalBasis: 'MOFCOM Announcement No. 1 of 2026, art. 1',
        },
        {
          code: 'ITEM_CONTROLLED',
          message: 'Line 1: dysprosium metal is a controlled rare-earth item',
          lineId: '1',
          legalBasis: 'MOFCOM/GAC Announcement No. 18 of 2025',
        },
      ],
      exposedValue: { amount: f.amount ?? 19000, currency: 'USD' },
      policyVersion: 'policy-2026.03',
      refdataVersion: 'refdata-2026.03.01',
    },
    summary: {
      seller: f.seller ?? 'Ganzhou Example Rare Earth Co., Ltd.',
      buyer: f.buyer ?? 'Acquisition, Technology & Logistics Agency',
      ...(f.endUser ? { endUser: f.endUser } : {}),
      shipTo: f.shipTo ?? 'JP',
      itemFamilies: f.itemFamilies ?? ['rare-earth-metals'],
    },
  };
  const r = alertValidator.validate(alert);
  if (!r.ok) throw new Error(`fixture is not an alert.v1: ${describeIssues(r.issues)}`);
  return alert;
}
