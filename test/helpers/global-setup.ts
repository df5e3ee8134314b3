import type { TestProject } from 'vitest/node';
import { REDIS_MISSING, hasRedisServer, startRedisCluster, startRedisServer, type ThrowawayCluster, type ThrowawayRedis } from './redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** host:port of each master of a real three-master Redis Cluster (REDIS_CLUSTER_NODES, or one started for the run). */
    clusterNodes: string;
  }
}

let owned: ThrowawayRedis | undefined;
let cluster: ThrowawayCluster | undefined;

/** One Redis for the run: REDIS_URL if given (shared: tests only touch their own key prefix), else a private one. */
export async function setup(project: TestProject): Promise<void> {
  const given = process.env.REDIS_URL;
  const givenCluster = process.env.REDIS_CLUSTER_NODES;
  if ((!given || !givenCluster) && !hasRedisServer()) throw new Error(REDIS_MISSING);
  if (given) project.provide('redisUrl', given);
  else {
    owned = await startRedisServer();
    project.provide('redisUrl', owned.url);
  }
  if (givenCluster) project.provide('clusterNodes', givenCluster);
  else {
    cluster = await startRedisCluster();
    project.provide('clusterNodes', cluster.nodes.join(','));
  }
}

export async function teardown(): Promise<void> {
  await owned?.stop();
  await cluster?.stop();
}
