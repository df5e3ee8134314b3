import { monthLabel } from '../calendar/period';

/**
 * The buttons of the bot's WeCom cards (模板卡片, button_interaction). A button's key is a word
 * the conversation already understands: a click is read exactly as that word typed, so every
 * button has a typed equivalent and typed words keep working everywhere.
 */
export interface Button {
  /** Sent back as the click's EventKey; ASCII, well under WeCom's 1024 bytes. */
  key: string;
  /** On the button (WeCom shows about 8 characters). */
  text: string;
  /** WeCom's style 1–4: 1 the main choice, 2 a plain one. */
  style?: 1 | 2;
}

/** A card with buttons: its heading and one line under it. */
export interface ButtonCard {
  title: string;
  desc: string;
  buttons: Button[];
}

/** The word each key stands for. `late:YYYY-MM` is 「补报 YYYY-MM」. */
const WORDS: Record<string, string> = {
  confirm: '确认',
  cancel: '取消',
  submit: '提交',
  view: '查看',
  zero: '无培训',
  discard: '放弃',
  continue: '继续',
  same: '同上月',
  report: '填报',
};

export function buttonWord(key: string): string | null {
  const late = /^late:(\d{4}-\d{2})$/u.exec(key);
  if (late) return `补报 ${late[1]}`;
  return WORDS[key] ?? null;
}

/**
 * Keys that only open something (a month, the report, the 无培训 question): they may come from a
 * notice sent by a job or by staff, any time after, and a click on them is taken whenever it
 * comes. Every other button acts on the conversation as it stood when its card was sent, so only
 * the latest card's buttons count.
 */
export function isStanding(key: string): boolean {
  return key === 'report' || key === 'zero' || key.startsWith('late:');
}

/** What the clicked button is replaced by on the card: 「已选：确认提交」. */
export function replaceName(button: Button | undefined): string {
  return button ? `已选：${button.text}` : '已处理';
}

export const cards = {
  submit: (period: string): ButtonCard => ({
    title: `提交 ${monthLabel(period)}月报`,
    desc: '核对无误后点「确认提交」',
    buttons: [
      { key: 'confirm', text: '确认提交', style: 1 },
      { key: 'cancel', text: '取消', style: 2 },
    ],
  }),
  zero: (period: string, submits: boolean): ButtonCard => ({
    title: `${monthLabel(period)}无培训`,
    desc: submits ? '第 1–6 部分记为 0，确认后直接提交' : '第 1–6 部分记为 0，再填两项人数',
    buttons: [
      { key: 'confirm', text: submits ? '确认提交' : '确认', style: 1 },
      { key: 'cancel', text: '取消', style: 2 },
    ],
  }),
  discard: (period: string): ButtonCard => ({
    title: `放弃 ${monthLabel(period)}月报草稿`,
    desc: '已填的数字将清空',
    buttons: [
      { key: 'confirm', text: '确认放弃', style: 1 },
      { key: 'cancel', text: '取消', style: 2 },
    ],
  }),
  row: (count: number): ButtonCard => ({
    title: `记录这 ${count} 项`,
    desc: '按上面的顺序记录',
    buttons: [
      { key: 'confirm', text: '确认记录', style: 1 },
      { key: 'cancel', text: '取消', style: 2 },
    ],
  }),
  filled: (period: string): ButtonCard => ({
    title: `${monthLabel(period)}月报已填完`,
    desc: '提交前可先查看核对',
    buttons: [
      { key: 'submit', text: '提交', style: 1 },
      { key: 'view', text: '查看', style: 2 },
    ],
  }),
  same: (cell: string, value: string, from: string): ButtonCard => ({
    title: cell,
    desc: `${from}为 ${value}`,
    buttons: [{ key: 'same', text: '同上月', style: 1 }],
  }),
  begin: (period: string): ButtonCard => ({
    title: `${monthLabel(period)}月报`,
    desc: '没有完成任何培训，可直接点「无培训」',
    buttons: [{ key: 'zero', text: `${monthLabel(period)}无培训`, style: 2 }],
  }),
  resume: (period: string): ButtonCard => ({
    title: `${monthLabel(period)}月报草稿已保存`,
    desc: '截止前随时接着填',
    buttons: [{ key: 'continue', text: '继续填写', style: 1 }],
  }),
  /** With a notice that a window opened: start, or say there was no training. */
  open: (period: string): ButtonCard => ({
    title: `${monthLabel(period)}月报开始填报`,
    desc: '点按钮开始，或直接回复「填报」',
    buttons: [
      { key: 'report', text: '开始填报', style: 1 },
      { key: 'zero', text: `${monthLabel(period)}无培训`, style: 2 },
    ],
  }),
  /** With the notice that staff reopened a month. */
  reopened: (period: string): ButtonCard => ({
    title: `${monthLabel(period)}月报已解锁`,
    desc: '点按钮补报，或回复「补报 ' + monthLabel(period) + '」',
    buttons: [{ key: `late:${period}`, text: `补报 ${monthLabel(period)}`, style: 1 }],
  }),
};
