import { describe, expect, it } from 'vitest';
import { ChangePasswordBody, CreateUserBody, LoginBody, SignupBody } from '../src/accounts.ts';
import { AuditQuery } from '../src/audit.ts';
import { MAX_LENGTH, MIN_PASSWORD_LENGTH, PAGE_SIZE } from '../src/limits.ts';
import { CheckInBody } from '../src/tickets.ts';
import { CreateWebhookBody, DeliveriesQuery } from '../src/webhooks.ts';
import { accepts, keyword, text } from './examples.ts';

const email = (length: number) => `${'a'.repeat(length - '@example.test'.length)}@example.test`;
const signup = (changes: Record<string, unknown>) => ({
  email: 'ada@example.test',
  password: text(MIN_PASSWORD_LENGTH),
  name: 'Ada',
  ...changes,
});

describe('accounts', () => {
  it('when a new password has MIN_PASSWORD_LENGTH to MAX_LENGTH.password characters, then it is accepted, on signup, by an admin and on a change', () => {
    for (const password of [text(MIN_PASSWORD_LENGTH), text(MAX_LENGTH.password)]) {
      expect(accepts(SignupBody, signup({ password }))).toBe(true);
      expect(accepts(CreateUserBody, signup({ password, role: 'staff' }))).toBe(true);
      expect(accepts(ChangePasswordBody, { currentPassword: 'old', newPassword: password })).toBe(true);
    }
    for (const password of [text(MIN_PASSWORD_LENGTH - 1), text(MAX_LENGTH.password + 1)]) {
      expect(accepts(SignupBody, signup({ password }))).toBe(false);
      expect(accepts(CreateUserBody, signup({ password, role: 'staff' }))).toBe(false);
      expect(accepts(ChangePasswordBody, { currentPassword: 'old', newPassword: password })).toBe(false);
    }
  });

  it('when the name or the email is as long as allowed, then it is accepted, and one character more is refused', () => {
    expect(accepts(SignupBody, signup({ name: text(MAX_LENGTH.name) }))).toBe(true);
    expect(accepts(SignupBody, signup({ name: text(MAX_LENGTH.name + 1) }))).toBe(false);
    expect(accepts(SignupBody, signup({ email: email(MAX_LENGTH.email) }))).toBe(true);
    expect(accepts(SignupBody, signup({ email: email(MAX_LENGTH.email + 1) }))).toBe(false);
  });

  it('when logging in, then any password up to MAX_LENGTH.password is taken (old accounts may have shorter ones)', () => {
    expect(accepts(LoginBody, { email: 'ada@example.test', password: 'x' })).toBe(true);
    expect(accepts(LoginBody, { email: 'ada@example.test', password: text(MAX_LENGTH.password + 1) })).toBe(
      false,
    );
  });

  it('when a role is not customer, admin or staff, then the account is refused', () => {
    expect(accepts(CreateUserBody, signup({ role: 'root' }))).toBe(false);
  });
});

describe('admin lists and texts', () => {
  it('when the audit log is paged, then up to PAGE_SIZE.audit.max entries a page may be asked', () => {
    expect(accepts(AuditQuery, { limit: PAGE_SIZE.audit.max })).toBe(true);
    expect(accepts(AuditQuery, { limit: PAGE_SIZE.audit.max + 1 })).toBe(false);
    expect(keyword(AuditQuery.properties.limit, 'default')).toBe(PAGE_SIZE.audit.default);
    expect(accepts(AuditQuery, { before: text(MAX_LENGTH.auditBefore + 1) })).toBe(false);
  });

  it('when webhook deliveries are listed, then up to PAGE_SIZE.deliveries.max may be asked', () => {
    expect(accepts(DeliveriesQuery, { limit: PAGE_SIZE.deliveries.max })).toBe(true);
    expect(accepts(DeliveriesQuery, { limit: PAGE_SIZE.deliveries.max + 1 })).toBe(false);
  });

  it('when a webhook URL is as long as allowed, then it is accepted, and longer is refused', () => {
    const url = (n: number) => `https://example.test/${'a'.repeat(n - 'https://example.test/'.length)}`;
    const hook = (n: number) => ({ url: url(n), events: ['order.confirmed'] });
    expect(accepts(CreateWebhookBody, hook(MAX_LENGTH.webhookUrl))).toBe(true);
    expect(accepts(CreateWebhookBody, hook(MAX_LENGTH.webhookUrl + 1))).toBe(false);
    expect(accepts(CreateWebhookBody, { url: url(30), events: ['order.refunded'] })).toBe(false);
  });

  it('when a ticket code is as long as allowed, then it is accepted, and longer is refused', () => {
    expect(accepts(CheckInBody, { code: text(MAX_LENGTH.checkInCode) })).toBe(true);
    expect(accepts(CheckInBody, { code: text(MAX_LENGTH.checkInCode + 1) })).toBe(false);
  });
});
