/**
 * A test that needs a machine tool (terraform, python3, the emulator) fails under CI=true
 * when the tool is missing; elsewhere it is skipped with a loud message.
 */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export function requireTool(name: string, available: boolean): boolean {
  if (available) return true;
  if (IN_CI) throw new Error(`${name} is required under CI=true but was not found on this machine`);
  // eslint-disable-next-line no-console -- a skip must be loud, and jest shows console output beside the test
  console.warn(`\n*** SKIPPED: ${name} not found on this machine; these tests run (and must pass) in CI ***\n`);
  return false;
}
