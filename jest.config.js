// One jest config, three projects: `unit` (pure, no I/O, next to the code), `integration` (a real
// Kafka broker and a real Redis, started by test/setup/global-setup.ts on free ports) and `system`
// (fault scenarios and the benchmark's quick mode, each with infrastructure of its own).
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  setupFiles: ['<rootDir>/test/setup/env.ts'],
};

module.exports = {
  testTimeout: 120000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools,bench}/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      slowTestThreshold: 60,
    },
    {
      // Heavy end-to-end suites, each starting its own broker, Redis and app processes, which they
      // stop, kill and restart: the reliability scenarios (issue 10) and the benchmark's quick mode.
      // scripts/test.sh runs this project on its own, one file at a time (--runInBand).
      ...shared,
      displayName: 'system',
      testMatch: ['<rootDir>/test/reliability/**/*.rel-spec.ts', '<rootDir>/test/bench/**/*.bench-spec.ts'],
      slowTestThreshold: 300,
    },
  ],
};
