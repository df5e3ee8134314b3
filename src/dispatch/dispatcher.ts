import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { SessionRepo } from '../session/session-repo';
import type { Inbound } from '../wecom/inbound';
import type { Reply } from './reply';
import { respond } from './respond';
import type { UserSerializer } from './user-serializer';

/**
 * Routes an inbound event to its handler, doing the I/O in a fixed order:
 * lock the user → load the session → step → save → return the replies for sending.
 * Nothing is saved when stepping throws; the replies are only returned once the state is stored.
 */
export class Dispatcher {
  constructor(
    private readonly deps: { sessions: SessionRepo; serializer: UserSerializer; clock: Clock; logger: Logger },
  ) {}

  handle(inbound: Inbound): Promise<Reply[]> {
    return this.deps.serializer.run(inbound.userId, async () => {
      const loaded = await this.deps.sessions.load(inbound.userId);
      if (loaded.restarted) this.deps.logger.warn({ userId: inbound.userId, reason: loaded.reason }, 'session restarted');
      const outcome = respond(inbound, loaded.session, this.deps.clock.now());
      await this.deps.sessions.save(inbound.userId, outcome.session, loaded.rev);
      return outcome.replies;
    });
  }
}
