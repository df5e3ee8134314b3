import { staffName } from '../roster/people';
import type { BroadcastState } from '../session/session';
import { parseFilter, type SchoolFilter } from './staff-words';
import type { StaffMember } from '../roster/roster';
import { timeLabel, type PeriodCalendar } from '../calendar/period';

/** Who a 广播 goes to: school contacts (filtered by place, category and filing status), or city staff. */
export interface Audience {
  who: 'contacts' | 'city-staff';
  filter: SchoolFilter;
  status: 'owing' | 'filed' | null;
}

/** The recipients the dispatcher found for an audience. */
export interface Recipients {
  users: string[];
  schools: number;
}

export type BroadcastEffect = { kind: 'broadcast'; by: string; users: string[]; text: string; label: string };

const MAX_CHARS = 1000;
const CANCEL = new Set(['取消', '放弃', '算了', '不发了']);
const CONFIRM = new Set(['确认', '确定', '发送', '是', '好']);
const HELP = new Set(['帮助', '?', '？', '说明']);

/** 「郑州 未报」, 「C 已报」, 「全部」, 「市级工作人员」. */
export function parseAudience(text: string): Audience | { unknown: string } {
  const words = text.replace(/[，,、]/gu, ' ').split(' ').filter(Boolean);
  let who: Audience['who'] = 'contacts';
  let status: Audience['status'] = null;
  const rest: string[] = [];
  for (const w of words) {
    if (['全部', '全体', '所有', '所有学校', '全部学校'].includes(w)) continue;
    if (['未报', '未报学校', '没报'].includes(w)) status = 'owing';
    else if (['已报', '已报学校'].includes(w)) status = 'filed';
    else if (['市级工作人员', '市县工作人员', '市级', '各市'].includes(w)) who = 'city-staff';
    else rest.push(w);
  }
  if (words.length === 0) return { unknown: text };
  const filter = parseFilter(rest);
  if ('unknown' in filter) return filter;
  return { who, filter, status };
}

export function audienceLabel(a: Audience, member: StaffMember): string {
  if (a.who === 'city-staff') return `${a.filter.city ?? '各市县'}工作人员`;
  const place = a.filter.city ?? (member.role === 'city' ? member.city : '全省');
  return [place, a.filter.category ? `${a.filter.category} 类` : '', a.status === 'owing' ? '未报' : a.status === 'filed' ? '已报' : ''].filter(Boolean).join(' · ') + ' 学校的填报人';
}

export interface BroadcastStep {
  state: BroadcastState | null;
  text: string;
  effect?: BroadcastEffect;
}

/**
 * One step of composing a 广播 (pure): `recipients` is what the dispatcher found for the audience
 * being chosen or confirmed, or a refusal when the audience is outside the member's scope.
 */
export function stepBroadcast(member: StaffMember, state: BroadcastState | null, message: string, recipients: Recipients | { refused: string } | null): BroadcastStep {
  const input = message.trim();
  if (state === null) return { state: { step: 'text', text: null, audience: null }, text: `请发送要广播的内容（一条消息，最多 ${MAX_CHARS} 字）。回复「取消」放弃。` };
  if (CANCEL.has(input)) return { state: null, text: '已取消广播。' };
  if (HELP.has(input)) {
    const now = state.step === 'text' ? '请发送要广播的内容' : state.step === 'audience' ? '请回复发给谁，如「全部」「郑州 未报」' : '回复「确认」发送';
    return { state, text: `正在编写广播：${now}。回复「取消」退出广播。` };
  }
  if (state.step === 'text') {
    if (input === '') return { state, text: '请发送要广播的内容。' };
    if ([...input].length > MAX_CHARS) return { state, text: `内容有 ${[...input].length} 字，超过 ${MAX_CHARS} 字，请精简后重新发送。` };
    const staffHint = member.role === 'province' ? '；也可以回复「市级工作人员」发给各市县工作人员' : '';
    return { state: { step: 'audience', text: input, audience: null }, text: `发给谁？回复范围：全部、未报、已报、市县名或类别（A–D），可以组合，如「郑州 未报」「C 已报」${staffHint}。` };
  }
  const audience = parseAudience(state.step === 'audience' ? input : (state.audience ?? ''));
  if ('unknown' in audience) return { state, text: `「${audience.unknown}」看不懂。请回复范围，如「全部」「未报」「郑州 未报」「C」。` };
  if (recipients === null) return { state, text: '' };
  if ('refused' in recipients) return { state: state.step === 'confirm' ? { ...state, step: 'audience' } : state, text: recipients.refused };
  const label = audienceLabel(audience, member);
  if (recipients.users.length === 0) return { state: { ...state, step: 'audience' }, text: `${label}：没有收件人。请换一个范围，或回复「取消」。` };
  const count = audience.who === 'city-staff' ? `${recipients.users.length} 人` : `${recipients.schools} 所学校共 ${recipients.users.length} 人`;
  if (state.step === 'audience') {
    return { state: { step: 'confirm', text: state.text, audience: input }, text: `将发给 ${label}：${count}\n——\n${state.text}\n——\n回复「确认」发送，「取消」放弃。` };
  }
  if (!CONFIRM.has(input)) return { state, text: `回复「确认」发给 ${label}（${count}），回复「取消」放弃。` };
  return {
    state: null,
    text: `正在发给 ${label}：${count}。发送完成后告诉您结果。`,
    effect: { kind: 'broadcast', by: member.userId, users: recipients.users, text: `【通知】${state.text}\n——${staffName(member)}`, label },
  };
}

/** A broadcast as 广播记录 lists it: who, when, to whom, how it was delivered, and its messages' entries. */
export interface BroadcastRecord {
  /** The broadcast's id (its turn's), the key of its recall. */
  ref: string;
  by: string;
  byName: string;
  at: number;
  audience: string;
  recipients: number;
  sent: number;
  invalid: number;
  failed: number;
  /** The first characters of the text. */
  preview: string;
  recalled: boolean;
  /** Its message entries (in the sender's partition), whose msgids a recall withdraws. */
  chunks: { owner: string; id: string }[];
}

/** A broadcast can be recalled (撤回应用消息) this long after it was sent. */
export const RECALL_WINDOW_MS = 24 * 3_600_000;

/** 广播记录: the recent broadcasts, newest first, numbered for 撤回. */
export function broadcastsText(list: readonly BroadcastRecord[], now: Date, cal: PeriodCalendar): string {
  if (list.length === 0) return '最近没有广播。回复「广播」发一条。';
  const lines = list.map((b, i) => {
    const left = b.at + RECALL_WINDOW_MS - now.getTime();
    const state = b.recalled ? '已撤回' : left > 0 ? `可撤回（还剩 ${Math.max(1, Math.floor(left / 3_600_000))} 小时）` : '已超过 24 小时，不能撤回';
    const failed = b.invalid + b.failed > 0 ? `，未送达 ${b.invalid + b.failed}` : '';
    return `${i + 1}. ${timeLabel(new Date(b.at), cal)} · ${b.byName} · ${b.audience} · 送达 ${b.sent} 人${failed} · ${state}\n   「${b.preview}」`;
  });
  return `最近 ${list.length} 条广播（最新的在前）：\n${lines.join('\n')}\n回复「撤回」撤回第 1 条，「撤回 2」撤回第 2 条（24 小时内）。`;
}

/** 撤回 [N]: the broadcast chosen, checked (yours or, for provincial staff, anyone's; within 24 hours; not recalled). */
export function recall(member: StaffMember, list: readonly BroadcastRecord[], number: number | null, now: Date, cal: PeriodCalendar): { text: string; effect?: { kind: 'recall'; by: string; broadcast: BroadcastRecord } } {
  if (list.length === 0) return { text: '最近没有可以撤回的广播。' };
  const n = number ?? 1;
  const b = list[n - 1];
  if (!b) return { text: `没有第 ${n} 条广播：最近只有 ${list.length} 条。回复「广播记录」查看。` };
  const what = `${timeLabel(new Date(b.at), cal)} 发给${b.audience}的广播`;
  if (b.recalled) return { text: `${what}已经撤回过了。` };
  if (now.getTime() - b.at >= RECALL_WINDOW_MS) return { text: `${what}已超过 24 小时，企业微信不能再撤回。需要更正的话，请再发一条广播说明。` };
  return { text: `正在撤回 ${what}（送达 ${b.sent} 人），完成后告诉您结果。`, effect: { kind: 'recall', by: member.userId, broadcast: b } };
}
