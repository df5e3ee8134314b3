import { describe, expect, it } from 'vitest';
import { respondToUnregistered as respond } from '../../src/dispatch/unregistered';
import { newSession } from '../../src/session/session';
import type { Inbound } from '../../src/wecom/inbound';

const now = new Date('2026-11-05T01:10:00Z');
const base = { userId: 'lisi', corpId: 'ww1', agentId: '1000002', createTime: 1 };
const textIn = (content: string): Inbound => ({ kind: 'text', ...base, msgId: '1', content });
const eventIn = (event: 'subscribe' | 'enter_agent' | 'click', eventKey = ''): Inbound => ({
  kind: 'event', ...base, event, eventKey, taskId: '', cardType: '', responseCode: '',
});
const texts = (inbound: Inbound, session = newSession()) => respond(inbound, session, now).replies.map((r) => (r.kind === 'text' ? r.text : r.kind === 'textcard' ? r.title : r.card.title));

describe('answering a user the roster does not know', () => {
  it('answers 帮助 and its aliases with the help text', () => {
    for (const word of ['帮助', ' 帮助 ', 'HELP', '？', '?']) expect(texts(textIn(word))[0]).toMatch(/^「月报」使用说明/);
  });
  it('maps the 帮助 menu click to help', () => {
    expect(texts(eventIn('click', 'help'))[0]).toMatch(/^「月报」使用说明/);
  });
  it('tells an unregistered user whom to ask, naming their UserID', () => {
    expect(texts(textIn('填报'))).toEqual([
      '您好！您的企业微信账号还没有登记为学校填报人或教育部门工作人员，暂时不能使用月报。\n' +
        '请把您的账号（lisi）告诉所在市、县教育局职成教科，或省教育厅职成教处，请他们把您加入名单。\n' +
        '登记好后，回复「填报」即可开始填写上个月的培训月报。',
    ]);
  });
  it('welcomes a new follower', () => {
    expect(texts(eventIn('subscribe'))[0]).toMatch(/^欢迎使用「月报」/);
  });
  it('reminds on opening the app at most once a day', () => {
    const first = respond(eventIn('enter_agent'), newSession(), now);
    expect(first.replies).toHaveLength(1);
    const again = respond(eventIn('enter_agent'), first.session, new Date(now.getTime() + 3_600_000));
    expect(again.replies).toEqual([]);
    const nextDay = respond(eventIn('enter_agent'), again.session, new Date(now.getTime() + 25 * 3_600_000));
    expect(nextDay.replies).toHaveLength(1);
  });
});
