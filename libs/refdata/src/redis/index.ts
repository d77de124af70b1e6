export * from './refdata-store';
export * from './screening-cache';
export * from './reference-service';
