import type { TestProject } from 'vitest/node';
import { REDIS_MISSING, hasRedisServer, startRedisCluster, startRedisSentinelGroup, startRedisServer, type ThrowawayCluster, type ThrowawayRedis, type ThrowawaySentinelGroup } from './redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** host:port of each master of a real three-master Redis Cluster (REDIS_CLUSTER_NODES, or one started for the run). */
    clusterNodes: string;
    /** host:port of each Sentinel of a master with one replica (REDIS_SENTINELS, or a group started for the run). */
    sentinels: string;
    sentinelName: string;
  }
}

let owned: ThrowawayRedis | undefined;
let cluster: ThrowawayCluster | undefined;
let sentinel: ThrowawaySentinelGroup | undefined;

/**
 * The run's Redis in its three shapes, each as given (REDIS_URL, REDIS_CLUSTER_NODES,
 * REDIS_SENTINELS with REDIS_SENTINEL_NAME; shared: tests only touch their own key prefix) or
 * private, started together: a single Redis, a three-master Cluster, a master and a replica under
 * three Sentinels.
 */
export async function setup(project: TestProject): Promise<void> {
  const given = process.env.REDIS_URL;
  const givenCluster = process.env.REDIS_CLUSTER_NODES;
  const givenSentinels = process.env.REDIS_SENTINELS && process.env.REDIS_SENTINEL_NAME ? { sentinels: process.env.REDIS_SENTINELS, name: process.env.REDIS_SENTINEL_NAME } : undefined;
  if ((!given || !givenCluster || !givenSentinels) && !hasRedisServer()) throw new Error(REDIS_MISSING);
  const [single, nodes, group] = await Promise.all([
    given ?? startRedisServer().then((r) => ((owned = r), r.url)),
    givenCluster ?? startRedisCluster().then((c) => ((cluster = c), c.nodes.join(','))),
    givenSentinels ?? startRedisSentinelGroup().then((g) => ((sentinel = g), { sentinels: g.sentinels.join(','), name: g.name })),
  ]);
  project.provide('redisUrl', single);
  project.provide('clusterNodes', nodes);
  project.provide('sentinels', group.sentinels);
  project.provide('sentinelName', group.name);
}

export async function teardown(): Promise<void> {
  await Promise.all([owned?.stop(), cluster?.stop(), sentinel?.stop()]);
}
