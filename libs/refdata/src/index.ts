export * from './model';
export * from './schema';
export * from './loader';
export * from './matcher';
export * from './redis';
