import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { apiKeyMatches } from '@dualwatch/notify';
import { NOTIFIER_SETTINGS } from './tokens';
import type { NotifierSettings } from './settings';

export const ADMIN_KEY_HEADER = 'x-api-key';

/** The management endpoints need the admin API key (compared against its configured hash). */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(@Inject(NOTIFIER_SETTINGS) private readonly s: NotifierSettings) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.s.adminApiKeyHash) throw new ForbiddenException('the management API is off: set NOTIFIER_ADMIN_API_KEY_HASH');
    const presented = ctx.switchToHttp().getRequest<Request>().header(ADMIN_KEY_HEADER);
    if (!apiKeyMatches(presented, this.s.adminApiKeyHash)) throw new UnauthorizedException(`missing or wrong ${ADMIN_KEY_HEADER} header`);
    return true;
  }
}
