// Adding an admin (or a customer) account.
import { MAX_LENGTH } from '@tickets/contract/limits';
import { useState } from 'preact/hooks';
import { createUser } from '../../api/endpoints.ts';
import type { Role } from '../../api/types.ts';
import { EmailField, NewPasswordField } from '../../components/account-fields.tsx';
import { ErrorBox, Field, Notice, PageHeader, SubmitButton } from '../../components/ui.tsx';
import { useAction, useTitle } from '../../hooks.ts';
import { AdminNav } from './nav.tsx';

const ROLE_NAMES: Record<Role, string> = {
  admin: 'an admin',
  staff: 'door staff',
  customer: 'a customer',
};

const ROLES: [Role, string][] = [
  ['admin', 'Admin'],
  ['staff', 'Door staff (check-in only)'],
  ['customer', 'Customer'],
];

export function UsersPage() {
  useTitle('Add a user');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('admin');
  const form = useAction();
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
          onSubmit={(e) => {
            e.preventDefault();
            setAdded(null);
            void form.run(async () => {
              const user = await createUser({ name: name.trim(), email: email.trim(), password, role });
              setAdded(
                `${user.email} can now log in as ${ROLE_NAMES[user.role]}. Give them the password; they can change it under Account.`,
              );
              setName('');
              setEmail('');
              setPassword('');
            });
          }}
        >
          <Field label="Name" id="name" required maxLength={MAX_LENGTH.name} value={name} onValue={setName} />
          <EmailField autocomplete="off" value={email} onValue={setEmail} />
          <NewPasswordField label="Initial password" id="password" value={password} onValue={setPassword} />
          <fieldset class="radios">
            <legend>Role</legend>
            {ROLES.map(([value, text]) => (
              <label key={value}>
                <input
                  type="radio"
                  name="role"
                  value={value}
                  checked={role === value}
                  onChange={() => setRole(value)}
                />
                {text}
              </label>
            ))}
          </fieldset>
          <ErrorBox error={form.error} />
          <SubmitButton busy={form.busy} busyLabel="Adding…">
            Add user
          </SubmitButton>
        </form>
      </div>
    </div>
  );
}
