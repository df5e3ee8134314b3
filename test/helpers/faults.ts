import type { Stores } from '../../src/store/stores';
import type { TurnStore } from '../../src/store/turn-store';

/** Where a turn can fail, in the order a turn meets them. */
export type TurnFault =
  /** The store is unreachable when the turn begins. */
  | 'begin-fails'
  /** The commit never reaches the store. */
  | 'commit-fails'
  /** The commit is applied, but its answer is lost (a timeout, a crash right after). */
  | 'commit-answer-lost'
  /** The commit takes longer than the reply budget (the HTTP answer has gone: 503). */
  | 'commit-slow';

export const TURN_FAULTS: readonly TurnFault[] = ['begin-fails', 'commit-fails', 'commit-answer-lost', 'commit-slow'];

/**
 * Stores whose turns fail as armed: `arm(fault)` makes the next turn meet that fault once (then
 * the store behaves). What the store did is real: a commit whose answer is lost was applied.
 */
export function faultyTurns(slowMs: number) {
  let armed: TurnFault | null = null;
  const met: TurnFault[] = [];
  const take = (fault: TurnFault): boolean => {
    if (armed !== fault) return false;
    armed = null;
    met.push(fault);
    return true;
  };
  const wrap = (stores: Stores): Stores => {
    const real = stores.turns;
    const turns: TurnStore = Object.create(real) as TurnStore;
    turns.begin = async (args) => {
      if (take('begin-fails')) throw new Error('Connection is closed.');
      return real.begin(args);
    };
    turns.commit = async (args) => {
      if (take('commit-fails')) throw new Error('Connection is closed.');
      if (take('commit-slow')) await new Promise((r) => setTimeout(r, slowMs));
      const result = await real.commit(args);
      if (take('commit-answer-lost')) throw new Error('Command timed out');
      return result;
    };
    return { ...stores, turns };
  };
  return {
    wrap,
    arm(fault: TurnFault | null) {
      armed = fault;
    },
    /** The faults turns actually met, in order. */
    met,
  };
}

/** A small seeded generator (mulberry32): the same faults on every run of a test. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
