/** One message to one recipient. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** What it is about, for the provider's analytics and for tests (e.g. "password_reset"). */
  category: string;
}

/** The email port: adapters for SendGrid (production) and a local capture (dev and tests). */
export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}
