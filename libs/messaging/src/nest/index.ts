export * from './chunk-transport';
export * from './in-memory-broker';
