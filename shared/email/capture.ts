import type { MongoStore } from '../stores/index.ts';
import type { EmailMessage, EmailSender } from './port.ts';

/** The collection where the local capture keeps sent mail (dev and tests read it). */
export const CAPTURED_EMAILS = 'captured_emails';

/** Development and test adapter: keeps every message in MongoDB instead of sending it. */
export function captureSender(mongo: MongoStore): EmailSender {
  return {
    async send(message: EmailMessage) {
      await mongo.collection(CAPTURED_EMAILS).insertOne({ ...message, to: message.to.toLowerCase(), sentAt: new Date() });
    },
  };
}
