import { handler, resolveDate } from '../../functions/resolve-date/handler';

const now = new Date('2023-03-01T00:30:00Z');

it('passes a valid InputDate through', async () => {
  expect(await handler({ InputDate: '2023-02-08' })).toEqual({ InputDate: '2023-02-08' });
});

it.each([[{}], [null], [{ InputDate: '' }], [{ InputDate: null }]])('defaults %j to yesterday in UTC', (input) => {
  expect(resolveDate(input, now)).toEqual({ InputDate: '2023-02-28' });
});

it.each([
  '2023-02-*',
  '2023-02-0?',
  '2023-02-[01]8',
  '{2023,2024}-02-08',
  '2023-02-30',
  '2023-2-8',
  '../2023-02-08',
  20230208,
])('rejects %j with InvalidInputDate', (value) => {
  expect(() => resolveDate({ InputDate: value }, now)).toThrow(
    expect.objectContaining({ name: 'InvalidInputDate', message: 'InputDate must be a real date written YYYY-MM-DD' }),
  );
});

it('defaults to the day before the scheduled time, however late the run starts', () => {
  expect(resolveDate({ ScheduledTime: '2023-02-09T01:00:00Z' }, new Date('2023-02-10T00:30:00Z'))).toEqual({
    InputDate: '2023-02-08',
  });
});

it('rejects a ScheduledTime that is not a time', () => {
  expect(() => resolveDate({ ScheduledTime: 'soon' }, now)).toThrow(
    expect.objectContaining({ name: 'InvalidInputDate' }),
  );
});
