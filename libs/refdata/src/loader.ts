import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { bundledDataDir } from './data-dir';
import { isValidJpCorporateNumber } from './matcher/corporate-number';
import type {
  Announcement,
  Country,
  Dated,
  ItemFamily,
  LegalForms,
  ListedParty,
  MilitaryEndUseTerms,
  RedFlag,
  RefData,
  SourceKinds,
} from './model';
import {
  AnnouncementSchema,
  CountrySchema,
  ItemFamilySchema,
  LegalFormsSchema,
  ListedPartySchema,
  ManifestSchema,
  MilitaryEndUseTermsSchema,
  RedFlagSchema,
  SourceKindsSchema,
  type Manifest,
} from './schema';
import { sourceKind, urlsIn } from './source-kinds';

/** The files of a reference-data set, in the order they are read and hashed. */
export const REFDATA_FILES = [
  'manifest.json',
  'announcements.json',
  'item-families.json',
  'parties.json',
  'countries.json',
  'red-flags.json',
  'military-end-use.json',
  'legal-forms.json',
  'source-kinds.json',
] as const;
export type RefDataFileName = (typeof REFDATA_FILES)[number];
/** The parsed JSON of every file, by file name (what refDataFromObject validates). */
export type RefDataFiles = Record<RefDataFileName, unknown>;

/** One problem in one file: which entry (id or index) and which field. */
export interface RefDataIssue {
  file: string;
  /** The entry's id (or code), where it has one. */
  entry?: string;
  /** The entry's position in an array file. */
  index?: number;
  /** JSON pointer inside the entry (or the file, for object files). */
  path: string;
  message: string;
}

export function formatIssue(i: RefDataIssue): string {
  const where =
    i.index === undefined ? '' : i.entry !== undefined ? ` entry "${i.entry}" (index ${i.index}):` : ` entry at index ${i.index}:`;
  return `${i.file}:${where} ${i.path || '/'}: ${i.message}`;
}

/** Reference data that failed validation: every issue found, each naming file, entry and field. */
export class RefDataError extends Error {
  constructor(readonly issues: RefDataIssue[]) {
    const shown = issues.slice(0, 20).map(formatIssue);
    const more = issues.length > shown.length ? `\n... and ${issues.length - shown.length} more` : '';
    super(`invalid reference data (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n${shown.join('\n')}${more}`);
    this.name = 'RefDataError';
  }
}

const ARRAY_FILES: Partial<Record<RefDataFileName, TSchema>> = {
  'announcements.json': AnnouncementSchema,
  'item-families.json': ItemFamilySchema,
  'parties.json': ListedPartySchema,
  'countries.json': CountrySchema,
  'red-flags.json': RedFlagSchema,
};
const OBJECT_FILES: Partial<Record<RefDataFileName, TSchema>> = {
  'manifest.json': ManifestSchema,
  'military-end-use.json': MilitaryEndUseTermsSchema,
  'legal-forms.json': LegalFormsSchema,
  'source-kinds.json': SourceKindsSchema,
};

const compiled = new Map<TSchema, TypeCheck<TSchema>>();
function checker(schema: TSchema): TypeCheck<TSchema> {
  let c = compiled.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

/** A TypeBox error in the words a data editor needs. */
function describe(e: ValueError): string {
  const s = e.schema as Record<string, unknown>;
  switch (e.type) {
    case ValueErrorType.StringPattern:
      return `must match pattern ${String(s.pattern)}`;
    case ValueErrorType.StringMinLength:
      return 'must not be empty';
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not a field of this kind of entry';
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(s.minItems)} item(s)`;
    case ValueErrorType.Union: {
      const options = ((s.anyOf as { const?: unknown }[] | undefined) ?? []).map((o) => JSON.stringify(o.const));
      return options.every((o) => o !== undefined) ? `must be one of ${options.join(', ')}` : e.message;
    }
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Boolean:
      return 'must be true or false';
    case ValueErrorType.Array:
      return 'must be an array';
    case ValueErrorType.Object:
      return 'must be an object';
    case ValueErrorType.Integer:
      return 'must be an integer';
    case ValueErrorType.Number:
      return 'must be a number';
    default:
      return e.message.charAt(0).toLowerCase() + e.message.slice(1);
  }
}

function schemaIssues(file: RefDataFileName, value: unknown, schema: TSchema, at?: { entry?: string; index: number }): RefDataIssue[] {
  const issues: RefDataIssue[] = [];
  const seen = new Set<string>();
  for (const e of checker(schema).Errors(value)) {
    const message = describe(e);
    const key = `${e.path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ file, entry: at?.entry, index: at?.index, path: e.path, message });
    if (issues.length >= 10) break;
  }
  return issues;
}

function entryLabel(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.id === 'string') return v.id;
    if (typeof v.code === 'string') return v.code;
  }
  return undefined;
}

/** A real calendar date (the pattern alone lets 2026-02-30 through). */
export function isCalendarDate(s: string): boolean {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** JSON with object keys sorted at every depth: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** `${label}+${first 12 hex of sha256(canonical JSON of all files, by file name)}`. */
export function refDataVersion(label: string, files: RefDataFiles): string {
  const all: Record<string, unknown> = {};
  for (const f of REFDATA_FILES) all[f] = files[f];
  return `${label}+${createHash('sha256').update(canonicalJson(all)).digest('hex').slice(0, 12)}`;
}

/** Cross-file checks: references resolve, ids are unique, dates are real and in order. */
function crossIssues(files: RefDataFiles): RefDataIssue[] {
  const issues: RefDataIssue[] = [];
  const manifest = files['manifest.json'] as Manifest;
  const announcements = files['announcements.json'] as Announcement[];
  const families = files['item-families.json'] as ItemFamily[];
  const parties = files['parties.json'] as ListedParty[];
  const countries = files['countries.json'] as Country[];
  const redFlags = files['red-flags.json'] as RedFlag[];
  const military = files['military-end-use.json'] as MilitaryEndUseTerms;

  const expected = REFDATA_FILES.filter((f) => f !== 'manifest.json');
  const listed = new Set(manifest.files);
  for (const f of expected) if (!listed.has(f)) issues.push({ file: 'manifest.json', path: '/files', message: `does not list ${f}` });
  manifest.files.forEach((f, i) => {
    if (!(expected as readonly string[]).includes(f))
      issues.push({ file: 'manifest.json', path: `/files/${i}`, message: `"${f}" is not a reference-data file` });
  });

  const unique = <T>(file: RefDataFileName, list: T[], key: (x: T) => string, field: string) => {
    const seen = new Map<string, number>();
    list.forEach((x, index) => {
      const k = key(x);
      const first = seen.get(k);
      if (first !== undefined)
        issues.push({ file, entry: k, index, path: `/${field}`, message: `duplicate ${field} "${k}" (first at index ${first})` });
      else seen.set(k, index);
    });
  };
  unique('announcements.json', announcements, (a) => a.id, 'id');
  unique('item-families.json', families, (f) => f.id, 'id');
  unique('parties.json', parties, (p) => p.id, 'id');
  unique('countries.json', countries, (c) => c.code, 'code');
  unique('red-flags.json', redFlags, (r) => r.code, 'code');

  const annIds = new Set(announcements.map((a) => a.id));
  const countryCodes = new Set(countries.map((c) => c.code));
  const partyIds = new Set(parties.map((p) => p.id));

  const date = (file: RefDataFileName, entry: string | undefined, index: number | undefined, path: string, value: string | undefined) => {
    if (value !== undefined && !isCalendarDate(value))
      issues.push({ file, entry, index, path, message: `"${value}" is not a calendar date` });
  };
  const announcementRef = (file: RefDataFileName, entry: string | undefined, index: number | undefined, path: string, id: string) => {
    if (!annIds.has(id)) issues.push({ file, entry, index, path, message: `announcement "${id}" is not in announcements.json` });
  };
  const datedChecks = (
    file: RefDataFileName,
    d: Dated & { announcement: string; relatedAnnouncements?: string[] },
    entry: string,
    index: number,
  ) => {
    date(file, entry, index, '/effectiveFrom', d.effectiveFrom);
    date(file, entry, index, '/repealedOn', d.repealedOn);
    if (d.repealedOn && isCalendarDate(d.repealedOn) && d.repealedOn <= d.effectiveFrom)
      issues.push({ file, entry, index, path: '/repealedOn', message: `must be after effectiveFrom (${d.effectiveFrom})` });
    announcementRef(file, entry, index, '/announcement', d.announcement);
    d.relatedAnnouncements?.forEach((id, k) => announcementRef(file, entry, index, `/relatedAnnouncements/${k}`, id));
    d.suspensions?.forEach((s, k) => {
      date(file, entry, index, `/suspensions/${k}/from`, s.from);
      date(file, entry, index, `/suspensions/${k}/until`, s.until);
      if (isCalendarDate(s.from) && isCalendarDate(s.until) && s.from >= s.until)
        issues.push({ file, entry, index, path: `/suspensions/${k}`, message: `from (${s.from}) must be before until (${s.until})` });
      announcementRef(file, entry, index, `/suspensions/${k}/announcement`, s.announcement);
    });
  };

  announcements.forEach((a, index) => {
    date('announcements.json', a.id, index, '/issuedOn', a.issuedOn);
    date('announcements.json', a.id, index, '/effectiveFrom', a.effectiveFrom);
    if (isCalendarDate(a.issuedOn) && isCalendarDate(a.effectiveFrom) && a.effectiveFrom < a.issuedOn)
      issues.push({
        file: 'announcements.json',
        entry: a.id,
        index,
        path: '/effectiveFrom',
        message: `is before issuedOn (${a.issuedOn})`,
      });
  });

  families.forEach((f, index) => {
    datedChecks('item-families.json', f, f.id, index);
    const weak = new Set(f.hs6Weak ?? []);
    f.hs6.forEach((hs, k) => {
      if (weak.has(hs))
        issues.push({
          file: 'item-families.json',
          entry: f.id,
          index,
          path: `/hs6/${k}`,
          message: `"${hs}" is also in hs6Weak: a heading is either as strong as the control or broader, not both`,
        });
    });
  });

  parties.forEach((p, index) => {
    datedChecks('parties.json', p, p.id, index);
    date('parties.json', p.id, index, '/listedOn', p.listedOn);
    if ((p.list === 'control_list' || p.list === 'watch_list') && p.effectiveFrom !== p.listedOn)
      issues.push({
        file: 'parties.json',
        entry: p.id,
        index,
        path: '/effectiveFrom',
        message: `a listed entity is in force from its listing date (${p.listedOn})`,
      });
    if (!countryCodes.has(p.country))
      issues.push({ file: 'parties.json', entry: p.id, index, path: '/country', message: `"${p.country}" is not in countries.json` });
    if (p.jpCorporateNumber !== undefined && !isValidJpCorporateNumber(p.jpCorporateNumber))
      issues.push({
        file: 'parties.json',
        entry: p.id,
        index,
        path: '/jpCorporateNumber',
        message: `"${p.jpCorporateNumber}" fails the corporate-number check digit`,
      });
    const relatedSeen = new Set<string>();
    p.related?.forEach((r, k) => {
      if (relatedSeen.has(`${r.relation} ${r.id}`))
        issues.push({
          file: 'parties.json',
          entry: p.id,
          index,
          path: `/related/${k}`,
          message: `duplicate relation ${r.relation} of "${r.id}"`,
        });
      relatedSeen.add(`${r.relation} ${r.id}`);
      if (r.ownershipPct !== undefined && r.relation !== 'parent' && r.relation !== 'subsidiary')
        issues.push({
          file: 'parties.json',
          entry: p.id,
          index,
          path: `/related/${k}/ownershipPct`,
          message: `is only for parent or subsidiary ties, not ${r.relation}`,
        });
      if (r.id === p.id)
        issues.push({
          file: 'parties.json',
          entry: p.id,
          index,
          path: `/related/${k}/id`,
          message: 'an entry cannot be related to itself',
        });
      else if (!partyIds.has(r.id))
        issues.push({
          file: 'parties.json',
          entry: p.id,
          index,
          path: `/related/${k}/id`,
          message: `party "${r.id}" is not in parties.json`,
        });
    });
    date('parties.json', p.id, index, '/defenceNexusFrom', p.defenceNexusFrom);
    if (p.defenceNexusFrom !== undefined) {
      if ((p.list === 'control_list' || p.list === 'watch_list') && p.defenceNexusFrom >= p.effectiveFrom)
        issues.push({
          file: 'parties.json',
          entry: p.id,
          index,
          path: '/defenceNexusFrom',
          message: `must be before the entry's listing (effectiveFrom ${p.effectiveFrom})`,
        });
      if (!p.contracts?.length && !p.related?.length)
        issues.push({
          file: 'parties.json',
          entry: p.id,
          index,
          path: '/defenceNexusFrom',
          message: 'needs a reason in data: contracts or related',
        });
    }
    const years = new Set<string>();
    p.contracts?.forEach((c, k) => {
      const key = `${c.agency} ${c.fiscalYear}`;
      if (years.has(key))
        issues.push({ file: 'parties.json', entry: p.id, index, path: `/contracts/${k}`, message: `duplicate contract year ${key}` });
      years.add(key);
    });
    const names = new Set([p.names.en, p.names.zh, p.names.ja, ...p.aliases].filter(Boolean));
    p.unverifiedNames?.forEach((n, k) => {
      if (!names.has(n))
        issues.push({
          file: 'parties.json',
          entry: p.id,
          index,
          path: `/unverifiedNames/${k}`,
          message: `"${n}" is not one of the entry's names or aliases`,
        });
    });
  });

  const kinds = files['source-kinds.json'] as SourceKinds;
  for (const file of REFDATA_FILES) {
    if (file === 'source-kinds.json') continue;
    const value = files[file];
    const entries: { value: unknown; entry?: string; index?: number }[] = Array.isArray(value)
      ? value.map((v, index) => ({ value: v, entry: entryLabel(v), index }))
      : [{ value }];
    for (const e of entries)
      for (const u of urlsIn(e.value))
        if (sourceKind(u.url, kinds) === undefined)
          issues.push({
            file,
            entry: e.entry,
            index: e.index,
            path: u.path,
            message: `source "${u.url}" has no kind in source-kinds.json (add its host or the URL)`,
          });
  }

  announcementRef('military-end-use.json', undefined, undefined, '/announcement', military.announcement);
  military.relatedAnnouncements?.forEach((id, k) =>
    announcementRef('military-end-use.json', undefined, undefined, `/relatedAnnouncements/${k}`, id),
  );
  return issues;
}

/** Validates parsed files and builds the RefData (for tests building variants in memory, and for the loaders). */
export function refDataFromObject(files: RefDataFiles): RefData {
  const issues: RefDataIssue[] = [];
  for (const file of REFDATA_FILES) {
    const value = files[file];
    if (value === undefined) {
      issues.push({ file, path: '', message: 'is missing' });
      continue;
    }
    const arraySchema = ARRAY_FILES[file];
    if (arraySchema) {
      if (!Array.isArray(value)) {
        issues.push({ file, path: '', message: 'must be an array of entries' });
        continue;
      }
      value.forEach((entry, index) => issues.push(...schemaIssues(file, entry, arraySchema, { entry: entryLabel(entry), index })));
    } else {
      issues.push(...schemaIssues(file, value, OBJECT_FILES[file]!));
    }
  }
  if (issues.length === 0) issues.push(...crossIssues(files));
  if (issues.length > 0) throw new RefDataError(issues);

  const manifest = files['manifest.json'] as Manifest;
  return {
    version: refDataVersion(manifest.label, files),
    label: manifest.label,
    announcements: files['announcements.json'] as Announcement[],
    itemFamilies: files['item-families.json'] as ItemFamily[],
    parties: files['parties.json'] as ListedParty[],
    countries: files['countries.json'] as Country[],
    redFlags: files['red-flags.json'] as RedFlag[],
    militaryEndUse: files['military-end-use.json'] as MilitaryEndUseTerms,
    legalForms: files['legal-forms.json'] as LegalForms,
    sourceKinds: files['source-kinds.json'] as SourceKinds,
  };
}

/** Reads and parses every file of a data directory (errors name the file). */
export function readRefDataFiles(dir: string): RefDataFiles {
  const files = {} as RefDataFiles;
  const issues: RefDataIssue[] = [];
  for (const file of REFDATA_FILES) {
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch (err) {
      issues.push({ file, path: '', message: `cannot be read from ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    try {
      files[file] = JSON.parse(text) as unknown;
    } catch (err) {
      issues.push({ file, path: '', message: `is not valid JSON: ${(err as Error).message}` });
    }
  }
  if (issues.length > 0) throw new RefDataError(issues);
  return files;
}

/** Loads and validates the reference data in `dir`. */
export function loadRefDataFromDir(dir: string): RefData {
  return refDataFromObject(readRefDataFiles(dir));
}

export { bundledDataDir };

/** The reference data shipped with the code. */
export function loadBundledRefData(): RefData {
  return loadRefDataFromDir(bundledDataDir());
}
