import { FormatRegistry } from '@sinclair/typebox';
import { registerErrorMessages } from './error-messages';

/**
 * The two string formats the public schemas use, checked the way JSON Schema validators do it in
 * "full" mode (RFC 3339): a real calendar date, and a date-time with a time zone.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(z|([+-])(\d{2})(?::?(\d{2}))?)$/i;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  return month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && isLeapYear(year) ? 29 : DAYS[month]);
}

function isIsoTime(value: string): boolean {
  const m = TIME.exec(value);
  if (!m) return false;
  const hr = +m[1];
  const min = +m[2];
  const sec = +m[3];
  const tzH = +(m[6] || 0);
  const tzM = +(m[7] || 0);
  if (tzH > 23 || tzM > 59) return false;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  // leap second, as ajv-formats accepts it: 23:59:60 UTC
  const utcMin = min - tzM * (m[5] === '-' ? -1 : 1);
  const utcHr = hr - tzH * (m[5] === '-' ? -1 : 1) - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}

export function isIsoDateTime(value: string): boolean {
  const parts = value.split(/t|\s/i);
  return parts.length === 2 && isIsoDate(parts[0]) && isIsoTime(parts[1]);
}

let registered = false;
/** Registers the formats with TypeBox once per process (idempotent). */
export function registerFormats(): void {
  registerErrorMessages();
  if (registered) return;
  FormatRegistry.Set('date', isIsoDate);
  FormatRegistry.Set('date-time', isIsoDateTime);
  registered = true;
}
