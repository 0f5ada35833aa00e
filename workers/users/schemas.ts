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

// Two-factor authentication
const totpCode = z.string().regex(/^\d{6}$/, '6 digits').openapi({ description: 'The current code of the authenticator app', example: '123456' });
const secondFactorCode = z.string().trim().regex(/^[0-9A-Za-z -]{6,16}$/, 'a 6-digit code or a backup code')
  .openapi({ description: 'A 6-digit authenticator code, or one of the backup codes (xxxxx-xxxxx); each works once', example: '123456' });

export const confirmTwoFactorBody = z.strictObject({ code: totpCode }).openapi('ConfirmTwoFactorRequest');
export const secondFactorBody = z.strictObject({ code: secondFactorCode }).openapi('SecondFactorRequest');
export const disableTwoFactorBody = z.strictObject({ password, code: secondFactorCode }).openapi('DisableTwoFactorRequest');
export const loginSecondStepBody = z.strictObject({
  mfaToken: z.string().min(20).max(4096).openapi({ description: 'The token login answered with' }),
  code: secondFactorCode,
}).openapi('LoginSecondStepRequest');

export const twoFactorSetupSchema = z.object({
  secret: z.string().openapi({ description: 'Base32 TOTP secret (SHA-1, 6 digits, 30 s); shown only this once' }),
  otpauthUri: z.string().openapi({ description: 'otpauth:// URI with the same secret, for a QR code' }),
}).openapi('TwoFactorSetup');

export const backupCodesSchema = z.object({
  backupCodes: z.array(z.string()).openapi({ description: 'Single-use codes for when the authenticator is not at hand; shown only this once' }),
}).openapi('BackupCodes');

export const mfaChallengeSchema = z.object({
  mfaRequired: z.literal(true),
  mfaToken: z.string().openapi({ description: 'Send it with a code to POST /api/v1/auth/login/2fa; works once' }),
  expiresIn: z.number().int().openapi({ description: 'Seconds' }),
}).openapi('MfaChallenge');

/** What login answers: tokens, or (two-factor on) a challenge for the second step. */
export const loginResultSchema = z.union([tokenPairSchema, mfaChallengeSchema]).openapi('LoginResult');
