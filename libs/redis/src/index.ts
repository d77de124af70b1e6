export * from './redis';
export * from './loop-aware-timeout';
export * from './lease';
