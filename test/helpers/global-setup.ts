import type { TestProject } from 'vitest/node';
import { REDIS_MISSING, hasRedisServer, startRedisServer, type ThrowawayRedis } from './redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let owned: ThrowawayRedis | undefined;

/** One Redis for the run: REDIS_URL if given (shared: tests only touch their own key prefix), else a private one. */
export async function setup(project: TestProject): Promise<void> {
  const given = process.env.REDIS_URL;
  if (given) {
    project.provide('redisUrl', given);
    return;
  }
  if (!hasRedisServer()) throw new Error(REDIS_MISSING);
  owned = await startRedisServer();
  project.provide('redisUrl', owned.url);
}

export async function teardown(): Promise<void> {
  await owned?.stop();
}
