import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { alertValidator, describeIssues, literalUnion, orderEventValidator, Validator } from './index';

describe('union errors name what the union allows', () => {
  it('a string enum (literalUnion) lists its values', () => {
    const v = new Validator(Type.Object({ minSeverity: literalUnion(['none', 'low', 'high'] as const) }));
    const r = v.validate({ minSeverity: 'urgent' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(describeIssues(r.issues)).toBe('/minSeverity: Expected one of none, low, high');
  });

  it('a union of objects told apart by a literal property names that property and its values', () => {
    const target = Type.Union([
      Type.Object({ type: Type.Literal('slack'), url: Type.String() }),
      Type.Object({ type: Type.Literal('webhook'), url: Type.String(), secrets: Type.Array(Type.String()) }),
    ]);
    const r = new Validator(Type.Object({ target })).validate({ target: { type: 'email', url: 'x' } });
    expect(!r.ok && r.issues.map((i) => i.message)).toContain('Expected an object whose type is one of slack, webhook');
  });

  it('any other union names its member kinds', () => {
    const r = new Validator(Type.Object({ x: Type.Union([Type.String(), Type.Number()]) })).validate({ x: true });
    expect(!r.ok && r.issues.map((i) => i.message)).toContain('Expected one of string, number');
  });

  it('holds for the contracts, and for TypeBox checks outside the validators', () => {
    const order = orderEventValidator.validate({ schemaVersion: 1, eventId: 'e', eventType: 'order.deleted', occurredAt: 'x', order: {} });
    expect(!order.ok && describeIssues(order.issues)).toContain(
      '/eventType: Expected one of order.created, order.updated, order.cancelled, order.shipped;',
    );
    const alert = alertValidator.validate({ kind: 'shouted' });
    expect(!alert.ok && describeIssues(alert.issues)).not.toContain('union value');
    const errors = [...Value.Errors(literalUnion(['a', 'b'] as const), 'c')].map((e) => e.message);
    expect(errors).toEqual(['Expected one of a, b']);
  });
});
