import type { Logger } from '../log/logger';
import type { WeComSender } from '../wecom/sender';
import type { Reply } from './reply';

/** Sends replies through the API, in order: for late replies, long texts and cards. */
export class ReplySender {
  constructor(
    private readonly sender: WeComSender,
    private readonly logger: Logger,
  ) {}

  async send(userId: string, replies: readonly Reply[]): Promise<void> {
    for (const reply of replies) {
      const report =
        reply.kind === 'text'
          ? await this.sender.sendText([userId], reply.text)
          : await this.sender.sendTextCard([userId], reply);
      if (report.sent.length === 0) {
        this.logger.warn({ userId, invalid: report.invalidUsers.length, failed: report.failed.length }, 'reply not delivered');
      }
    }
  }
}
