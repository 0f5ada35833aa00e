import type { Config } from '../config.ts';
import type { Stores } from '../stores/index.ts';
import { captureSender } from './capture.ts';
import type { EmailSender } from './port.ts';
import { sendGridSender } from './sendgrid.ts';

export type { EmailMessage, EmailSender } from './port.ts';

/** The configured email adapter: SendGrid when EMAIL_PROVIDER=sendgrid, else the local capture. */
export function createEmailSender(config: Config, stores: Stores): EmailSender {
  if (config.EMAIL_PROVIDER === 'sendgrid') {
    return sendGridSender({ apiKey: config.SENDGRID_API_KEY ?? '', baseUrl: config.SENDGRID_API_URL, from: config.EMAIL_FROM, timeoutMs: config.STORE_TIMEOUT_MS });
  }
  return captureSender(stores.mongo);
}
