import { TableError } from '../roster/read-table';
import { applyImport, planImport, summarizeImport, type ImportPorts } from './roster-import';

/** `roster import` / `staff import`: check, plan, print, and (unless a dry run) apply. Returns the exit code. */
export async function importRoster(
  ports: ImportPorts,
  kind: 'schools' | 'staff',
  fileName: string,
  data: Buffer,
  options: { dryRun: boolean; by: string; now: Date },
  print: (line: string) => void,
): Promise<number> {
  let result;
  try {
    result = await planImport(ports, kind, fileName, data);
  } catch (error) {
    if (!(error instanceof TableError)) throw error;
    print(`${fileName}：${error.message}。未做任何更改。`);
    return 1;
  }
  if (!result.ok) {
    print(result.message);
    return 1;
  }
  if (!options.dryRun) await applyImport(ports, result.plan, options.by, options.now);
  print(summarizeImport(result.plan, options.dryRun));
  return 0;
}
