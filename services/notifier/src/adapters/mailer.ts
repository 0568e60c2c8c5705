import nodemailer from 'nodemailer';

export interface Mailer {
  send(mail: { to: string; subject: string; text: string; html: string; messageId: string; date: Date }): Promise<string>;
  close(): void;
}

/** nodemailer over SMTP_URL; one pooled transport per instance. */
export function createMailer(opts: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: opts.from, ...mail });
      return info.messageId;
    },
    close: () => transport.close(),
  };
}
