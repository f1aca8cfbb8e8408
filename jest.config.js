/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // tsconfig sets isolatedModules, so ts-jest only transpiles; `tsc --noEmit` type-checks as its own step.
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/__tests__/support/env.ts'],
  testTimeout: 30_000,
};
