import { z } from '@hono/zod-openapi';

const email = z.email().max(254).openapi({ example: 'ada@example.com' });
const password = z.string().min(1).max(1024).openapi({ description: 'At least 8 characters, not a common password' });
export const usernameSchema = z.string().regex(/^[A-Za-z0-9_.-]{3,32}$/, '3 to 32 letters, digits, dots, dashes or underscores');

export const registerBody = z.strictObject({
  email,
  username: usernameSchema,
  password,
  displayName: z.string().trim().min(1).max(100).optional(),
}).openapi('RegisterRequest');

export const loginBody = z.strictObject({ email, password }).openapi('LoginRequest');
export const refreshBody = z.strictObject({ refreshToken: z.string().min(20).max(4096) }).openapi('RefreshRequest');
export const tokenBody = z.strictObject({ token: z.string().min(20).max(200) }).openapi('OneTimeTokenRequest');
export const forgotBody = z.strictObject({ email }).openapi('ForgotPasswordRequest');
export const resetBody = z.strictObject({ token: z.string().min(20).max(200), password }).openapi('ResetPasswordRequest');
export const changePasswordBody = z.strictObject({ currentPassword: password, newPassword: password }).openapi('ChangePasswordRequest');

export const tokenPairSchema = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  expiresIn: z.number().int().openapi({ description: 'Seconds' }),
  refreshToken: z.string(),
  refreshExpiresIn: z.number().int(),
  sessionId: z.uuid(),
}).openapi('TokenPair');

export const acceptedSchema = z.object({ message: z.string() }).openapi('Accepted');

export const sessionSchema = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  expiresAt: z.string(),
  current: z.boolean(),
}).openapi('Session');

export const idParam = z.strictObject({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
export const revokeAllQuery = z.strictObject({ keepCurrent: z.enum(['true', 'false']).default('false') });

export const userSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string().nullable(),
  email: z.string().optional().openapi({ description: 'Only for the user themself and admins' }),
  role: z.enum(['admin', 'moderator', 'user']).optional(),
  permissions: z.array(z.string()).optional(),
  emailVerified: z.boolean().optional(),
  twoFactorEnabled: z.boolean().optional(),
  createdAt: z.string(),
}).openapi('User');

export const updateUserBody = z.strictObject({
  username: usernameSchema.optional(),
  displayName: z.string().trim().min(1).max(100).optional(),
}).refine((value) => Object.keys(value).length > 0, 'Send at least one field').openapi('UpdateUserRequest');
