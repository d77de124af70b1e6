import { Controller, Get, Req } from '@nestjs/common';
import { NeedsRole, type AuthedRequest } from './auth.guard';

/** Who the presented key belongs to: the dashboard's sign-in checks the key with it and shows what the role allows. */
@Controller('session')
export class SessionController {
  @Get()
  @NeedsRole('viewer')
  whoami(@Req() req: AuthedRequest) {
    return req.principal;
  }
}
