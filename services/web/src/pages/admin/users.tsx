// Adding an admin (or a customer) account.
import { MAX_LENGTH, MIN_PASSWORD_LENGTH } from '@tickets/contract/limits';
import { useState } from 'preact/hooks';
import { createUser } from '../../api/endpoints.ts';
import type { Role } from '../../api/types.ts';
import { ErrorBox, Field, Notice, PageHeader, SubmitButton } from '../../components/ui.tsx';
import { useTitle } from '../../hooks.ts';
import { AdminNav } from './nav.tsx';

const ROLE_NAMES: Record<Role, string> = {
  admin: 'an admin',
  staff: 'door staff',
  customer: 'a customer',
};

export function UsersPage() {
  useTitle('Add a user');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('admin');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState<string | null>(null);

  return (
    <div>
      <AdminNav />
      <div class="narrow">
        <PageHeader title="Add a user" />
        <p>
          Admins can create events, see every order and read the operation log. Door staff can only check
          tickets in, on the Check-in page.
        </p>
        {added && <Notice kind="success">{added}</Notice>}
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            setAdded(null);
            try {
              const user = await createUser({ name: name.trim(), email: email.trim(), password, role });
              setAdded(
                `${user.email} can now log in as ${ROLE_NAMES[user.role]}. Give them the password; they can change it under Account.`,
              );
              setName('');
              setEmail('');
              setPassword('');
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Field label="Name" id="name" required maxLength={MAX_LENGTH.name} value={name} onValue={setName} />
          <Field
            label="Email"
            id="email"
            type="email"
            required
            autocomplete="off"
            value={email}
            onValue={setEmail}
          />
          <Field
            label="Initial password"
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
          <fieldset class="radios">
            <legend>Role</legend>
            <label>
              <input
                type="radio"
                name="role"
                value="admin"
                checked={role === 'admin'}
                onChange={() => setRole('admin')}
              />
              Admin
            </label>
            <label>
              <input
                type="radio"
                name="role"
                value="staff"
                checked={role === 'staff'}
                onChange={() => setRole('staff')}
              />
              Door staff (check-in only)
            </label>
            <label>
              <input
                type="radio"
                name="role"
                value="customer"
                checked={role === 'customer'}
                onChange={() => setRole('customer')}
              />
              Customer
            </label>
          </fieldset>
          <ErrorBox error={error} />
          <SubmitButton busy={busy} busyLabel="Adding…">
            Add user
          </SubmitButton>
        </form>
      </div>
    </div>
  );
}
