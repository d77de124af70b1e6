export * from './order-event';
export * from './assessment';
export * from './alert';
export * from './validate';
export * from './parse';
export * from './topics';
export * from './formats';
export { contractSchemaPath } from './schema-files';
export * from './text-encoding';
