/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // isolatedModules: transpile only; `tsc --noEmit` type-checks as its own step of `npm test`.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  setupFiles: ['<rootDir>/__tests__/support/env.ts'],
  testTimeout: 30_000,
};
