import {
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { API_SETTINGS } from '../tokens';
import type { ApiSettings } from '../settings';
import { authenticate, roleAtLeast, type Principal, type Role } from './api-keys';

export const API_KEY_HEADER = 'x-api-key';
const ROLE_KEY = 'dw:role';

/** The least role a route needs (viewer, analyst, admin); a route without it is public. */
export const NeedsRole = (role: Role) => SetMetadata(ROLE_KEY, role);

export type AuthedRequest = Request & { principal?: Principal };

/** 401 without a valid key, 403 with a key whose role is too low. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(API_SETTINGS) private readonly s: ApiSettings,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const need = this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!need) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const principal = authenticate(req.header(API_KEY_HEADER), this.s.keys);
    if (!principal) throw new UnauthorizedException({ error: 'UNAUTHORIZED', message: `missing or wrong ${API_KEY_HEADER} header` });
    if (!roleAtLeast(principal.role, need))
      throw new ForbiddenException({
        error: 'FORBIDDEN',
        message: `this needs the ${need} role; the key of ${principal.user} is ${principal.role}`,
      });
    req.principal = principal;
    return true;
  }
}
