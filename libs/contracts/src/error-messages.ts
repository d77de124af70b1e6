import { Kind, type TSchema } from '@sinclair/typebox';
import { DefaultErrorFunction, SetErrorFunction, ValueErrorType } from '@sinclair/typebox/errors';

/**
 * TypeBox's messages, with the one that names nothing replaced: a value matching no member of a union
 * ("Expected union value") says what the union allows. Set once per process for every TypeBox check
 * (the contracts' validators, the policy and reference-data loaders alike).
 */
const list = (values: unknown[]) => values.map((v) => String(v)).join(', ');

const literalOf = (s: TSchema): unknown => (s[Kind] === 'Literal' ? s.const : undefined);

/** The common property whose value tells a union's object members apart (`type` of a target), if any. */
function discriminator(members: TSchema[]): { key: string; values: unknown[] } | undefined {
  if (!members.every((m) => m[Kind] === 'Object' && m.properties)) return undefined;
  const first = members[0].properties as Record<string, TSchema>;
  for (const key of Object.keys(first)) {
    const values = members.map((m) => literalOf((m.properties as Record<string, TSchema>)[key] ?? {}));
    if (values.every((v) => v !== undefined)) return { key, values };
  }
  return undefined;
}

/** "Expected one of a, b, c" for a union of literals; undefined for a union it cannot describe better. */
export function unionMessage(schema: TSchema): string | undefined {
  const members = (schema.anyOf ?? []) as TSchema[];
  if (!members.length) return undefined;
  const literals = members.map(literalOf);
  if (literals.every((v) => v !== undefined)) return `Expected one of ${list(literals)}`;
  const d = discriminator(members);
  if (d) return `Expected an object whose ${d.key} is one of ${list(d.values)}`;
  const kinds = [...new Set(members.map((m) => (m[Kind] === 'Literal' ? JSON.stringify(m.const) : String(m[Kind]).toLowerCase())))];
  return `Expected one of ${list(kinds)}`;
}

let registered = false;
/** Installs the messages (idempotent). */
export function registerErrorMessages(): void {
  if (registered) return;
  SetErrorFunction((e) =>
    e.errorType === ValueErrorType.Union ? (unionMessage(e.schema) ?? DefaultErrorFunction(e)) : DefaultErrorFunction(e),
  );
  registered = true;
}
registerErrorMessages();
