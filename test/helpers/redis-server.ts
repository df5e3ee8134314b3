import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pairsToRecord } from '../../src/store/redis-scripts';

export const REDIS_MISSING =
  'Redis tests need a Redis: set REDIS_URL, or install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis).';

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Listens on `port` (0: one the kernel picks) and closes again: the port it got, or null where it was taken. */
function listenOnce(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => {
      const got = (srv.address() as { port: number }).port;
      srv.close(() => resolve(got));
    });
  });
}

export async function freePort(): Promise<number> {
  const port = await listenOnce(0);
  if (port === null) throw new Error('no free port on 127.0.0.1');
  return port;
}

/** The lowest port the kernel hands out for outgoing connections (Linux; 32768 by default). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768; // not Linux: the range IANA recommends starts higher still (49152)
  }
}

/**
 * A free port below the kernel's ephemeral range, for a server the test kills and starts again on
 * the same port: while it is down, no outgoing connection in the suite can be handed that port as
 * its local end and keep the restart from binding it. Where the range leaves no room below it, any
 * free port (the risk is back, but nothing else can be done there).
 */
export async function freeFixedPort(): Promise<number> {
  const below = ephemeralLow();
  if (below < 8_000) return freePort();
  const from = Math.max(4_000, below - 12_000);
  for (let i = 0; i < 200; i++) {
    const port = await listenOnce(from + Math.floor(Math.random() * (below - from)));
    if (port !== null) return port;
  }
  throw new Error(`no free port between ${from} and ${below}`);
}

export interface ThrowawayRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a private redis-server (no persistence) on `port` and waits until it answers; `args` adds to its options (e.g. --replicaof, --requirepass). */
export async function startRedisServer(port?: number, args: string[] = []): Promise<ThrowawayRedis> {
  const p = port ?? (await freePort());
  // A folder of its own: a replica writes the RDB its master sends (dump.rdb) whatever --save says.
  const dir = mkdtempSync(join(tmpdir(), 'yb-redis-'));
  // A replica's first sync starts at once (Redis 7 waits 5 s for more replicas to share a diskless sync).
  const password = args.includes('--requirepass') ? args[args.indexOf('--requirepass') + 1] : undefined;
  const child = await startUntilUp(() => spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', '--dir', dir, ...args], { stdio: 'ignore', cwd: dir }), p, password);
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    process: child,
    // Stopped already (a signal ends it with no exit code): nothing more will be heard of it.
    stop: () => killAndWait(child),
  };
}

/** Deletes the keys under a prefix (benches clean up after themselves; never FLUSHALL). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export interface ThrowawayCluster {
  /** host:port of each master. */
  nodes: string[];
  stop(): Promise<void>;
}

/**
 * A real three-master Redis Cluster from the same redis-server binary: three nodes with
 * `--cluster-enabled yes`, joined by `redis-cli --cluster create … --cluster-replicas 0`, ready
 * once every node reports cluster_state:ok (about two seconds).
 */
export async function startRedisCluster(options: { password?: string } = {}): Promise<ThrowawayCluster> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'yb-cluster-'));
  const { password } = options;
  const auth = password ? ['--requirepass', password, '--masterauth', password] : [];
  const children = ports.map((port) =>
    spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000', ...auth], { stdio: 'ignore', cwd: dir }),
  );
  const nodes = ports.map((p) => `127.0.0.1:${p}`);
  const stop = async () => {
    await Promise.all(children.map(killAndWait));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await waitForPing(port, password);
    const created = spawnSync('redis-cli', [...(password ? ['-a', password, '--no-auth-warning'] : []), '--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const port of ports) {
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, ...(password ? { password } : {}) });
      await probe.connect();
      for (let i = 0; ; i++) {
        if ((await probe.cluster('INFO')).includes('cluster_state:ok')) break;
        if (i > 200) throw new Error(`cluster node ${port} never reached cluster_state:ok`);
        await new Promise((r) => setTimeout(r, 50));
      }
      probe.disconnect();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}

/** SIGKILLs a process and resolves once it has exited (at once if it has already). */
function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGKILL'))));
}

/**
 * Starts a redis-server (`spawnOne`) and resolves with it once it answers on `port`. One that exits
 * first (its port not free yet) is started again, up to 20 times, while `keepTrying` holds.
 */
async function startUntilUp(spawnOne: () => ChildProcess, port: number, password: string | undefined, keepTrying: () => boolean = () => true): Promise<ChildProcess> {
  for (let attempt = 0; ; attempt++) {
    if (!keepTrying()) throw new Error(`redis-server on port ${port}: not started, its group was stopped`);
    const child = spawnOne();
    // A spawn that fails (no binary, the folder gone) ends as an exit: heard here, not thrown.
    child.on('error', () => undefined);
    const ended = () => child.exitCode !== null || child.signalCode !== null;
    try {
      await waitForPing(port, password, ended);
      if (!ended()) return child;
    } catch {
      // it did not answer: stopped below, and perhaps started again
    }
    await killAndWait(child);
    if (attempt >= 20) throw new Error(`redis-server could not be started on port ${port}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resolves once a Redis answers PING on `port`; fails after 5 s, or as soon as `gaveUp` holds (the process ended). */
async function waitForPing(port: number, password?: string, gaveUp: () => boolean = () => false): Promise<void> {
  // Bounded, so that a port some other server holds (and never answers on) cannot hang the wait.
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1_000, commandTimeout: 1_000, ...(password ? { password } : {}) });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100 && !gaveUp(); i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

export interface ThrowawaySentinelGroup {
  /** The master's name as the Sentinels know it (REDIS_SENTINEL_NAME). */
  name: string;
  /** host:port of each Sentinel (REDIS_SENTINELS). */
  sentinels: string[];
  /** The ports of the first master and its replica. */
  masterPort: number;
  replicaPort: number;
  /** SIGKILLs the data node on `port` (the master, to force a failover). */
  kill(port: number): Promise<void>;
  /**
   * Starts the data node on `port` again, empty (as a supervisor restarts a crashed one), and
   * resolves once it answers (a start that cannot bind yet is tried again); the Sentinels make it a replica.
   */
  restart(port: number): Promise<void>;
  /** What the node on `port` and the Sentinels say of it: for the message of a test that waited in vain. */
  describe(port: number): Promise<string>;
  /** Sends a signal to the data node on `port` (SIGSTOP / SIGCONT: a replica that stalls). */
  signal(port: number, signal: NodeJS.Signals): void;
  /** The port of the node the Sentinels now name master. */
  currentMaster(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A master, its replica and three Sentinels (quorum 2) from the same redis-server binary, ready
 * once the replica is in sync and every Sentinel knows the replica and the two other Sentinels.
 * A Sentinel marks a master down after a second without an answer; a failover then takes a few
 * seconds.
 */
export async function startRedisSentinelGroup(name = 'yb', options: { password?: string; sentinelPassword?: string } = {}): Promise<ThrowawaySentinelGroup> {
  // The data nodes are killed and started again on their ports: fixed ones, outside the ephemeral range.
  const [masterPort, replicaPort, ...sentinelPorts] = [await freeFixedPort(), await freeFixedPort(), await freePort(), await freePort(), await freePort()] as [number, number, number, number, number];
  const dir = mkdtempSync(join(tmpdir(), 'yb-sentinel-'));
  const { password, sentinelPassword } = options;
  // Every data node asks for the password and gives it to its master (a demoted master becomes a replica).
  const auth = password ? ['--requirepass', password, '--masterauth', password] : [];
  const data = (port: number, extra: string[]) => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', ...auth, ...extra], { stdio: 'ignore', cwd: dir });
  const nodes = new Map<number, ChildProcess>([
    [masterPort, data(masterPort, [])],
    [replicaPort, data(replicaPort, ['--replicaof', '127.0.0.1', String(masterPort)])],
  ]);
  const sentinels = sentinelPorts.map((port) => {
    const conf = join(dir, `sentinel-${port}.conf`);
    const authLines = [
      ...(password ? [`sentinel auth-pass ${name} ${password}`] : []),
      // A Sentinel with a password of its own gives it to the others too (they share one).
      ...(sentinelPassword ? [`requirepass ${sentinelPassword}`, `sentinel sentinel-pass ${sentinelPassword}`] : []),
    ];
    writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`, `sentinel down-after-milliseconds ${name} 1000`, `sentinel failover-timeout ${name} 5000`, `sentinel parallel-syncs ${name} 1`, ...authLines, ''].join('\n'));
    return spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore', cwd: dir });
  });
  // Once stopped, a restart still under way starts nothing more; stop waits for it to give up.
  let stopped = false;
  let restarting: Promise<void> = Promise.resolve();
  const stop = async () => {
    stopped = true;
    await restarting.catch(() => undefined);
    await Promise.all([...nodes.values(), ...sentinels].map(killAndWait));
    rmSync(dir, { recursive: true, force: true });
  };
  const passwordOf = (port: number) => (sentinelPorts.includes(port) ? sentinelPassword : password);
  const ask = async <T>(port: number, f: (r: Redis) => Promise<T>): Promise<T> => {
    const pass = passwordOf(port);
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, ...(pass ? { password: pass } : {}) });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return await f(probe);
    } finally {
      probe.disconnect();
    }
  };
  try {
    for (const port of [masterPort, replicaPort, ...sentinelPorts]) await waitForPing(port, passwordOf(port));
    for (let i = 0; ; i++) {
      const synced = (await ask(replicaPort, (r) => r.info('replication'))).includes('master_link_status:up');
      const views = await Promise.all(sentinelPorts.map((p) => ask(p, (r) => r.call('SENTINEL', 'master', name) as Promise<string[]>)));
      const ready = views.every((flat) => {
        const f = pairsToRecord(flat);
        return Number(f['num-slaves']) >= 1 && Number(f['num-other-sentinels']) >= 2;
      });
      if (synced && ready) break;
      if (i > 300) throw new Error('the Sentinel group never came together (replica in sync, three Sentinels that know each other)');
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name,
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`),
    masterPort,
    replicaPort,
    kill: async (port) => {
      const child = nodes.get(port);
      if (child) await killAndWait(child);
    },
    signal: (port, signal) => void nodes.get(port)?.kill(signal),
    restart: (port) =>
      (restarting = startUntilUp(
        () => {
          const child = data(port, []);
          nodes.set(port, child);
          return child;
        },
        port,
        password,
        () => !stopped,
      ).then(() => undefined)),
    describe: async (port) => {
      const child = nodes.get(port);
      const alive = child && child.exitCode === null && child.signalCode === null ? 'running' : `not running (exit ${child?.exitCode}, signal ${child?.signalCode})`;
      const replication = await ask(port, (r) => r.info('replication')).catch((e: Error) => `INFO failed: ${e.message}`);
      const views = await Promise.all(
        sentinelPorts.map((p) =>
          ask(p, async (r) => {
            const master = (await r.call('SENTINEL', 'get-master-addr-by-name', name)) as string[];
            const replicas = (await r.call('SENTINEL', 'replicas', name)) as string[][];
            const flags = replicas.map((flat) => pairsToRecord(flat)).map((f) => `${f.port}:${f.flags}`);
            return `sentinel ${p}: master ${master?.[1]}, replicas ${flags.join(' ')}`;
          }).catch((e: Error) => `sentinel ${p}: ${e.message}`),
        ),
      );
      return [`node ${port} ${alive}`, replication.replace(/\r?\n/g, ' ').trim(), ...views].join('; ');
    },
    currentMaster: async () => {
      for (const p of sentinelPorts) {
        try {
          const addr = (await ask(p, (r) => r.call('SENTINEL', 'get-master-addr-by-name', name))) as [string, string] | null;
          if (addr) return Number(addr[1]);
        } catch {
          // a Sentinel that is away: ask the next
        }
      }
      throw new Error('no Sentinel names a master');
    },
    stop,
  };
}
