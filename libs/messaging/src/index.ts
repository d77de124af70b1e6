// first: kafkajs must find the fast record-batch checksum in its module cache before it loads (crc32c.ts)
export * from './crc32c';
export * from './kafka';
export * from './heartbeat';
export * from './provisioning';
export * from './transactional-pipeline';
export * from './at-least-once-pipeline';
export * from './replay-pipeline';
export * from './dlq';
export * from './nest';
