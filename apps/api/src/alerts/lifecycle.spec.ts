import { allowedActions, transition, TransitionRefused } from './lifecycle';

describe('alert lifecycle', () => {
  const at = '2026-03-02T09:00:00.000Z';

  it('goes open → acknowledged → resolved, keeping every change with user, time and note', () => {
    const ack = transition(undefined, 'alr-1', 'acknowledge', 'anna', at, 'looking');
    const done = transition(ack, 'alr-1', 'resolve', 'ben', at, 'licence filed');
    expect(done).toMatchObject({ alertId: 'alr-1', status: 'resolved', version: 2 });
    expect(done.history.map((c) => [c.from, c.to, c.user, c.note])).toEqual([
      ['open', 'acknowledged', 'anna', 'looking'],
      ['acknowledged', 'resolved', 'ben', 'licence filed'],
    ]);
  });

  it.each([
    ['resolve', undefined],
    ['acknowledge', 'acknowledged'],
    ['reopen', 'open'],
  ] as const)('refuses to %s an alert that is %s', (action, status) => {
    const prior = status === 'acknowledged' ? transition(undefined, 'a', 'acknowledge', 'u', at, 'n') : undefined;
    expect(() => transition(prior, 'a', action, 'u', at, 'n')).toThrow(TransitionRefused);
  });

  it('allows a false positive from open or acknowledged, and a reopen after either ending', () => {
    expect(allowedActions('open')).toEqual(['acknowledge', 'false_positive']);
    expect(allowedActions('acknowledged')).toEqual(['resolve', 'false_positive']);
    expect(allowedActions('resolved')).toEqual(['reopen']);
    expect(allowedActions('false_positive')).toEqual(['reopen']);
  });
});
