import { Type } from 'typebox';
import { DateTime, Email, Id, Name, Password, Role, Text } from './common.ts';

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
    email: Text({ minLength: 1, maxLength: 254 }),
    password: Text({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { currentPassword: Text({ minLength: 1, maxLength: 200 }), newPassword: Password },
  { additionalProperties: false },
);

export const CreateUserBody = Type.Object(
  { email: Email, password: Password, name: Name, role: Role },
  { additionalProperties: false },
);
