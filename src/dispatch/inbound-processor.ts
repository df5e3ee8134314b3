import { sleep } from '../clock';
import type { Store } from '../store/store';
import { deliveryId, type Inbound } from '../wecom/inbound';
import type { Reply } from './reply';

export type Processed = { status: 'handled'; replies: Reply[] } | { status: 'duplicate' };

/** A retry arrived while the first delivery is still being handled; WeCom should retry later. */
export class DeliveryInProgressError extends Error {
  constructor(readonly id: string) {
    super(`delivery ${id} is still being handled`);
    this.name = 'DeliveryInProgressError';
  }
}

export interface ProcessorOptions {
  /** How long a claim lives if its holder dies mid-way (then a retry may handle it). */
  leaseMs?: number;
  /** How long a handled marker is kept; WeCom retries within about a minute. */
  keepMs?: number;
  /** How long a retry waits for a running first delivery before asking WeCom to retry later. */
  duplicateWaitMs?: number;
}

/**
 * Exactly-once handling of WeCom's retried callbacks: claim the delivery, handle it, mark it done.
 * On failure the claim is released so that WeCom's next retry handles it again.
 */
export class InboundProcessor {
  private readonly leaseMs: number;
  private readonly keepMs: number;
  private readonly duplicateWaitMs: number;

  constructor(
    private readonly store: Store,
    private readonly handle: (inbound: Inbound) => Promise<Reply[]>,
    options: ProcessorOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.keepMs = options.keepMs ?? 24 * 3_600_000;
    this.duplicateWaitMs = options.duplicateWaitMs ?? 2_000;
  }

  async process(inbound: Inbound): Promise<Processed> {
    const id = deliveryId(inbound);
    const claim = await this.store.claimDelivery(id, this.leaseMs);
    if (claim === 'done') return { status: 'duplicate' };
    if (claim === 'running' && !(await this.waitForOther(id))) return { status: 'duplicate' };
    try {
      const replies = await this.handle(inbound);
      await this.store.completeDelivery(id, this.keepMs);
      return { status: 'handled', replies };
    } catch (error) {
      await this.store.releaseDelivery(id).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Waits for the delivery's other holder. Returns false once it is done, true once this caller has
   * claimed it (the holder gave up); throws DeliveryInProgressError when it is still running.
   */
  private async waitForOther(id: string): Promise<boolean> {
    const deadline = Date.now() + this.duplicateWaitMs;
    while (Date.now() < deadline) {
      await sleep(25);
      const state = await this.store.deliveryState(id);
      if (state === 'done') return false;
      if (state === 'absent' && (await this.store.claimDelivery(id, this.leaseMs)) === 'claimed') return true;
    }
    throw new DeliveryInProgressError(id);
  }
}
