export * from './model';
export * from './schema';
export * from './loader';
export * from './source-kinds';
export * from './matcher';
export * from './redis';
