import { Type } from 'typebox';
import { DateTime, Email, Id, Name, Password, Role } from './common.ts';

export const User = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  role: Role,
  createdAt: DateTime,
});

export const AuthResult = Type.Object({ token: Type.String(), user: User });

export const SignupBody = Type.Object(
  { email: Email, password: Password, name: Name },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 200 }), newPassword: Password },
  { additionalProperties: false },
);

export const CreateUserBody = Type.Object(
  { email: Email, password: Password, name: Name, role: Role },
  { additionalProperties: false },
);
