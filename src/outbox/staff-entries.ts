import type { StaffMember } from '../roster/roster';
import type { StaffEffect } from '../conversation/staff-context';
import type { EntryInit } from './entry';
import { buttonCardMessage, cardMessage, cardTaskId, MAX_RECIPIENTS_PER_CALL, textMessages } from '../wecom/sender';

/**
 * What a staff turn leaves to the outbox, committed with the turn. Ids derive from the turn's id,
 * so a retried turn writes the same entries (and writes them once).
 */
export function staffEntries(turn: string, member: StaffMember, effects: readonly StaffEffect[], now: Date): EntryInit[] {
  const at = now.getTime();
  return effects.flatMap((effect): EntryInit[] => {
    switch (effect.kind) {
      case 'card':
        return [{ id: `${turn}:card`, payload: { kind: 'message', to: [member.userId], messages: [cardMessage(effect.card)] }, due: at }];
      case 'export':
        return [{ id: `${turn}:export`, payload: { kind: 'export', to: member.userId, by: effect.by, period: effect.period, filter: effect.filter, fileName: effect.fileName }, due: at }];
      case 'reopen':
        return [{ id: `${turn}:reopen`, payload: { kind: 'reopen', school: effect.school, period: effect.period, by: effect.by, at, notice: effect.notice, contacts: effect.contacts }, due: at }];
      case 'review':
        return [{ id: `${turn}:review`, payload: { kind: 'review', school: effect.school, period: effect.period, decision: effect.decision, reason: effect.reason, by: effect.by, byName: effect.byName, at, submittedAt: effect.submittedAt, notice: effect.notice, contacts: effect.contacts }, due: at }];
      case 'recall': {
        const b = effect.broadcast;
        return [{ id: `${turn}:recall`, payload: { kind: 'recall', by: effect.by, at, ref: b.ref, label: `${b.audience}的广播`, chunks: b.chunks }, due: at }];
      }
      case 'buttons':
        return [{ id: `${turn}:buttons`, payload: { kind: 'message', to: [member.userId], messages: [buttonCardMessage(effect.card, cardTaskId(`${turn}:buttons`))] }, due: at }];
      case 'nudge':
        // Fanned out when it goes out (after quiet hours): the policy and the texts judged then.
        return [{ id: `${turn}:nudge`, payload: { kind: 'nudge', by: effect.by, period: effect.period, schools: effect.schools, sendAt: effect.sendAt, label: effect.label }, due: Math.max(at, effect.sendAt) }];
      case 'broadcast': {
        // One entry per 1000 recipients (WeCom's limit per call), then the report once they are delivered.
        const chunks: EntryInit[] = [];
        for (let i = 0; i < effect.users.length; i += MAX_RECIPIENTS_PER_CALL) {
          chunks.push({ id: `${turn}:broadcast:${chunks.length + 1}`, payload: { kind: 'message', to: effect.users.slice(i, i + MAX_RECIPIENTS_PER_CALL), messages: textMessages(effect.text) }, due: at });
        }
        const report: EntryInit = {
          id: `${turn}:broadcast-report`,
          payload: {
            kind: 'report',
            to: member.userId,
            of: chunks.map((c) => ({ owner: member.userId, id: c.id })),
            head: `广播已发送（${effect.label}）`,
            notes: [],
            // ref and chunks: where 广播记录 and 撤回 find the broadcast's messages.
            audit: { action: 'broadcast', by: effect.by, at, audience: effect.label, recipients: effect.users.length, ref: turn, chunks: chunks.length },
          },
          due: at,
        };
        return [...chunks, report];
      }
    }
  });
}
