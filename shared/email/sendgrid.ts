import type { EmailMessage, EmailSender } from './port.ts';

export interface SendGridSettings {
  apiKey: string;
  /** https://api.sendgrid.com in production; a local fake server in tests. */
  baseUrl: string;
  from: string;
  timeoutMs: number;
}

function parseFrom(from: string): { email: string; name?: string } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(from);
  return match ? { email: match[2]!, ...(match[1] ? { name: match[1] } : {}) } : { email: from.trim() };
}

/** Sends through SendGrid's v3 Mail Send API. */
export function sendGridSender(settings: SendGridSettings): EmailSender {
  return {
    async send(message: EmailMessage) {
      const response = await fetch(`${settings.baseUrl.replace(/\/$/, '')}/v3/mail/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${settings.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          personalizations: [{ to: [{ email: message.to }] }],
          from: parseFrom(settings.from),
          subject: message.subject,
          content: [{ type: 'text/plain', value: message.text }],
          categories: [message.category],
        }),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      if (!response.ok) {
        throw new Error(`SendGrid answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      }
    },
  };
}
