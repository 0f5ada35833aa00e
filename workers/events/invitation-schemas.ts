import { z } from '@hono/zod-openapi';

// Schemas of invitations to events (routes/invitations.ts).

const uuidParam = (name: string) => z.uuid().openapi({ param: { name, in: 'path' } });

export const invitationParams = z.strictObject({ id: uuidParam('id'), userId: uuidParam('userId') });

export const inviteBody = z.strictObject({
  userIds: z.array(z.uuid()).min(1).max(100).openapi({ description: 'Accounts to invite (1 to 100); already invited ones are left as they are' }),
}).openapi('InviteRequest');

export const inviteResultSchema = z.object({
  invited: z.array(z.uuid()).openapi({ description: 'Accounts invited by this call (each is notified)' }),
  alreadyInvited: z.array(z.uuid()).openapi({ description: 'Accounts that were invited before: nothing changed for them' }),
}).openapi('InviteResult');

const pageQuery = {
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

export const invitationsQuery = z.strictObject(pageQuery);

export const invitationSchema = z.object({
  userId: z.uuid(),
  username: z.string(),
  displayName: z.string().nullable(),
  invitedBy: z.uuid(),
  invitedAt: z.string(),
  registered: z.boolean().openapi({ description: 'The invitee holds an active registration' }),
}).openapi('Invitation');

export const invitationsPage = z.object({ items: z.array(invitationSchema), nextCursor: z.string().nullable() }).openapi('InvitationsPage');

export const myInvitationSchema = z.object({
  eventId: z.uuid(),
  invitedBy: z.uuid(),
  invitedAt: z.string(),
  registered: z.boolean(),
  event: z.object({ id: z.uuid(), title: z.string(), startsAt: z.string(), endsAt: z.string(), timezone: z.string(), status: z.string() }),
}).openapi('MyInvitation');

export const myInvitationsPage = z.object({ items: z.array(myInvitationSchema), nextCursor: z.string().nullable() }).openapi('MyInvitationsPage');

export type InvitationsQuery = z.infer<typeof invitationsQuery>;
