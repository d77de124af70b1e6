import { BadRequestException } from '@nestjs/common';
import type { ValidationIssue } from '@dualwatch/contracts';

/** 400 with every issue named by its JSON path, the same shape on every endpoint. */
export const invalid = (message: string, issues?: ValidationIssue[]) =>
  new BadRequestException({ error: 'INVALID', message, ...(issues ? { issues } : {}) });
