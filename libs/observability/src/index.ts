export * from './logger';
export * from './health';
export * from './ops.controller';
export * from './boot';
