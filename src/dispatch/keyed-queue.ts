/**
 * Runs tasks one at a time per key, in the order they were queued; tasks of different keys run
 * concurrently. In-process only: across instances the store's lock keeps users apart.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const current = previous ? previous.then(task, task) : task();
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return current;
  }
}
