import { type Static, Type } from 'typebox';
import { DateTime, Email, Id, Name, Password, Role, Text } from './common.ts';
import { MAX_LENGTH } from './limits.ts';

export const User = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  role: Role,
  createdAt: DateTime,
});
export type User = Static<typeof User>;

export const AuthResult = Type.Object({ token: Type.String(), user: User });
export type AuthResult = Static<typeof AuthResult>;

export const SignupBody = Type.Object(
  { email: Email, password: Password, name: Name },
  { additionalProperties: false },
);
export type SignupBody = Static<typeof SignupBody>;

export const LoginBody = Type.Object(
  {
    email: Text({ minLength: 1, maxLength: MAX_LENGTH.email }),
    password: Text({ minLength: 1, maxLength: MAX_LENGTH.password }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const ChangePasswordBody = Type.Object(
  { currentPassword: Text({ minLength: 1, maxLength: MAX_LENGTH.password }), newPassword: Password },
  { additionalProperties: false },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const CreateUserBody = Type.Object(
  { email: Email, password: Password, name: Name, role: Role },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;
