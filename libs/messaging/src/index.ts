export * from './kafka';
export * from './provisioning';
export * from './transactional-pipeline';
export * from './dlq';
