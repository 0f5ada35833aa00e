import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres } from '../../../shared/stores/index.ts';
import type { RegisterDeviceInput } from '../profile-schemas.ts';
import { devicesRepo, type DeviceRow } from '../repo/devices.ts';

/** More installs than anyone uses; beyond it the least recently seen token is dropped. */
export const MAX_DEVICES_PER_ACCOUNT = 50;

export function deviceView(row: DeviceRow, auth: AuthContext) {
  return {
    id: row.id,
    platform: row.platform,
    token: row.token,
    deviceName: row.device_name,
    appVersion: row.app_version,
    current: row.session_id === auth.sessionId,
    createdAt: row.created_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
  };
}

export type DeviceView = ReturnType<typeof deviceView>;

/** Registers the caller's push token, linked to the session that sent it (logout can drop it). */
export async function registerDevice(postgres: Postgres, auth: AuthContext, input: RegisterDeviceInput): Promise<{ device: DeviceView; created: boolean }> {
  const row = await devicesRepo.upsert(postgres, {
    accountId: auth.userId,
    sessionId: auth.sessionId,
    platform: input.platform,
    token: input.token,
    deviceName: input.deviceName ?? null,
    appVersion: input.appVersion ?? null,
  });
  if (row.created) await devicesRepo.trim(postgres, auth.userId, MAX_DEVICES_PER_ACCOUNT);
  return { device: deviceView(row, auth), created: row.created };
}

export async function listDevices(postgres: Postgres, auth: AuthContext): Promise<DeviceView[]> {
  return (await devicesRepo.list(postgres, auth.userId)).map((row) => deviceView(row, auth));
}

/** Removes one of the caller's devices; another account's device is simply not found. */
export async function removeDevice(postgres: Postgres, auth: AuthContext, id: string): Promise<void> {
  if (!(await devicesRepo.remove(postgres, auth.userId, id))) throw new AppError('not_found', 'No such device.');
}
