/**
 * What must change together lives in one hash slot: a school's records, the sessions of its
 * contacts, the turns they take, the derived status of the school and the outbox entries those
 * turns write. Each school (and each user who is not a school contact) belongs to one of a fixed
 * number of partitions, and every key of a partition carries its hash tag, so that one Lua script
 * can commit a whole turn on Redis Cluster, and outbox workers know every place to look.
 *
 * Changing PARTITIONS moves every record: it is part of the storage format.
 */
export const PARTITIONS = 64;

/** FNV-1a, 32 bits: stable across processes and versions (unlike a language's own string hash). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The partition of an owner: a school code, or the UserID of someone who is not a school contact. */
export function partitionOf(owner: string): number {
  return fnv1a(owner) % PARTITIONS;
}

/**
 * Items grouped by their owner's partition, each group in the order given: what one script or one
 * multi-key command may touch together (a partition's keys share its slot on a Cluster too).
 */
export function groupByPartition<T>(items: readonly T[], ownerOf: (item: T) => string): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const p = partitionOf(ownerOf(item));
    const group = groups.get(p);
    if (group) group.push(item);
    else groups.set(p, [item]);
  }
  return groups;
}

/** Every partition, for workers that look for due work everywhere. */
export const ALL_PARTITIONS: readonly number[] = Array.from({ length: PARTITIONS }, (_, i) => i);

/** A stable number from an id (e.g. to vary WeCom's duplicate-check interval per outbox entry). */
export function stableHash(text: string): number {
  return fnv1a(text);
}
