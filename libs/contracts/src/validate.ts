import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { registerFormats } from './formats';
import { OrderEventSchema, type OrderEvent } from './order-event';
import { AssessmentSchema, type Assessment } from './assessment';
import { AlertSchema, type Alert } from './alert';

export interface ValidationIssue {
  /** JSON Pointer to the offending field, e.g. `/order/lines/0/quantity` ("" for the whole document). */
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** A compiled validator for one schema: fast `check`, and readable issues when it fails. */
export class Validator<S extends TSchema> {
  private readonly compiled: TypeCheck<S>;

  constructor(
    readonly schema: S,
    private readonly maxIssues = 10,
  ) {
    registerFormats();
    this.compiled = TypeCompiler.Compile(schema);
  }

  check(value: unknown): value is Static<S> {
    return this.compiled.Check(value);
  }

  validate(value: unknown): Validation<Static<S>> {
    if (this.compiled.Check(value)) return { ok: true, value };
    const issues: ValidationIssue[] = [];
    for (const e of this.compiled.Errors(value)) {
      issues.push({ path: e.path, message: e.message });
      if (issues.length >= this.maxIssues) break;
    }
    return { ok: false, issues };
  }
}

/** One line a person can read: "/order/lines/0/quantity: Expected number to be greater than 0; ...". */
export function describeIssues(issues: ValidationIssue[]): string {
  return issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('; ');
}

export const orderEventValidator = new Validator(OrderEventSchema);
export const assessmentValidator = new Validator(AssessmentSchema);
export const alertValidator = new Validator(AlertSchema);

export type { OrderEvent, Assessment, Alert };
