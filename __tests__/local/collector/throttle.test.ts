import { Throttle } from '../../../local/collector/throttle';

it('lets a burst through at once, then the rate a second, as the stage throttle does', () => {
  let now = 0;
  const throttle = new Throttle(2, 3, () => now);
  expect([throttle.take(), throttle.take(), throttle.take(), throttle.take()]).toEqual([true, true, true, false]);
  now = 499;
  expect(throttle.take()).toBe(false);
  now = 500;
  expect(throttle.take()).toBe(true);
  now = 10_000;
  // Refilled to the burst, not beyond.
  expect([throttle.take(), throttle.take(), throttle.take(), throttle.take()]).toEqual([true, true, true, false]);
});
