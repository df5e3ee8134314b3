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

/** Where a shifted clock stood at one real instant: FAKE_NOW as the first process of a deployment recorded it. */
export interface ClockAnchor {
  fakeAt: number;
  realAt: number;
}

/** A clock running forward in real time from an anchor: every process given the same anchor reads the same instant. */
export function anchoredClock(anchor: ClockAnchor, real: Clock = systemClock): Clock {
  const offset = anchor.fakeAt - anchor.realAt;
  return { now: () => new Date(real.now().getTime() + offset) };
}

/**
 * The business clock of a deployment: the system clock, or FAKE_NOW anchored in the store by the
 * first process that started with it, so that a server and a CLI command run later agree on now.
 */
export async function sharedClock(fakeNow: Date | undefined, anchor: (fakeAt: number, realAt: number) => Promise<ClockAnchor>, real: Clock = systemClock): Promise<Clock> {
  if (fakeNow === undefined) return real;
  return anchoredClock(await anchor(fakeNow.getTime(), real.now().getTime()), real);
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
