import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Query,
  Req,
  UnsupportedMediaTypeException,
  UnprocessableEntityException,
} from '@nestjs/common';
import {
  decodeText,
  describeIssues,
  encodingFromLabel,
  orderEventValidator,
  TextEncodingError,
  topicName,
  type DecodedText,
  type OrderEvent,
} from '@dualwatch/contracts';
import { NeedsRole, type AuthedRequest } from '../auth/auth.guard';
import { invalid } from '../http/errors';
import { ApiRuntime } from '../runtime';
import { CSV_COLUMNS, CsvFileError, ordersFromCsv } from './csv-orders';

/** Ingest: order events onto orders.v1 (key orderId), where the risk-engine picks them up. */
@Controller('orders')
export class OrdersController {
  constructor(private readonly rt: ApiRuntime) {}

  private async publish(events: OrderEvent[]): Promise<void> {
    await this.rt.connect();
    await this.rt.producer.send({
      topic: topicName('orders', this.rt.s.topicPrefix),
      acks: -1,
      messages: events.map((e) => ({ key: e.order.orderId, value: JSON.stringify(e) })),
    });
  }

  /** One order event, validated against order-event.v1; 202 once Kafka has it. */
  @Post()
  @HttpCode(202)
  @NeedsRole('analyst')
  async create(@Body() body: unknown) {
    const r = orderEventValidator.validate(body);
    if (!r.ok) throw invalid(`not a valid order event: ${describeIssues(r.issues)}`, r.issues);
    await this.publish([r.value]);
    return { eventId: r.value.eventId, orderId: r.value.order.orderId, status: 'accepted' };
  }

  /**
   * Bulk orders as CSV (Content-Type: text/csv): one row per order line, grouped by orderId. Valid
   * orders are sent (202) even when others are refused; each refused order names its bad rows.
   */
  @Post('csv')
  @HttpCode(202)
  @NeedsRole('analyst')
  async csv(@Body() body: unknown, @Req() req: AuthedRequest, @Query('encoding') encodingParam?: string) {
    if (!Buffer.isBuffer(body))
      throw new UnsupportedMediaTypeException({ error: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the file as Content-Type: text/csv' });
    // the encoding: ?encoding=, else the Content-Type's charset, else detected (UTF-8 with or without BOM, Shift-JIS)
    const label = encodingParam ?? /charset\s*=\s*"?([^";\s]+)/i.exec(String(req.headers['content-type'] ?? ''))?.[1];
    const choice = label === undefined ? 'auto' : encodingFromLabel(label);
    if (!choice)
      throw new UnsupportedMediaTypeException({
        error: 'UNSUPPORTED_ENCODING',
        message: `unknown encoding "${label}": send UTF-8 or Shift-JIS (CP932), or leave the encoding out to have it detected`,
      });
    let decoded: DecodedText;
    try {
      decoded = decodeText(body, choice);
    } catch (err) {
      if (err instanceof TextEncodingError)
        throw new BadRequestException({ error: 'INVALID_ENCODING', message: `the CSV file is ${err.message}` });
      throw err;
    }
    let result;
    try {
      result = ordersFromCsv(decoded.text, {
        now: new Date(),
        source: `csv:${req.principal!.user}`.slice(0, 64),
        maxOrders: this.rt.s.maxCsvOrders,
      });
    } catch (err) {
      if (err instanceof CsvFileError) throw invalid(err.message);
      throw err;
    }
    const out = {
      encoding: { name: decoded.encoding, how: decoded.how },
      accepted: result.events.map((e) => ({ orderId: e.event.order.orderId, eventId: e.event.eventId, rows: e.rows })),
      rejected: result.rejected,
    };
    if (!result.events.length)
      throw new UnprocessableEntityException({ error: 'NO_VALID_ORDER', message: 'no order in the file is valid', ...out });
    await this.publish(result.events.map((e) => e.event));
    return out;
  }

  /** The CSV columns and what each holds. */
  @Get('csv/columns')
  columns() {
    return CSV_COLUMNS.map((c) => ({ name: c.name, level: c.level, description: c.description }));
  }
}
