import type { ChatMessage } from '../../../shared/realtime/protocol.ts';

/** One page of a room's log, oldest first. */
export interface HistoryPage {
  messages: ChatMessage[];
  hasMore: boolean;
}

/** The stub of a room's object: one object per room, named by the room id. */
export function chatRoomStub(env: Env, roomId: string) {
  return env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(roomId));
}

/** The stub of a user's Presence or Inbox object: one per user, named by the user id. */
export function userObjectStub(env: Env, binding: 'PRESENCE' | 'INBOX', userId: string): DurableObjectStub {
  const namespace = env[binding];
  return namespace.get(namespace.idFromName(userId));
}
