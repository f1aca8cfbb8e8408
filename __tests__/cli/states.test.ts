import { describeStates } from '../../cli/states';

it('writes a path without loops as it is', () => {
  expect(describeStates(['A', 'B', 'C'])).toBe('A → B → C');
});

it('writes each repeated polling loop once, with its count', () => {
  const poll = ['Wait', 'Status(RUNNING)', 'Choice'];
  const states = ['Resolve', 'Start', ...poll, ...poll, ...poll, 'Wait', 'Status(SUCCESS)', 'Choice', 'Done'];
  expect(describeStates(states)).toBe(
    'Resolve → Start → (Wait → Status(RUNNING) → Choice) ×3 → Wait → Status(SUCCESS) → Choice → Done',
  );
});

it('keeps a loop that ran once unchanged', () => {
  expect(describeStates(['Start', 'Wait', 'Status', 'Choice', 'Done'])).toBe('Start → Wait → Status → Choice → Done');
});
