// Sign up, log in, change password.
import { MAX_LENGTH, MIN_PASSWORD_LENGTH } from '@tickets/contract/limits';
import { useState } from 'preact/hooks';
import { changePassword, login, signup } from '../api/endpoints.ts';
import { ErrorBox, Field, Notice, PageHeader, SubmitButton } from '../components/ui.tsx';
import { useTitle } from '../hooks.ts';
import { Link, navigate, safeNext, useLocation } from '../router.tsx';
import { session, useSession } from '../session.ts';

function useForm() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

export function LoginPage() {
  useTitle('Log in');
  const { query } = useLocation();
  const next = safeNext(query.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [ended] = useState(() => session.takeEndReason());
  const form = useForm();

  return (
    <div class="narrow">
      <PageHeader title="Log in" />
      {ended === 'expired' && <Notice kind="warning">Your session has ended. Please log in again.</Notice>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void form.run(async () => {
            session.start(await login({ email: email.trim(), password }));
            navigate(next, { replace: true });
          });
        }}
      >
        <Field
          label="Email"
          id="email"
          type="email"
          autocomplete="email"
          required
          value={email}
          onValue={setEmail}
        />
        <Field
          label="Password"
          id="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <ErrorBox error={form.error} />
        <SubmitButton busy={form.busy} busyLabel="Logging in…">
          Log in
        </SubmitButton>
      </form>
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
  const { query } = useLocation();
  const next = safeNext(query.get('next'));
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useForm();

  return (
    <div class="narrow">
      <PageHeader title="Create an account" />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void form.run(async () => {
            session.start(await signup({ name: name.trim(), email: email.trim(), password }));
            navigate(next, { replace: true });
          });
        }}
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
        <Field
          label="Email"
          id="email"
          type="email"
          autocomplete="email"
          required
          value={email}
          onValue={setEmail}
        />
        <Field
          label="Password"
          id="password"
          type="password"
          autocomplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          maxLength={MAX_LENGTH.password}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          value={password}
          onValue={setPassword}
        />
        <ErrorBox error={form.error} />
        <SubmitButton busy={form.busy} busyLabel="Creating your account…">
          Sign up
        </SubmitButton>
      </form>
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
  const form = useForm();
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
        <Field
          label="Current password"
          id="current-password"
          type="password"
          autocomplete="current-password"
          required
          value={currentPassword}
          onValue={setCurrent}
        />
        <Field
          label="New password"
          id="new-password"
          type="password"
          autocomplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          maxLength={MAX_LENGTH.password}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          value={newPassword}
          onValue={setNew}
        />
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
