/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // tsconfig sets isolatedModules, so ts-jest only transpiles; `tsc --noEmit` type-checks as its own step.
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/__tests__/support/env.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/after-each-file.ts'],
  testTimeout: 30_000,
  // Not the system temp folder (the default): a test run leaves it as it found it.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};
