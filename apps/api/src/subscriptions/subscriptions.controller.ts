import {
  BadRequestException,
  Body,
  Catch,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Injectable,
  NotFoundException,
  Param,
  Post,
  Put,
  ServiceUnavailableException,
  UnprocessableEntityException,
  UseFilters,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { SecretBox, SubscriptionError, SubscriptionStore, TargetGuard } from '@dualwatch/notify';
import { NeedsRole } from '../auth/auth.guard';
import { ApiRuntime } from '../runtime';

/** The notifier's SubscriptionStore (same Redis hash, same sealing key, same target guard), when NOTIFIER_SECRET_KEY is set. */
@Injectable()
export class Subscriptions {
  readonly store?: SubscriptionStore;
  constructor(rt: ApiRuntime) {
    const s = rt.s;
    if (s.secretKey)
      this.store = new SubscriptionStore(rt.stateRedis, s.redisKeyPrefix, new SecretBox(s.secretKey), new TargetGuard(s.targetAllowList));
  }

  get(): SubscriptionStore {
    if (!this.store)
      throw new ServiceUnavailableException({ error: 'OFF', message: "subscriptions are off: set NOTIFIER_SECRET_KEY (the notifier's)" });
    return this.store;
  }
}

/** The store's refusals as HTTP: 400 invalid, 404 unknown, 409 taken, 422 refused target. */
@Catch(SubscriptionError)
export class SubscriptionErrorFilter extends BaseExceptionFilter implements ExceptionFilter {
  override catch(err: SubscriptionError, host: ArgumentsHost) {
    const body = { error: err.code, message: err.message };
    const mapped =
      err.code === 'NOT_FOUND'
        ? new NotFoundException(body)
        : err.code === 'CONFLICT'
          ? new ConflictException(body)
          : err.code === 'REFUSED'
            ? new UnprocessableEntityException(body)
            : new BadRequestException(body);
    super.catch(mapped, host);
  }
}

/** Subscriptions of the notifier (who gets which alerts where). Admins only; secrets go in, never out. */
@Controller('subscriptions')
@NeedsRole('admin')
@UseFilters(SubscriptionErrorFilter)
export class SubscriptionsController {
  constructor(private readonly subs: Subscriptions) {}

  @Get()
  list() {
    return this.subs.get().views();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.subs.get().view(id);
  }

  @Post()
  create(@Body() body: unknown) {
    return this.subs.get().create(body);
  }

  @Put(':id')
  update(@Param('id') id: string, @Body() body: unknown) {
    return this.subs.get().update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string) {
    if (!(await this.subs.get().remove(id))) throw new NotFoundException({ error: 'NOT_FOUND', message: `no subscription ${id}` });
  }
}
