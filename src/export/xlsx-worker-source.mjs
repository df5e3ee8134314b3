// The workbook thread's entry when the server runs from the TypeScript source (tests, the demo,
// the benches' --tsx): tsx's loader registered in the thread, then the entry itself. A .ts file
// cannot be the thread's entry on Node 20: it is resolved before any --import runs.
import { register } from 'tsx/esm/api';

register();
await import('./xlsx-worker.ts');
