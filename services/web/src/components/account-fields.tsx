// The fields of the account forms (sign-up, log-in, password change, adding a user).
import { MAX_LENGTH, MIN_PASSWORD_LENGTH } from '@tickets/contract/limits';
import { Field } from './ui.tsx';

interface Props {
  value: string;
  onValue: (value: string) => void;
}

export function EmailField({ autocomplete = 'email', ...props }: Props & { autocomplete?: string }) {
  return <Field label="Email" id="email" type="email" autocomplete={autocomplete} required {...props} />;
}

/** A password to type in (log-in, the current one): no rules shown. */
export function PasswordField({ label, id, ...props }: Props & { label: string; id: string }) {
  return <Field label={label} id={id} type="password" autocomplete="current-password" required {...props} />;
}

/** A password being chosen: the server's length rules, and the hint that says them. */
export function NewPasswordField({ label, id, ...props }: Props & { label: string; id: string }) {
  return (
    <Field
      label={label}
      id={id}
      type="password"
      autocomplete="new-password"
      required
      minLength={MIN_PASSWORD_LENGTH}
      maxLength={MAX_LENGTH.password}
      hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
      {...props}
    />
  );
}
