import type { Cluster, Redis } from 'ioredis';
import { HOUR_MS, MINUTE_MS } from './send-budget';

// Lua keeps each check-and-write atomic. Every script touches keys of one hash slot only (all the
// keys it is given share a tag), so the store works on Redis Cluster. Scripts check everything
// before they write anything: a refused commit leaves no trace.
//
// Every script is in this one file on purpose (it is longer than most): the fragments they share
// (enqueue, apply a school change, append history) are one text each, and the one-slot rule and
// the argument orders are read in one place against the adapters that call them.

/** Writes an outbox entry unless its id is taken; 1 when written. */
const ENQUEUE = `
local function enqueue(kDue, kEntry, id, owner, due, now, kind, payload)
  if redis.call('EXISTS', kEntry) == 1 then return 0 end
  redis.call('HSET', kEntry, 'id', id, 'owner', owner, 'kind', kind, 'payload', payload, 'state', 'pending', 'due', due, 'failures', 0, 'createdAt', now, 'progress', 0)
  redis.call('ZADD', kDue, due, id)
  return 1
end`;

/**
 * Appends history entries to a school's stream, trimmed exactly to the newest h.max (the memory
 * adapter trims the same way). h: { max, entries: [fields…] }.
 */
const APPEND_HISTORY = `
local function append_history(key, h)
  for _, fields in ipairs(h.entries) do
    local flat = {}
    for f, v in pairs(fields) do flat[#flat + 1] = f; flat[#flat + 1] = v end
    redis.call('XADD', key, 'MAXLEN', h.max, '*', unpack(flat))
  end
end`;

/**
 * Applies a change to a school's records and its derived status and sums.
 * k: rev, draft, reports, reopened, history, status filed/late/drafting/defaulted, ytd, derived rev,
 * reports rev (counts every report written, any period: the year's sums are judged against it),
 * the period's review index. A report written sets its review mark there ('' for none: removed).
 */
const APPLY_SCHOOL = `${APPEND_HISTORY}
local function apply_school(k, period, code, draftOp, draft, report, reopenedOp, statusOp, ytd, history, review)
  redis.call('INCR', k[1])
  if draftOp == 'set' then redis.call('SET', k[2], draft) elseif draftOp == 'del' then redis.call('DEL', k[2]) end
  if report ~= '' then
    redis.call('HSET', k[3], period, report)
    redis.call('INCR', k[12])
    if review ~= '' then redis.call('HSET', k[13], code, review) else redis.call('HDEL', k[13], code) end
  end
  if reopenedOp == '1' then redis.call('SADD', k[4], period) elseif reopenedOp == '0' then redis.call('SREM', k[4], period) end
  append_history(k[5], history)
  local derived = false
  if statusOp ~= 'keep' then
    for i = 6, 9 do redis.call('SREM', k[i], code) end
    local target = ({filed = 6, late = 7, drafting = 8, defaulted = 9})[statusOp]
    if target then redis.call('SADD', k[target], code) end
    derived = true
  end
  if ytd ~= '' then redis.call('HSET', k[10], code, ytd); derived = true end
  if derived then redis.call('INCR', k[11]) end
end`;

/** Number of keys a school change needs (see APPLY_SCHOOL). */
export const SCHOOL_KEYS = 13;

const SCRIPTS = {
  ybUnlock: {
    keys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
  },
  // KEYS: turn record, lock, session [, rev, draft, reports, reopened, reports rev]. ARGV: lockTtlMs, token, period.
  ybTurnBegin: {
    keys: -1,
    lua: `local rec = redis.call('HMGET', KEYS[1], 'replies', 'late', 'replayed', 'attempt')
if rec[1] then return {'applied', rec[1], rec[2] or '', rec[3] or '0', rec[4] or ''} end
local cur = redis.call('GET', KEYS[2])
if cur and cur ~= ARGV[2] then return {'locked'} end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[1])
local s = redis.call('HMGET', KEYS[3], 'data', 'rev')
if #KEYS < 8 then return {'ready', s[1] or false, s[2] or false} end
return {'ready', s[1] or false, s[2] or false, redis.call('GET', KEYS[4]) or '0', redis.call('GET', KEYS[5]) or false, redis.call('HGETALL', KEYS[6]), redis.call('SISMEMBER', KEYS[7], ARGV[3]), redis.call('SMEMBERS', KEYS[7]), redis.call('GET', KEYS[8]) or '0'}`,
  },
  // KEYS: turn record, lock, session, outbox due [, 13 school keys], entry keys…
  // ARGV: token (the attempt), session rev, session data, session ttl, keepMs, replies, late, now, has school, n entries,
  //   [school: expected rev, period, code, draft op, draft, report, reopened op, status op, ytd, history JSON {max, entries}, expected reports rev (-1: not checked), review mark],
  //   then per entry: id, owner, due, kind, payload.
  ybTurnCommit: {
    keys: -1,
    lua: `${ENQUEUE}
${APPLY_SCHOOL}
if redis.call('EXISTS', KEYS[1]) == 1 then
  local rec = redis.call('HMGET', KEYS[1], 'replies', 'late', 'replayed', 'attempt')
  return {'applied', rec[1], rec[2] or '', rec[3] or '0', rec[4] or ''}
end
if tonumber(redis.call('HGET', KEYS[3], 'rev') or '0') ~= tonumber(ARGV[2]) then return {'conflict', 'session'} end
local hasSchool = ARGV[9] == '1'
local a = 11
if hasSchool then
  local k = {}
  for i = 1, ${SCHOOL_KEYS} do k[i] = KEYS[4 + i] end
  if tonumber(redis.call('GET', k[1]) or '0') ~= tonumber(ARGV[11]) then return {'conflict', 'school'} end
  if tonumber(ARGV[21]) >= 0 and tonumber(redis.call('GET', k[12]) or '0') ~= tonumber(ARGV[21]) then return {'conflict', 'school'} end
  apply_school(k, ARGV[12], ARGV[13], ARGV[14], ARGV[15], ARGV[16], ARGV[17], ARGV[18], ARGV[19], cjson.decode(ARGV[20]), ARGV[22])
  a = 23
end
local firstEntry = hasSchool and (5 + ${SCHOOL_KEYS}) or 5
for i = 0, tonumber(ARGV[10]) - 1 do
  local b = a + i * 5
  enqueue(KEYS[4], KEYS[firstEntry + i], ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[8], ARGV[b + 3], ARGV[b + 4])
end
local srev = tonumber(redis.call('HGET', KEYS[3], 'rev') or '0') + 1
redis.call('HSET', KEYS[3], 'rev', srev, 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('HSET', KEYS[1], 'replies', ARGV[6], 'late', ARGV[7], 'replayed', '0', 'attempt', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return {'ok'}`,
  },
  // KEYS: turn record, outbox due, late entry (or a placeholder). ARGV: now, keepMs. See TurnStore.markReplayed.
  ybTurnReplayed: {
    keys: 3,
    lua: `local late = redis.call('HGET', KEYS[1], 'late')
if not late then return 'ok' end
redis.call('HSET', KEYS[1], 'replayed', '1')
if late == '' then return 'ok' end
local state = redis.call('HGET', KEYS[3], 'state')
if state ~= 'pending' or redis.call('HEXISTS', KEYS[3], 'lease') == 1 then
  if state == 'cancelled' then return 'ok' end
  return 'late-sent'
end
redis.call('HSET', KEYS[3], 'state', 'cancelled', 'finishedAt', ARGV[1])
redis.call('ZREM', KEYS[2], late)
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 'ok'`,
  },
  // KEYS: turn record, outbox due, entry. ARGV: id, owner, due, kind, payload, now. See TurnStore.lateReply.
  ybTurnLateReply: {
    keys: 3,
    lua: `${ENQUEUE}
local rec = redis.call('HMGET', KEYS[1], 'replies', 'late', 'replayed')
if not rec[1] then return 'gone' end
if rec[3] == '1' then return 'answered' end
if rec[2] and rec[2] ~= '' then return 'exists' end
enqueue(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[6], ARGV[4], ARGV[5])
redis.call('HSET', KEYS[1], 'late', ARGV[1])
return 'queued'`,
  },
  // KEYS: 13 school keys. ARGV: expected rev, period, code, draft op, draft, report, reopened op, status op, ytd, history JSON {max, entries}, expected reports rev (-1: not checked), review mark.
  ybCommitSchool: {
    keys: SCHOOL_KEYS,
    lua: `${APPLY_SCHOOL}
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then return 0 end
if tonumber(ARGV[11]) >= 0 and tonumber(redis.call('GET', KEYS[12]) or '0') ~= tonumber(ARGV[11]) then return 0 end
apply_school(KEYS, ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], cjson.decode(ARGV[10]), ARGV[12])
return 1`,
  },
  // KEYS: rev, reports, history, status filed/late/drafting/defaulted, derived rev, reports rev, outbox due [, entry].
  // ARGV: period, code, report, history JSON, now [, id, owner, due, kind, payload].
  ybRecordDefault: {
    keys: -1,
    lua: `${ENQUEUE}${APPEND_HISTORY}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('INCR', KEYS[1])
append_history(KEYS[3], cjson.decode(ARGV[4]))
for i = 4, 7 do redis.call('SREM', KEYS[i], ARGV[2]) end
redis.call('SADD', KEYS[7], ARGV[2])
redis.call('INCR', KEYS[8])
redis.call('INCR', KEYS[9])
if #KEYS >= 11 then enqueue(KEYS[10], KEYS[11], ARGV[6], ARGV[7], ARGV[8], ARGV[5], ARGV[9], ARGV[10]) end
return 1`,
  },
  // KEYS: nudged, status filed, status late, outbox due, entry, last nudge. ARGV: code, sendAt, intervalMs, now, id, owner, kind, payload.
  ybNudgeSchool: {
    keys: 6,
    lua: `${ENQUEUE}
if redis.call('EXISTS', KEYS[5]) == 1 then return 'already' end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 or redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 'filed' end
local last = redis.call('GET', KEYS[1])
if last and tonumber(last) > tonumber(ARGV[2]) - tonumber(ARGV[3]) then return 'recent' end
redis.call('SET', KEYS[1], ARGV[2], 'PX', math.max(tonumber(ARGV[3]), 1) + math.max(0, tonumber(ARGV[2]) - tonumber(ARGV[4])))
redis.call('SET', KEYS[6], ARGV[2])
enqueue(KEYS[4], KEYS[5], ARGV[5], ARGV[6], ARGV[2], ARGV[4], ARGV[7], ARGV[8])
return 'queued'`,
  },
  // KEYS: applied marker, reopened, history, rev, outbox due [, entry].
  // ARGV: period, history JSON, keepMs, now [, id, owner, due, kind, payload].
  ybReopenSchool: {
    keys: -1,
    lua: `${ENQUEUE}${APPEND_HISTORY}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
append_history(KEYS[3], cjson.decode(ARGV[2]))
redis.call('INCR', KEYS[4])
if #KEYS >= 6 then enqueue(KEYS[5], KEYS[6], ARGV[5], ARGV[6], ARGV[7], ARGV[4], ARGV[8], ARGV[9]) end
return 1`,
  },
  // KEYS: rev, draft, reports, reopened, reports rev. ARGV: period.
  ybReadSchool: {
    keys: 5,
    lua: `return {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or false, redis.call('HGETALL', KEYS[3]), redis.call('SISMEMBER', KEYS[4], ARGV[1]), redis.call('SMEMBERS', KEYS[4]), redis.call('GET', KEYS[5]) or '0'}`,
  },
  // KEYS: the reports hashes of schools of one partition. ARGV: period. Each school's report of the period, or false.
  ybReportsOf: {
    keys: -1,
    lua: `local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HGET', key, ARGV[1]) or false end
return out`,
  },
  // KEYS: reports rev, then the review index of each period. ARGV: code, expected reports rev, then each period's mark ('' = none).
  ybSetReviewMarks: {
    keys: -1,
    lua: `if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[2]) then return 0 end
for i = 2, #KEYS do
  if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[i], ARGV[1], ARGV[i + 1]) else redis.call('HDEL', KEYS[i], ARGV[1]) end
end
return 1`,
  },
  // KEYS: contacts, schools, staff. ARGV: userId. A school contact's school code and school, or else a staff member.
  ybWhois: {
    keys: 3,
    lua: `local code = redis.call('HGET', KEYS[1], ARGV[1])
if code then return {code, redis.call('HGET', KEYS[2], code) or false} end
return {false, redis.call('HGET', KEYS[3], ARGV[1]) or false}`,
  },
  // KEYS: schools, staff. ARGV: how many school triplets, then (field, old JSON, new JSON) triplets, schools first.
  // Each record is replaced only if it is still the one read (a roster import in between wins); returns {replaced, skipped}.
  ybSwapRecords: {
    keys: 2,
    lua: `local n = tonumber(ARGV[1])
local replaced, skipped = 0, 0
for i = 2, #ARGV, 3 do
  local key = KEYS[(((i - 2) / 3) < n) and 1 or 2]
  if redis.call('HGET', key, ARGV[i]) == ARGV[i + 1] then
    redis.call('HSET', key, ARGV[i], ARGV[i + 2])
    replaced = replaced + 1
  else
    skipped = skipped + 1
  end
end
return {replaced, skipped}`,
  },
  // KEYS: derived rev, then per period the four status sets, then the ytd hash. ARGV: expected rev, JSON {status: [[codes]…], ytd: [code, json, …]}.
  ybReplaceDerived: {
    keys: -1,
    lua: `if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then return 0 end
local data = cjson.decode(ARGV[2])
for i, codes in ipairs(data.status) do
  redis.call('DEL', KEYS[1 + i])
  if #codes > 0 then redis.call('SADD', KEYS[1 + i], unpack(codes)) end
end
local ytdKey = KEYS[#KEYS]
redis.call('DEL', ytdKey)
if #data.ytd > 0 then redis.call('HSET', ytdKey, unpack(data.ytd)) end
redis.call('INCR', KEYS[1])
return 1`,
  },
  // KEYS: entries, order, seq. ARGV: id, JSON.
  ybAudit: {
    keys: 3,
    lua: `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1]) end`,
  },
  ybDropToken: {
    keys: 1,
    lua: `if redis.call('HGET', KEYS[1], 'value') == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
  },
  // Sliding windows over a sorted set of send times; returns 0 (reserved) or ms to wait. ARGV: now, perMinute, perHour, member.
  ybReserveSend: {
    keys: 1,
    lua: `local now = tonumber(ARGV[1])
local perMinute = tonumber(ARGV[2])
local perHour = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ${HOUR_MS})
local inHour = redis.call('ZCARD', KEYS[1])
if inHour >= perHour then
  local oldest = redis.call('ZRANGE', KEYS[1], inHour - perHour, inHour - perHour, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + ${HOUR_MS} - now)
end
local inMinute = redis.call('ZCOUNT', KEYS[1], '(' .. (now - ${MINUTE_MS}), '+inf')
if inMinute >= perMinute then
  local edge = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - ${MINUTE_MS}), '+inf', 'WITHSCORES', 'LIMIT', inMinute - perMinute, 1)
  return math.max(1, tonumber(edge[2]) + ${MINUTE_MS} - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ${HOUR_MS})
return 0`,
  },
  // KEYS: due, entry. ARGV: id, owner, due, kind, payload, now.
  ybOutboxEnqueue: {
    keys: 2,
    lua: `${ENQUEUE}
return enqueue(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[6], ARGV[4], ARGV[5])`,
  },
  // KEYS: due, entries… ARGV: now, lease until, token, ids…
  ybOutboxLease: {
    keys: -1,
    lua: `local out = {}
for i = 2, #KEYS do
  local id = ARGV[i + 2]
  local score = redis.call('ZSCORE', KEYS[1], id)
  if score and tonumber(score) <= tonumber(ARGV[1]) and redis.call('HGET', KEYS[i], 'state') == 'pending' then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    redis.call('HSET', KEYS[i], 'lease', ARGV[3])
    out[#out + 1] = redis.call('HGETALL', KEYS[i])
  end
end
return out`,
  },
  // KEYS: due, entry, failed. ARGV: token, op, id, then by op —
  //   progress: progress, result, media ('' keeps it), lease until;
  //   defer: due, error ('' for none: not a failure), progress, result, at;
  //   finish: state, error, result, at, keepMs.
  ybOutboxSettle: {
    keys: 3,
    lua: `if redis.call('HGET', KEYS[2], 'lease') ~= ARGV[1] then return 0 end
local op = ARGV[2]
if op == 'progress' then
  redis.call('HSET', KEYS[2], 'progress', ARGV[4], 'result', ARGV[5])
  if ARGV[6] ~= '' then redis.call('HSET', KEYS[2], 'media', ARGV[6]) end
  redis.call('ZADD', KEYS[1], ARGV[7], ARGV[3])
elseif op == 'defer' then
  redis.call('HSET', KEYS[2], 'due', ARGV[4], 'lastError', ARGV[5], 'progress', ARGV[6], 'result', ARGV[7])
  if ARGV[5] ~= '' then
    redis.call('HINCRBY', KEYS[2], 'failures', 1)
    if not redis.call('HGET', KEYS[2], 'firstFailedAt') then redis.call('HSET', KEYS[2], 'firstFailedAt', ARGV[8]) end
  end
  redis.call('HDEL', KEYS[2], 'lease')
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
else
  redis.call('HSET', KEYS[2], 'state', ARGV[4], 'lastError', ARGV[5], 'result', ARGV[6], 'finishedAt', ARGV[7])
  if ARGV[4] == 'failed' then redis.call('HINCRBY', KEYS[2], 'failures', 1) end
  redis.call('HDEL', KEYS[2], 'lease')
  redis.call('ZREM', KEYS[1], ARGV[3])
  if ARGV[4] == 'failed' then redis.call('ZADD', KEYS[3], ARGV[7], ARGV[3]) else redis.call('PEXPIRE', KEYS[2], ARGV[8]) end
end
return 1`,
  },
  // KEYS: due, entry, failed. ARGV: id, now.
  ybOutboxRetry: {
    keys: 3,
    lua: `if redis.call('HGET', KEYS[2], 'state') ~= 'failed' then return 0 end
redis.call('HSET', KEYS[2], 'state', 'pending', 'due', ARGV[2], 'failures', 0)
redis.call('HDEL', KEYS[2], 'firstFailedAt', 'finishedAt', 'lease')
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('PERSIST', KEYS[2])
return 1`,
  },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/**
 * Scripts whose number of keys varies: their first argument is the key count, which ioredis'
 * auto-pipelining on a Cluster would take for a key and group by (mixing slots in one pipeline).
 * A Cluster client leaves them out of auto-pipelining (`autoPipeliningIgnoredCommands`).
 */
export const VARIABLE_KEY_SCRIPTS: string[] = Object.entries(SCRIPTS).filter(([, s]) => s.keys < 0).map(([name]) => name);
export type ScriptClient = { [K in ScriptName]: (...args: (string | number)[]) => Promise<unknown> };

/**
 * Defines the scripts on a client (once per client) and returns it typed. Scripts with a variable
 * number of keys take the key count as their first argument.
 */
export function scriptClient(redis: Redis | Cluster): ScriptClient {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, script.keys < 0 ? { lua: script.lua } : { numberOfKeys: script.keys, lua: script.lua });
  }
  return redis as unknown as ScriptClient;
}

/** Redis answers HGETALL as a flat array; this makes it a record. */
export function pairsToRecord(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}
