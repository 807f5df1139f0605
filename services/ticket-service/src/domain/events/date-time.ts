import { AppError } from '../errors.ts';

/**
 * A request's date-time as a Date. The schema's "date-time" admits leap seconds
 * and year 0, which neither JavaScript nor Postgres can store: those are refused
 * here, naming the field.
 */
export function checkDateTime(value: string, field: string, what: string): Date {
  const date = new Date(value);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 2000 || year > 9999) {
    throw new AppError('VALIDATION_FAILED', `${what} is not valid.`, {
      errors: [{ path: `body/${field}`, message: 'must be a date-time between the years 2000 and 9999' }],
    });
  }
  return date;
}
