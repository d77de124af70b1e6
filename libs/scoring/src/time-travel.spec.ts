import { jp, orderEvent } from './testing/events';
import { codes, explain, must, policyWith, score } from './testing/harness';
import { bundledPolicyPath, loadPolicy } from './policy-loader';

/**
 * Every rule, list entry and item family applies only if in force at the as-of date D. These tests
 * move D across the dates that matter: the ban, each wave of listings, and the Oct-2025 suspension.
 */

const ATLA = jp('Acquisition, Technology & Logistics Agency');

describe('the as-of date', () => {
  it('is the ship date, else the order date, else the UTC date of occurredAt', () => {
    expect(explain(orderEvent()).asOf).toBe('2026-03-20');
    expect(explain(orderEvent()).asOfSource).toBe('shipDate');
    const noShip = orderEvent({ order: { shipDate: undefined } });
    expect(explain(noShip)).toMatchObject({ asOf: '2026-03-02', asOfSource: 'orderDate' });
    const neither = orderEvent({ order: { shipDate: undefined, orderDate: undefined }, occurredAt: '2026-03-05T23:30:00-02:00' });
    expect(explain(neither)).toMatchObject({ asOf: '2026-03-06', asOfSource: 'occurredAt' });
  });

  it('is overridden by an explicit as-of argument', () => {
    expect(score(orderEvent(), { asOf: '2026-12-01' }).asOf).toBe('2026-12-01');
    expect(explain(orderEvent(), { asOf: '2026-12-01' }).asOfSource).toBe('argument');
  });

  it('must be a calendar date', () => {
    expect(() => score(orderEvent(), { asOf: '2026-02-30' })).toThrow(/YYYY-MM-DD/);
  });
});

describe('the Japan ban itself (MOFCOM Ann. 1/2026, 2026-01-06)', () => {
  const event = orderEvent({ order: { buyer: ATLA } });

  it('does not exist the day before: dysprosium to ATLA on 2026-01-05 is clear, and says why', () => {
    const a = score(event, { asOf: '2026-01-05' });
    expect(a).toMatchObject({ verdict: 'clear', severity: 'none' });
    expect(codes(a)).toEqual(['JAPAN_BAN_NOT_IN_FORCE']);
    expect(a.reasons[0].message).toMatch(/not in force until 2026-01-06/);
  });

  it('applies from the day it was published: the same order on 2026-01-06 is prohibited', () => {
    expect(score(event, { asOf: '2026-01-06' }).verdict).toBe('prohibited');
  });
});

describe('list entries apply from their listing date', () => {
  const tdk = orderEvent({ order: { buyer: jp('TDK Corporation') } });

  it('a watch-list entity (Ann. 12/2026) on 2026-02-23 is not yet listed: clear, with a note', () => {
    const a = score(tdk, { asOf: '2026-02-23' });
    expect(a.verdict).toBe('clear');
    expect(must(a, 'PARTY_LISTING_NOT_IN_FORCE').message).toMatch(/not in force until 2026-02-24/);
  });

  it('the same entity on 2026-02-24 needs a licence', () => {
    expect(score(tdk, { asOf: '2026-02-24' }).verdict).toBe('license_required');
  });

  it('a second-wave watch-list entity (Terra Drone, Ann. 28/2026) counts from 2026-06-29, not before', () => {
    const e = orderEvent({ order: { buyer: jp('Terra Drone Corporation') } });
    expect(score(e, { asOf: '2026-06-28' }).verdict).toBe('clear');
    const after = score(e, { asOf: '2026-06-29' });
    expect(after.verdict).toBe('license_required');
    expect(must(after, 'PARTY_ON_WATCH_LIST').evidence).toMatchObject({ announcement: 'MOFCOM-2026-28' });
  });

  it('a second-wave control-list entity (Mitsubishi Precision, Ann. 27/2026) is prohibited from 2026-06-29, and a defence-nexus party before', () => {
    const e = orderEvent({ order: { buyer: jp('Mitsubishi Precision Co., Ltd.') } });
    // policy v2: a known defence supplier counts as a defence-nexus party before its own listing
    const before = score(e, { asOf: '2026-06-28' });
    expect(before.verdict).toBe('review');
    expect(must(before, 'DEFENCE_NEXUS_PARTY').evidence).toMatchObject({
      entryId: 'CL-27-e',
      basis: 'defence_nexus_before_listing',
      defenceNexusFrom: '2026-01-06',
    });
    expect(score(e, { asOf: '2026-01-05' }).verdict).toBe('clear');
    const after = score(e, { asOf: '2026-06-29' });
    expect(after.verdict).toBe('prohibited');
    expect(must(after, 'PARTY_ON_CONTROL_LIST').evidence).toMatchObject({ announcement: 'MOFCOM-2026-27', listedOn: '2026-06-29' });
  });
});

describe('suspended families (Oct-2025 rare earths: Ann. 57/2025, suspended by Ann. 70/2025)', () => {
  // erbium oxide: a 10-digit reference code of Ann. 57/2025
  const erbium = orderEvent({ order: { buyer: ATLA }, line: { description: 'Erbium oxide 99.9%', hsCode: '2846901920', unitPrice: 60 } });

  it('is not controlled while suspended: on 2026-11-09 erbium oxide to ATLA is clear, with the suspension named', () => {
    const a = score(erbium, { asOf: '2026-11-09' });
    expect(a.verdict).toBe('clear');
    const r = must(a, 'ITEM_FAMILY_SUSPENDED');
    expect(r.message).toMatch(/until 2026-11-10/);
    expect(r.evidence).toMatchObject({ familyId: 'rare-earths-oct-2025', suspension: { announcement: 'MOFCOM-2025-70' } });
    expect(codes(a)).not.toContain('SUSPENSION_END_UNCERTAIN');
  });

  it('"until 2026-11-10" includes that day (policy v2): still suspended and clear on 2026-11-10', () => {
    const a = score(erbium, { asOf: '2026-11-10' });
    expect(a.verdict).toBe('clear');
    expect(must(a, 'ITEM_FAMILY_SUSPENDED').evidence).toMatchObject({
      suspension: { until: '2026-11-10', announcement: 'MOFCOM-2025-70' },
    });
    expect(codes(a)).not.toContain('SUSPENSION_END_UNCERTAIN');
  });

  it('from 2026-11-11 the data models the reported extension to 2027-01-10 as uncertain: suspended, the assumption and fallback named, and at least review for a military user', () => {
    const a = score(erbium, { asOf: '2026-11-11' });
    expect(a.verdict).toBe('review');
    const r = must(a, 'SUSPENSION_END_UNCERTAIN');
    expect(r.message).toMatch(/assumed suspended until 2027-01-10 inclusive/);
    expect(r.message).toMatch(/applied again since 2026-11-11/);
    expect(r.evidence).toMatchObject({ suspension: { until: '2027-01-10', announcement: 'MOFCOM-READOUT-2026-09-28', uncertain: true } });
    expect(must(a, 'SUSPENSION_UNCERTAIN_SENSITIVE_PARTY').evidence).toMatchObject({
      familyId: 'rare-earths-oct-2025',
      parties: [{ entryId: 'MU-ATLA', band: 'match' }],
    });
    // a civil buyer inside the window stays clear: the rule concerns military users and control-listed parties
    const civil = orderEvent({
      order: { buyer: jp('Osaka Example Optics K.K.') },
      line: { description: 'Erbium oxide 99.9%', hsCode: '2846901920', unitPrice: 60 },
    });
    expect(score(civil, { asOf: '2026-11-11' }).verdict).toBe('clear');
  });

  it('a policy that does not honour uncertain suspensions treats the family as back on 2026-11-11, and says so', () => {
    const strict = policyWith((p) => (p.suspensions.honourUncertain = false));
    const a = score(erbium, { asOf: '2026-11-11', policy: strict });
    expect(a.verdict).toBe('prohibited');
    expect(must(a, 'SUSPENSION_END_UNCERTAIN').message).toMatch(/assumed in force/);
    expect(must(a, 'CONTROLLED_ITEM').evidence).toMatchObject({ familyId: 'rare-earths-oct-2025' });
  });

  it('comes back by itself the day after the last suspension ends (until 2027-01-10 inclusive)', () => {
    expect(score(erbium, { asOf: '2027-01-10' }).verdict).toBe('review');
    const a = score(erbium, { asOf: '2027-01-11' });
    expect(a.verdict).toBe('prohibited');
    expect(codes(a)).not.toContain('ITEM_FAMILY_SUSPENDED');
  });

  it('policy v1 stays loadable for replay and reads "until" as exclusive', () => {
    const v1 = loadPolicy(bundledPolicyPath('policy.v1.json'));
    expect(v1.version).toMatch(/^policy-v1\+/);
    expect(score(erbium, { asOf: '2026-11-10', policy: v1 }).verdict).toBe('prohibited');
  });

  it('was controlled before the suspension began? no: Ann. 57/2025 never applied before it was suspended', () => {
    expect(score(erbium, { asOf: '2026-03-20' }).verdict).toBe('clear');
  });
});
