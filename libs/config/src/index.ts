export * from './settings';
export * from './common';
