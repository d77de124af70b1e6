import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  UnprocessableEntityException,
  UseGuards,
} from '@nestjs/common';
import { SubscriptionError, SubscriptionStore } from '@dualwatch/notify';
import { AdminKeyGuard } from './admin.guard';

/** Maps the store's refusals to HTTP: 400 invalid, 404 unknown, 409 taken, 422 refused target. */
export async function http<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof SubscriptionError)) throw err;
    const body = { error: err.code, message: err.message };
    if (err.code === 'NOT_FOUND') throw new NotFoundException(body);
    if (err.code === 'CONFLICT') throw new ConflictException(body);
    if (err.code === 'REFUSED') throw new UnprocessableEntityException(body);
    throw new BadRequestException(body);
  }
}

/** Subscription management (until the api app mounts the same SubscriptionStore). Secrets go in, never out. */
@Controller('subscriptions')
@UseGuards(AdminKeyGuard)
export class SubscriptionsController {
  constructor(private readonly store: SubscriptionStore) {}

  @Get()
  list() {
    return http(() => this.store.views());
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return http(() => this.store.view(id));
  }

  @Post()
  create(@Body() body: unknown) {
    return http(() => this.store.create(body));
  }

  @Put(':id')
  update(@Param('id') id: string, @Body() body: unknown) {
    return http(() => this.store.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string) {
    if (!(await this.store.remove(id))) throw new NotFoundException({ error: 'NOT_FOUND', message: `no subscription ${id}` });
  }
}
