export * from './kafka';
export * from './heartbeat';
export * from './provisioning';
export * from './transactional-pipeline';
export * from './at-least-once-pipeline';
export * from './replay-pipeline';
export * from './dlq';
export * from './nest';
