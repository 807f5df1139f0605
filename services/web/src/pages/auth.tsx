// Sign up, log in, change password.
import { MAX_LENGTH } from '@tickets/contract/limits';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { changePassword, login, signup } from '../api/endpoints.ts';
import type { AuthResult } from '../api/types.ts';
import { EmailField, NewPasswordField, PasswordField } from '../components/account-fields.tsx';
import { ErrorBox, Field, Notice, PageHeader, SubmitButton } from '../components/ui.tsx';
import { useAction, useTitle } from '../hooks.ts';
import { Link, navigate, safeNext, useLocation } from '../router.tsx';
import { session, useSession } from '../session.ts';

/** Where to go once logged in (a path on this site only). */
const useNext = () => safeNext(useLocation().query.get('next'));

/** A form that starts a session with what `start` returns, then goes on to `next`. */
function SessionForm(props: {
  next: string;
  start: () => Promise<AuthResult>;
  label: string;
  busyLabel: string;
  children: ComponentChildren;
}) {
  const form = useAction();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void form.run(async () => {
          session.start(await props.start());
          navigate(props.next, { replace: true });
        });
      }}
    >
      {props.children}
      <ErrorBox error={form.error} />
      <SubmitButton busy={form.busy} busyLabel={props.busyLabel}>
        {props.label}
      </SubmitButton>
    </form>
  );
}

export function LoginPage() {
  useTitle('Log in');
  const next = useNext();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [ended] = useState(() => session.takeEndReason());

  return (
    <div class="narrow">
      <PageHeader title="Log in" />
      {ended === 'expired' && <Notice kind="warning">Your session has ended. Please log in again.</Notice>}
      <SessionForm
        next={next}
        start={() => login({ email: email.trim(), password })}
        label="Log in"
        busyLabel="Logging in…"
      >
        <EmailField value={email} onValue={setEmail} />
        <PasswordField label="Password" id="password" value={password} onValue={setPassword} />
      </SessionForm>
      <p>
        New here?{' '}
        <Link href={`/signup${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>
          Create an account
        </Link>
      </p>
    </div>
  );
}

export function SignupPage() {
  useTitle('Sign up');
  const next = useNext();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  return (
    <div class="narrow">
      <PageHeader title="Create an account" />
      <SessionForm
        next={next}
        start={() => signup({ name: name.trim(), email: email.trim(), password })}
        label="Sign up"
        busyLabel="Creating your account…"
      >
        <Field
          label="Name"
          id="name"
          autocomplete="name"
          required
          maxLength={MAX_LENGTH.name}
          value={name}
          onValue={setName}
        />
        <EmailField value={email} onValue={setEmail} />
        <NewPasswordField label="Password" id="password" value={password} onValue={setPassword} />
      </SessionForm>
      <p>
        Already have an account? <Link href={`/login?next=${encodeURIComponent(next)}`}>Log in</Link>
      </p>
    </div>
  );
}

export function AccountPage() {
  useTitle('Account');
  const current = useSession();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const form = useAction();
  if (!current) return null;
  const { user } = current;

  return (
    <div class="narrow">
      <PageHeader title="Your account" />
      <dl class="facts">
        <dt>Name</dt>
        <dd>{user.name}</dd>
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Role</dt>
        <dd>{{ admin: 'Administrator', staff: 'Door staff', customer: 'Customer' }[user.role]}</dd>
      </dl>
      <h2>Change password</h2>
      {done && (
        <Notice kind="success">
          Your password has been changed. Anywhere else you were logged in, you have been logged out.
        </Notice>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setDone(false);
          if (newPassword !== confirm) {
            form.setError(null);
            form.setError(new MismatchError());
            return;
          }
          void form.run(async () => {
            await changePassword({ currentPassword, newPassword });
            // The change revoked every token, this one too: log in with the new password.
            session.start(await login({ email: user.email, password: newPassword }));
            setCurrent('');
            setNew('');
            setConfirm('');
            setDone(true);
          });
        }}
      >
        <PasswordField
          label="Current password"
          id="current-password"
          value={currentPassword}
          onValue={setCurrent}
        />
        <NewPasswordField label="New password" id="new-password" value={newPassword} onValue={setNew} />
        <Field
          label="Repeat the new password"
          id="confirm-password"
          type="password"
          autocomplete="new-password"
          required
          value={confirm}
          onValue={setConfirm}
        />
        {form.error instanceof MismatchError ? (
          <div class="notice error" role="alert">
            <p>The two new passwords are not the same.</p>
          </div>
        ) : (
          <ErrorBox
            error={form.error}
            overrides={{ INVALID_CREDENTIALS: 'Your current password is not right. Nothing was changed.' }}
          />
        )}
        <SubmitButton busy={form.busy} busyLabel="Changing…">
          Change password
        </SubmitButton>
      </form>
    </div>
  );
}

class MismatchError extends Error {}
