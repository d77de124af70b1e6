export * from './redis';
export * from './loop-aware-timeout';
