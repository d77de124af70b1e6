import { Module, type DynamicModule } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import type { Logger } from '@dualwatch/observability';
import { KAFKA_OUT, NAIVE_LOGGER, NAIVE_SETTINGS, NaiveEngineService } from './naive-engine.service';
import { OrdersController } from './orders.controller';
import type { NaiveSettings } from './settings';

@Module({})
export class NaiveEngineModule {
  static forRoot(settings: NaiveSettings, logger: Logger): DynamicModule {
    return {
      module: NaiveEngineModule,
      imports: [
        ClientsModule.register([
          {
            name: KAFKA_OUT,
            transport: Transport.KAFKA,
            options: {
              client: { clientId: `${settings.kafkaClientId}-naive-out`, brokers: settings.kafkaBrokers },
              producerOnlyMode: true,
              postfixId: '',
            },
          },
        ]),
      ],
      controllers: [OrdersController],
      providers: [{ provide: NAIVE_SETTINGS, useValue: settings }, { provide: NAIVE_LOGGER, useValue: logger }, NaiveEngineService],
    };
  }
}
