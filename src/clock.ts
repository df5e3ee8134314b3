/** The only source of "now" in the project: tests pin it, FAKE_NOW shifts it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that starts at `start` and then runs forward in real time (FAKE_NOW). */
export function clockStartingAt(start: Date, real: Clock = systemClock): Clock {
  const offset = start.getTime() - real.now().getTime();
  return { now: () => new Date(real.now().getTime() + offset) };
}

/**
 * A clock that runs forward in real time from `start` and can be set to another instant, after
 * which it runs on from there (the demo's clock control).
 */
export class SettableClock implements Clock {
  private offset: number;
  constructor(
    start: Date,
    private readonly real: Clock = systemClock,
  ) {
    this.offset = start.getTime() - real.now().getTime();
  }
  now(): Date {
    return new Date(this.real.now().getTime() + this.offset);
  }
  set(instant: Date): void {
    this.offset = instant.getTime() - this.real.now().getTime();
  }
}

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start: Date | string) {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(instant: Date | string): void {
    this.ms = new Date(instant).getTime();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
