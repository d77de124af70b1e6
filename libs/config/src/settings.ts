/**
 * Settings: one typed, validated, self-documenting object per app, read once from the environment.
 * Each field names its variable, default, description and whether it is a secret; a wrong or missing
 * value stops the app at boot with a message that names the variable and what it expects.
 */
import * as fs from 'node:fs';

type Parser<T> = (raw: string) => T;

export interface SettingSpec<T> {
  env: string;
  description: string;
  /** Parsed default; absent means the variable is required. */
  default?: T;
  /** Secrets are never printed: describeSettings() and errors show "(secret)". */
  secret?: boolean;
  /** What a valid value looks like, for error messages and the README table. */
  expects: string;
  parse: Parser<T>;
}

class InvalidValue extends Error {}
const fail = (msg: string): never => {
  throw new InvalidValue(msg);
};

export const setting = {
  string(
    env: string,
    o: { description: string; default?: string; secret?: boolean; pattern?: RegExp; expects?: string },
  ): SettingSpec<string> {
    return {
      env,
      description: o.description,
      default: o.default,
      secret: o.secret,
      expects: o.expects ?? (o.pattern ? `text matching ${o.pattern}` : 'text'),
      parse: (raw) => (o.pattern && !o.pattern.test(raw) ? fail(`does not match ${o.pattern}`) : raw),
    };
  },
  int(env: string, o: { description: string; default?: number; min?: number; max?: number }): SettingSpec<number> {
    const range = `an integer${o.min !== undefined ? ` >= ${o.min}` : ''}${o.max !== undefined ? ` <= ${o.max}` : ''}`;
    return {
      env,
      description: o.description,
      default: o.default,
      expects: range,
      parse: (raw) => {
        if (!/^-?\d+$/.test(raw.trim())) return fail(`"${raw}" is not an integer`);
        const n = Number(raw);
        if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) return fail(`${n} is out of range`);
        return n;
      },
    };
  },
  bool(env: string, o: { description: string; default?: boolean }): SettingSpec<boolean> {
    return {
      env,
      description: o.description,
      default: o.default,
      expects: 'true or false',
      parse: (raw) => (/^(true|1|yes)$/i.test(raw) ? true : /^(false|0|no)$/i.test(raw) ? false : fail(`"${raw}" is not true or false`)),
    };
  },
  oneOf<T extends string>(env: string, values: readonly T[], o: { description: string; default?: T }): SettingSpec<T> {
    return {
      env,
      description: o.description,
      default: o.default,
      expects: `one of ${values.join(', ')}`,
      parse: (raw) => ((values as readonly string[]).includes(raw) ? (raw as T) : fail(`"${raw}" is not one of ${values.join(', ')}`)),
    };
  },
  /** A path to a readable file, checked at boot (empty: not used). */
  file(env: string, o: { description: string; default?: string; expects?: string }): SettingSpec<string> {
    return {
      env,
      description: o.description,
      default: o.default,
      expects: o.expects ?? 'the path of a readable file',
      parse: (raw) => {
        try {
          fs.accessSync(raw, fs.constants.R_OK);
        } catch {
          return fail(`"${raw}" is not a readable file`);
        }
        return fs.statSync(raw).isFile() ? raw : fail(`"${raw}" is not a file`);
      },
    };
  },
  list(env: string, o: { description: string; default?: string[]; item?: RegExp; expects?: string }): SettingSpec<string[]> {
    return {
      env,
      description: o.description,
      default: o.default,
      expects: o.expects ?? 'a comma-separated list',
      parse: (raw) => {
        const items = raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (items.length === 0) return fail('is empty');
        const bad = o.item ? items.find((i) => !o.item!.test(i)) : undefined;
        return bad !== undefined ? fail(`item "${bad}" does not match ${o.item}`) : items;
      },
    };
  },
};

export type SettingsSpec = Record<string, SettingSpec<unknown>>;
export type Settings<S extends SettingsSpec> = { readonly [K in keyof S]: S[K] extends SettingSpec<infer T> ? T : never };

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/**
 * A rule across several settings (e.g. a SASL mechanism needs a user name): returns the problem, naming
 * the variables, or undefined. Runs only when every single value is valid.
 */
export type SettingsCheck = (s: Readonly<Record<string, unknown>>) => string | undefined;

/** Reads and validates every setting; throws one SettingsError listing all problems at once. */
export function loadSettings<S extends SettingsSpec>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
  checks: SettingsCheck[] = [],
): Settings<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, s] of Object.entries(spec)) {
    const raw = env[s.env];
    if (raw === undefined || raw === '') {
      if (s.default === undefined) problems.push(`${s.env} is required: ${s.description} (expects ${s.expects})`);
      else out[key] = s.default;
      continue;
    }
    try {
      out[key] = s.parse(raw);
    } catch (err) {
      if (!(err instanceof InvalidValue)) throw err;
      const shown = s.secret ? '(secret)' : JSON.stringify(raw);
      problems.push(`${s.env}=${shown} is invalid: ${s.secret ? 'bad format' : err.message}; expects ${s.expects}`);
    }
  }
  if (!problems.length) for (const check of checks) problems.push(...[check(out)].filter((p): p is string => p !== undefined));
  if (problems.length) throw new SettingsError(problems);
  return Object.freeze(out) as Settings<S>;
}

/** Rows for the README and `--help`: variable, default, expects, description. */
export function describeSettings(spec: SettingsSpec): { env: string; default: string; expects: string; description: string }[] {
  return Object.values(spec).map((s) => ({
    env: s.env,
    default:
      s.default === undefined ? '(required)' : s.secret ? '(secret)' : Array.isArray(s.default) ? s.default.join(',') : String(s.default),
    expects: s.expects,
    description: s.description,
  }));
}
