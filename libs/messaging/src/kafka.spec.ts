import { logLevel } from 'kafkajs';
import { heartbeatIntervalFor } from './heartbeat';
import { kafkaLogLevel } from './kafka';

describe('kafkajs log levels', () => {
  it('logs errors kafkajs handles itself (leader elections, rebalances) at info, marked transient', () => {
    expect(
      kafkaLogLevel(logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', 'This server is not the leader for that topic-partition'),
    ).toEqual({
      level: 'info',
      transient: 'NOT_LEADER_FOR_PARTITION',
    });
    expect(kafkaLogLevel(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', 'The coordinator is not aware of this member')).toEqual(
      {
        level: 'info',
        transient: 'UNKNOWN_MEMBER_ID',
      },
    );
  });

  it('keeps every other error and warning at its level', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded', 'Connection timeout')).toEqual({ level: 'error' });
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        'Response Produce(key: 0, version: 7)',
        'This message has failed its CRC checksum, exceeds the valid size, or is otherwise corrupt',
      ),
    ).toEqual({ level: 'error' });
    expect(kafkaLogLevel(logLevel.WARN, 'The group is rebalancing', undefined)).toEqual({ level: 'warn' });
    expect(kafkaLogLevel(logLevel.INFO, 'Starting', undefined)).toEqual({ level: 'info' });
  });

  it('does not repeat kafkajs 2.0.0 notice that its default partitioner changed (it is the one used)', () => {
    expect(
      kafkaLogLevel(logLevel.WARN, 'KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior ...', undefined),
    ).toEqual({
      level: 'debug',
    });
  });

  it('does not warn about the bounded retries of an idempotent producer a caller waits on', () => {
    expect(kafkaLogLevel(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees', undefined)).toEqual({
      level: 'debug',
    });
  });
});

describe('the heartbeat rule', () => {
  it('beats three times per session, at most every 3 s', () => {
    expect(heartbeatIntervalFor(6000)).toBe(2000);
    expect(heartbeatIntervalFor(10000)).toBe(3000);
    expect(heartbeatIntervalFor(30000)).toBe(3000);
  });
});
