import { describe } from 'vitest';
import { markersContract } from './markers';
import { outboxContract } from './outbox';
import { recordsContract } from './records';
import { rosterContract } from './roster';
import { auditContract, budgetContract, tokenContract } from './small-ports';
import { turnsContract } from './turns';
import type { MakeSubject } from './fixtures';

/** One contract suite per storage port, run against an adapter family (Redis, memory). */
export function storeContracts(name: string, make: MakeSubject): void {
  describe(`${name} adapters`, () => {
    rosterContract(make);
    recordsContract(make);
    markersContract(make);
    auditContract(make);
    tokenContract(make);
    budgetContract(make);
    turnsContract(make);
    outboxContract(make);
  });
}
