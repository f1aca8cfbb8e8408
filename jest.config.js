/**
 * Two projects: `unit` needs nothing but Node (npm run test:unit, the inner loop), and
 * `integration` (*.integration.test.ts) needs Spark, Terraform, the emulator, the project's
 * Python environment, or runs the CLI as a child process. `npm test` runs both.
 */
const shared = {
  testEnvironment: 'node',
  // tsconfig sets isolatedModules, so ts-jest only transpiles; `tsc --noEmit` type-checks as its own step.
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/__tests__/support/env.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/after-each-file.ts'],
  // Not the system temp folder (the default): a test run leaves it as it found it.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.integration\\.test\\.ts$'],
    },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/__tests__/**/*.integration.test.ts'] },
  ],
};
