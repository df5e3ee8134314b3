import { dueDateLabel, monthLabel, periodLabel, type PeriodCalendar, type Window } from '../calendar/period';
import { formatNumber } from '../report/number-parser';
import type { CellDef } from './form-schema';

/** The report conversation's own sentences, apart from the steps that choose them. */
export const replies = {
  monthOver: (period: string) => `${periodLabel(period)}的填写已经结束。`,
  notFileable: (asked: string | null, why: 'closed' | 'filed' | 'future' | 'none', now: string, office: string) =>
    ({
      none: '现在没有解锁待补报的月份。',
      future: `${periodLabel(asked ?? now)}的月报还没到填报时间。`,
      filed: `${periodLabel(asked ?? now)}的月报已经提交，填报期已过；如需更正，请联系${office}解锁。`,
      closed: `${periodLabel(asked ?? now)}的月报没有解锁，不能补报；需要补报请联系${office}解锁。`,
    })[why] + `下面是 ${periodLabel(now)}的月报：`,
  /** Moving from the month in hand to a reopened one: the other month's draft waits. */
  reopenedFirst: (other: string) => `${periodLabel(other)}月报已保存，补报完回复「填报」继续。`,
  cancelled: (awaiting: 'submit' | 'zero' | 'discard' | 'row') =>
    awaiting === 'submit' ? '已取消提交。' : awaiting === 'discard' ? '已取消放弃，草稿保留。' : awaiting === 'row' ? '已取消，这行数字没有记录。' : '已取消。',
  startHint: '回复「填报」开始填写本期月报。',
  nothingToConfirm: '现在没有需要确认的操作。',
  nothingToConfirmIdle: '现在没有需要确认的操作。回复「填报」开始或继续填写本期月报。',
  staffWord: (word: string, school: string) => `「${word}」是教育部门工作人员的功能。您是 ${school} 的填报人，可以回复：填报、进度、查看、帮助。`,
  idleWithDraft: (count: number, total: number) => `本期月报已填 ${count}/${total} 项，回复「继续」接着填。`,
  idleNoDraft: '回复「填报」开始填写本期月报，回复「帮助」查看说明。',
  filedModify: (filed: string) => `${filed}\n如需修改，回复「修改」。`,
  approvedModify: (filed: string, office: string) => `${filed}\n审核通过的月报不能再修改；如需更正，请联系${office}解锁。`,
  resume: (byOther: string | null, count: number, total: number) => `${byOther ? `正在由 ${byOther} 填报，` : '继续填写，'}已完成 ${count}/${total}${byOther ? '，您可以接着填：' : '：'}`,
  begin: (late: boolean, school: string, w: Window, cal: PeriodCalendar, parts: number, cells: number) =>
    `${late ? '开始补报' : '开始填写'} ${school} ${periodLabel(w.period)}培训月报（统计该月完成的培训），${late ? '已由工作人员解锁' : `截止 ${dueDateLabel(w, cal)}`}。\n` +
    `共 ${parts} 部分 ${cells} 项，每次回复一个数字，也可以「项目 数字」一次回复多项，或从表格复制一行数字。随时可回复：上一项、修改 项目、查看、暂停、提交、${monthLabel(w.period)}无培训、帮助。`,
  retry: (reason: string, hint: string) => `${reason}${/[。？！]$/u.test(reason) ? '' : '。'}${hint}`,
  numberPlease: (example: string) => `请回复一个数字，例如 ${example}。`,
  takenMeanwhile: (cell: CellDef, by: string | null, value: number, typed: string) =>
    `「${cell.name}」刚才已${by ? `由 ${by} ` : ''}填为 ${formatNumber(value)}，您的「${typed}」没有记录。如要改为您的数字，请回复「修改 ${cell.name} ${typed}」。`,
  firstAlready: '已经是第一项了。',
  closedModify: (closed: string, office: string) => `${closed}\n已截止的月报如需更正，请联系${office}解锁。`,
  reopenedFiled: (period: string) => `已重新打开 ${periodLabel(period)}月报（原报告在重新提交前仍然有效）。`,
  whichAfterReopen: '要修改哪一项？回复「修改 项目」或「修改 编号」，如「修改 制造业」「修改 24」；回复「查看」看全部；改完回复「提交」。',
  which: '要修改哪一项？回复「修改 项目」或「修改 编号」，如「修改 制造业」「修改 24」。',
  noSuchCell: (target: string) => `没找到「${target}」这一项。回复「查看」看全部项目，或用编号，如「修改 24」。`,
  ambiguous: (name: string, options: string, position: number) => `「${name}」有几项：${options}。请回复「修改 编号」，如「修改 ${position}」。`,
  viewTitle: (school: string, period: string, count: number, total: number) => `${school} ${periodLabel(period)}月报（已填 ${count}/${total}）`,
  continueHint: '回复「继续」接着填。',
  notStarted: (period: string) => `${periodLabel(period)}月报还没有开始填写。回复「填报」开始。`,
  missing: (total: number, parts: string) => `还有 ${total} 项没填（${parts}），填完才能提交。回复「继续」接着填。`,
  fixFirst: (errors: string, hint: string) => `${errors}\n请更正后再提交：回复「项目 数字」（${hint}）。`,
  checkBefore: (school: string, period: string, zero: boolean) => `提交前请核对：${school} ${periodLabel(period)}培训月报${zero ? '（无培训）' : ''}`,
  confirmSubmit: (warned: boolean) => `${warned ? '以上提醒如确认无误，' : ''}回复「确认」提交；回复「修改 项目」更正。`,
  discarded: (period: string, filed: boolean) => `已放弃 ${periodLabel(period)}月报草稿。${filed ? '已提交的月报不受影响。' : '回复「填报」可重新开始。'}`,
  zeroDone: (period: string) => `好的，${periodLabel(period)}无培训：第 1–6 部分记为 0。`,
  zeroRest: '还需要两项学校基本数据：',
  zeroAsk: (period: string, keep: string) => `确认 ${periodLabel(period)}没有完成任何培训？第 1–6 部分将全部记为 0，只需再填${keep}。\n回复「确认」继续，回复其他取消。`,
  zeroAskKnown: (period: string, known: string, first: string) =>
    `确认 ${periodLabel(period)}没有完成任何培训？第 1–6 部分将全部记为 0，${known}。\n回复「确认」提交；人数有变化请回复新的人数，如「${first} 330」；回复其他取消。`,
  zeroOtherMonth: (month: number, period: string) => `现在填的是 ${periodLabel(period)}的月报，不是 ${month}月的。${periodLabel(period)}没有培训请回复「${monthLabel(period)}无培训」。`,
  sameOnlyStock: (stock: string) => `「同上月」只用于${stock}（学校现有的人数），培训数字每月要按实际填写。`,
  sameNone: (cell: string) => `本校还没有已报的${cell}可以沿用，请回复数字。`,
  warnedBefore: (n: number) => `⚠ 另有 ${n} 条提醒前面已说过（回复「查看」可再看）。`,
  rowRead: (n: number, lines: string[]) => `收到 ${n} 个数字，按表中顺序：\n${lines.map((l) => `· ${l}`).join('\n')}`,
  rowConfirm: (n: number, errors: number) =>
    `回复「确认」记录这 ${n} 项${errors > 0 ? `（还有 ${errors} 处需要更正，记录后可再改）` : ''}；回复其他取消，不记录。`,
  rowStored: (n: number) => `✓ 已记录 ${n} 项。`,
  rowCount: (got: number, rest: number, part: number | null, from: string | null, total: number) =>
    part === null
      ? `收到 ${got} 个数字，整张表共 ${total} 项：一次发全部 ${total} 个，或用「项目 数字」更正某一项。`
      : `收到 ${got} 个数字，但第 ${part} 部分从「${from}」起还有 ${rest} 项，整张表共 ${total} 项：请发 ${rest} 个或 ${total} 个数字，或一项一项填。`,
  rowProblems: (problems: string[]) => `这行数字没有记录：\n${problems.map((p) => `· ${p}`).join('\n')}`,
  paused: (count: number, total: number, w: Window, cal: PeriodCalendar) => `已保存，已完成 ${count}/${total}。${dueDateLabel(w, cal)}截止前随时回复「继续」接着填。`,
  discardAsk: (period: string, count: number, filed: boolean) => `确认放弃 ${periodLabel(period)}月报草稿？已填的 ${count} 项将清空${filed ? '（已提交的月报不受影响）' : ''}。\n回复「确认」放弃，回复其他取消。`,
  /** After all cells: 提交 is offered only when it can succeed; with errors open, how many are left. */
  allFilled: (cells: number, notes: string, errors: number) =>
    `${cells} 项已全部填完。${notes ? `\n${notes}` : ''}\n${errors > 0 ? `还有 ${errors} 处需要更正，改好后才能提交：回复「项目 数字」更正，「查看」核对。` : '回复「提交」提交，或「查看」核对。'}`,
  passed: (title: string) => `✓ ${title}：已通过`,
  fixLater: (hint: string) => `请回复「项目 数字」更正（${hint}）；也可以先往下填，提交前再改。`,
  draftGone: '本期草稿已被放弃。回复「填报」重新开始。',
  idleDraft: (count: number, total: number) => `回复「继续」接着填写本期月报（已填 ${count}/${total}）。`,
  idleNone: '现在没有正在填写的月报。回复「填报」开始。',
};
