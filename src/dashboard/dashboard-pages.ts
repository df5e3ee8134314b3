import { contactsText } from '../roster/people';
import { formatNumber as f } from '../report/number-parser';
import { percent } from '../report/progress';
import type { GroupProgress } from '../report/rollup';
import { STATUS_LABEL, statusText } from '../report/status';
import type { Overview, SchoolPage, StatusCounts } from './dashboard-view';

/** The dashboard's HTML, rendered on the server (tables readable without script); charts are drawn by dashboard.js. */
const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON inside <script type="application/json">: "<" escaped so that no "</script>" can end it early. */
const jsonData = (data: unknown): string => JSON.stringify(data).replace(/</g, '\\u003c');


const STYLE = `
  body { margin: 0; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; background: #f4f5f7; color: #222; }
  header { background: #1f4e8c; color: #fff; padding: 14px 16px; }
  header h1 { margin: 0; font-size: 19px; }
  header p { margin: 6px 0 0; font-size: 13px; opacity: .9; }
  header a { color: #fff; }
  main { max-width: 1100px; margin: 0 auto; padding: 12px; }
  section { background: #fff; border-radius: 8px; padding: 12px 14px; margin: 0 0 12px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  h2 { font-size: 16px; margin: 0 0 10px; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; background: none; box-shadow: none; padding: 0; }
  .tile { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  .tile b { display: block; font-size: 22px; margin: 4px 0; }
  .tile span, .tile small { color: #666; font-size: 13px; }
  .chart { width: 100%; height: 320px; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; font-size: 14px; }
  th, td { border-bottom: 1px solid #eee; padding: 6px 8px; text-align: right; white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; }
  th { background: #fafafa; font-weight: 600; }
  .st-none { color: #666; } .st-drafting { color: #b26a00; } .st-defaulted { color: #c62828; } .st-filed { color: #1b7f3b; } .st-late { color: #6b8e23; }
  .nudge { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 10px; }
  .nudge select, .nudge button { font-size: 15px; padding: 6px 10px; }
  .nudge button { background: #07c160; color: #fff; border: 0; border-radius: 4px; }
  .nudge button:disabled { background: #bbb; }
  #nudge-result { margin: 6px 0 0; white-space: pre-wrap; }
  .muted { color: #777; font-size: 13px; }
  .notice { background: #fff7e0; border: 1px solid #f0d58c; padding: 10px 12px; border-radius: 6px; }
  .refusal { max-width: 520px; margin: 60px 16px; background: #fff; border-radius: 8px; padding: 24px; text-align: center; }
  @media (min-width: 552px) { .refusal { margin: 60px auto; } }
  .refusal h1 { font-size: 20px; }
  .filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  .filters select { font-size: 15px; padding: 6px 10px; }
  .review { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
  .review input { flex: 1 1 200px; font-size: 15px; padding: 6px 8px; }
  .review button { font-size: 15px; padding: 6px 12px; border: 0; border-radius: 4px; color: #fff; background: #07c160; }
  .review button.return { background: #e6a23c; }
  .review button:disabled { background: #bbb; }
  .pages { display: flex; gap: 16px; margin-top: 8px; }
  ol.history { margin: 0; padding-left: 22px; font-size: 14px; line-height: 1.6; }
  .rv-approved { color: #1b7f3b; } .rv-returned { color: #b26a00; } .rv-pending { color: #666; }
  /* On a phone every table row becomes a small card: each cell under its column's name. */
  @media (max-width: 600px) {
    table.stack thead { display: none; }
    table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: auto; }
    table.stack tr { border-bottom: 1px solid #e4e4e4; padding: 6px 0; }
    table.stack td { display: flex; justify-content: space-between; gap: 12px; border: 0; padding: 2px 2px; white-space: normal; text-align: right; }
    table.stack td::before { content: attr(data-label); color: #777; text-align: left; flex: none; }
    table.stack td:first-child { font-weight: 600; }
    table.stack td:first-child::before { content: none; }
  }
`;

function shell(title: string, body: string, extra = ''): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
${body}
${extra}
</html>`;
}

/** A page's own links carry the link's token when it came with one; a signed-in session needs none. */
const withToken = (path: string, token: string | null | undefined, more = '') => `${path}${token ? `?t=${encodeURIComponent(token)}${more ? `&${more}` : ''}` : more ? `?${more}` : ''}`;

export function refusalPage(title: string, text: string, token?: string | null): string {
  const back = token !== undefined ? `<p><a href="${withToken('/dashboard', token)}">返回看板</a></p>` : '';
  return shell(`月报看板 · ${title}`, `<body><div class="refusal" role="alert"><h1>${esc(title)}</h1><p>${esc(text)}</p>${back}</div></body>`);
}

/** Beyond this many, the owing list is cut short (a province-wide list of thousands is no use on a phone). */
const OWING_ROWS = 500;

const filedOf = (c: StatusCounts) => c.filed + c.late;

/** A table that stacks into one card per row on a phone: each cell carries its column's name. */
function stackTable(id: string, head: readonly string[], rows: readonly { attrs?: string; cells: readonly string[] }[]): string {
  const body = rows.map((r) => `<tr${r.attrs ? ` ${r.attrs}` : ''}>${r.cells.map((c, i) => `<td data-label="${esc(head[i] ?? '')}">${c}</td>`).join('')}</tr>`).join('');
  return `<div class="scroll"><table id="${id}" class="stack"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function statusTable(rows: StatusCounts[], groupName: string, id: string, review: boolean): string {
  const head = [groupName, '学校', '已报', '其中逾期', '填报中', '未开始', '零申报', '报送率', ...(review ? ['已审', '退回'] : [])];
  return stackTable(
    id,
    head,
    rows.map((c) => ({
      attrs: `data-group="${esc(c.group)}"`,
      cells: [esc(c.group), String(c.total), String(filedOf(c)), String(c.late), String(c.drafting), String(c.none), String(c.defaulted), percent(filedOf(c), c.total), ...(review ? [String(c.approved), String(c.returned)] : [])],
    })),
  );
}

function progressTable(rows: GroupProgress[], groupName: string, id: string): string {
  return stackTable(
    id,
    [groupName, '学校', '累计人次', '目标', '完成率', '按进度应达', '补贴性', '补贴性完成率'],
    rows.map((g) => ({
      attrs: `data-group="${esc(g.group)}"`,
      cells: [esc(g.group), String(g.schools), f(g.trainees), f(g.target), percent(g.trainees, g.target), f(g.pace), `${f(g.subsidized)} / ${f(g.subsidizedTarget)}`, percent(g.subsidized, g.subsidizedTarget)],
    })),
  );
}

function tile(label: string, value: string, note: string, id: string): string {
  return `<div class="tile" id="${id}"><span>${esc(label)}</span><b>${esc(value)}</b><small>${esc(note)}</small></div>`;
}

/** Schools by "city|category": the headings and the nudge button count what a filter reaches without the whole list. */
function countsBy(list: readonly { city: string; category: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of list) counts[`${s.city}|${s.category}`] = (counts[`${s.city}|${s.category}`] ?? 0) + 1;
  return counts;
}

export function overviewPage(o: Overview, token: string | null): string {
  const t = o.totals;
  const p = o.progress;
  const link = (code: string) => withToken(`/dashboard/school/${encodeURIComponent(code)}`, token);
  const province = o.viewer.role === 'province';
  const cities = [...new Set([...o.owing, ...o.filed].map((s) => s.city))].sort((a, b) => a.localeCompare(b, 'zh'));
  const where = (s: { code: string; city: string; category: string }) => `data-code="${esc(s.code)}" data-city="${esc(s.city)}" data-category="${esc(s.category)}"`;
  const named = (s: { code: string; name: string }) => `<a href="${link(s.code)}">${esc(s.name)}</a> <span class="muted">${esc(s.code)}</span>`;
  const owingTable = stackTable(
    'owing-table',
    ['学校', '市县', '类别', '状态', '最近催报', '填报人'],
    o.owing.slice(0, OWING_ROWS).map((s) => ({
      attrs: where(s),
      cells: [named(s), esc(s.city), esc(s.category), `<span class="st-${s.status}">${esc(statusText(s.status, { answered: s.answered ?? undefined, cells: o.cells }))}</span>`, esc(s.lastNudge ?? '—'), esc(s.contacts)],
    })),
  );
  const filedTable = stackTable(
    'filed-table',
    ['学校', '市县', '类别', '状态', '提交时间', '提交人', ...(o.reviewInUse || o.filed.some((f) => f.review !== 'pending') ? ['审核'] : [])],
    o.filed.slice(0, OWING_ROWS).map((s) => ({
      attrs: `${where(s)} data-review="${s.review}"`,
      cells: [named(s), esc(s.city), esc(s.category), esc(s.status), esc(s.submittedAt), esc(s.by), ...(o.reviewInUse || o.filed.some((f) => f.review !== 'pending') ? [`<span class="rv-${s.review}">${esc(s.reviewLabel)}</span>`] : [])],
    })),
  );
  const more = (n: number) => (n > OWING_ROWS ? `<p class="muted">只列出前 ${OWING_ROWS} 所，还有 ${n - OWING_ROWS} 所；选市县、类别可缩小范围，在企业微信中发送「未报 市县」可分页查看。</p>` : '');
  // One filter for both lists (and for the nudge button): city (provincial staff) and category; the headings' counts follow it.
  const filters = `<section class="filters" aria-label="筛选学校">
  ${province ? `<select id="nudge-city" aria-label="市县"><option value="">全部市县</option>${cities.map((c) => `<option>${esc(c)}</option>`).join('')}</select>` : ''}
  <select id="nudge-category" aria-label="类别"><option value="">全部类别</option><option>A</option><option>B</option><option>C</option><option>D</option></select>
  <span class="muted">筛选下面的未报、已报名单</span>
</section>`;
  const nudgeControls = o.open
    ? `<div class="nudge">
  <button id="nudge" type="button">催报这 ${o.owing.length} 所学校</button>
  <span id="nudge-confirm-box" hidden><button id="nudge-confirm" type="button">确认发送</button> <button id="nudge-cancel" type="button">取消</button></span>
</div><p class="muted">先显示要提醒的学校数，确认后发出；每所学校 ${o.nudgeIntervalHours} 小时内最多提醒一次（定时提醒也算在内），静默时段（夜间）的催报在早上发出。发出后，结果会发到您的企业微信。</p><p id="nudge-result" role="status"></p>`
    : o.closed
      ? `<p class="muted">${esc(o.periodLabel)}月报已截止，逾期未报的学校按零申报（未报）处理，不再催报；学校如需补报，请在企业微信中回复「解锁 学校 ${esc(o.period)}」。</p>`
      : `<p class="muted">${esc(o.periodLabel)}月报现在不在填报期内，不能催报。</p>`;
  const body = `<body data-token="${esc(token ?? '')}">
<header><h1>月报看板 · ${esc(o.viewer.scope)}</h1><p>${esc(o.periodLabel)}月报 · ${esc(o.deadline)} · 数据截至 ${esc(o.asOf)} · ${esc(o.viewer.name)}</p></header>
<main>
${o.beforeStart ? `<p class="notice">${esc(o.beforeStart)}</p>` : ''}
<section class="tiles">
  ${tile('本期报送率', percent(filedOf(t), t.total), `已报 ${filedOf(t)} / 共 ${t.total} 所（含逾期补报 ${t.late}）`, 'tile-filed')}
  ${tile('填报中', String(t.drafting), '已开始、未提交', 'tile-drafting')}
  ${tile('未开始', String(t.none), '还没有开始填报', 'tile-none')}
  ${tile('零申报(未报)', String(t.defaulted), '截止时未报，按零申报记', 'tile-defaulted')}
  ${tile(`${o.year} 年累计培训`, `${f(p.trainees)} 人次`, `目标 ${f(p.target)}（${percent(p.trainees, p.target)}），${o.paceWords}应达 ${f(p.pace)}`, 'tile-year')}
  ${tile('其中补贴性培训', `${f(p.subsidized)} 人次`, `目标 ${f(p.subsidizedTarget)}（${percent(p.subsidized, p.subsidizedTarget)}）`, 'tile-subsidized')}
</section>
${province ? `<section><h2>本期报送情况 · 按市县</h2><div class="chart" id="chart-status-city"></div>${statusTable(o.byCity, '市县', 'status-by-city', o.reviewInUse)}</section>` : ''}
<section><h2>本期报送情况 · 按类别</h2><div class="chart" id="chart-status-category"></div>${statusTable(o.byCategory, '类别', 'status-by-category', o.reviewInUse)}</section>
<section><h2>${o.year} 年目标完成 · 按类别</h2><p class="muted">按进度 ${o.paceWords}应完成全年目标的 ${percent(p.pace, p.target)}（虚线）。</p><div class="chart" id="chart-progress-category"></div>${progressTable(o.progressByCategory, '类别', 'progress-by-category')}</section>
${province ? `<section><h2>${o.year} 年目标完成 · 按市县</h2><div class="chart" id="chart-progress-city"></div>${progressTable(o.progressByCity, '市县', 'progress-by-city')}</section>` : ''}
${breakdownSections(o)}
${o.provinceTargets ? `<section><h2>全省年度目标</h2><p>全省目标 ${f(o.provinceTargets.all)} 人次，已完成 ${f(p.trainees)}（${percent(p.trainees, o.provinceTargets.all)}）；补贴性目标 ${f(o.provinceTargets.subsidized)}，已完成 ${f(p.subsidized)}（${percent(p.subsidized, o.provinceTargets.subsidized)}）。</p></section>` : ''}
${filters}
<section id="owing"><h2>未报学校（<span id="owing-count">${o.owing.length}</span> 所）</h2>
${o.owing.length > 0 ? `${nudgeControls}${owingTable}${more(o.owing.length)}` : '<p>全部已报。</p>'}
</section>
<section id="filed"><h2>已报学校（<span id="filed-count">${o.filed.length}</span> 所）</h2>
${o.filed.length > 0 ? `${filedTable}${more(o.filed.length)}` : '<p>还没有学校提交。</p>'}
</section>
</main>
<script type="application/json" id="dashboard-data">${jsonData({ kind: 'overview', ...o, owing: undefined, filed: undefined, owingCounts: countsBy(o.owing), filedCounts: countsBy(o.filed) })}</script>`;
  return shell(`月报看板 · ${o.viewer.scope}`, body, '<script src="/dashboard/assets/echarts.min.js"></script>\n<script src="/dashboard/assets/dashboard.js"></script>\n</body>');
}

/**
 * The breakdowns the notice asks for, one section per part: a chart and a table of the month and
 * the year so far (person-times of filed reports). 贫困劳动力 is said for what it counts.
 */
function breakdownSections(o: Overview): string {
  const b = o.breakdowns;
  if (!b) return '';
  const shown = b.groups[0]!;
  // The scope's figures are in the page; choosing a city or a category redraws tables and charts from the page's data.
  const choose =
    b.groups.length > 1
      ? `<section class="breakdown-choice"><h2>分类汇总（人次）</h2><label>范围 <select id="breakdown-group" aria-label="分类汇总的范围">${b.groups.map((g, i) => `<option value="${i}">${esc(g.label)}</option>`).join('')}</select></label></section>`
      : '';
  let offset = 0;
  return (
    choose +
    b.parts
      .map((part) => {
        const rows = part.cells
          .map((c, i) => `<tr><td>${esc(c.name)}${c.id === 'group_poor' ? '<br><span class="muted">人次，非建档立卡人数</span>' : ''}</td><td>${f(shown.month[offset + i]!)}</td><td>${f(shown.year[offset + i]!)}</td></tr>`)
          .join('');
        offset += part.cells.length;
        return `<section><h2>${esc(part.title.replace(/培训人数（人次）$/u, ''))} · <span class="breakdown-scope">${esc(shown.label)}</span>（人次）</h2><div class="chart" id="chart-breakdown-${part.number}"></div><div class="scroll"><table id="breakdown-${part.number}"><thead><tr><th>项目</th><th>${esc(o.periodLabel.replace(/^\d+年/u, ''))}</th><th>本年累计</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
      })
      .join('\n')
  );
}

/** A school's page; `own` when its viewer is one of the school's contacts (no review, no way to other schools). */
export function schoolPageHtml(page: SchoolPage, token: string | null, own = false): string {
  const s = page.school;
  const self = (hp: number) => `${withToken(`/dashboard/school/${encodeURIComponent(s.code)}`, token, hp > 1 ? `hp=${hp}` : '')}#history`;
  const months = stackTable(
    'school-months',
    ['月份', '状态', '培训人次', '补贴性', '累计', '按进度应达', '提交时间'],
    page.months.map((m) => ({ attrs: `data-period="${m.period}"`, cells: [m.label, `<span class="st-${m.status}">${STATUS_LABEL[m.status]}</span>`, f(m.trainees), f(m.subsidized), f(m.cumulative), f(m.pace), m.submittedAt ?? '—'] })),
  );
  const r = own ? null : page.review;
  // 通过 / 退回 here go the same way as the chat words; 退回 needs the reason the school will read.
  const review = r
    ? `<section id="review"><h2>${esc(page.periodLabel)}月报审核</h2><p id="review-state" class="rv-${r.state}">${esc(r.words)}</p>
${r.reviewable ? `<div class="review" data-school="${esc(s.code)}" data-period="${esc(page.period)}"><button id="review-approve" type="button">通过</button><input id="review-reason" maxlength="200" placeholder="退回原因（学校会看到）" aria-label="退回原因"><button id="review-return" class="return" type="button">退回</button></div><p id="review-result" role="status"></p>` : '<p class="muted">学校正在修改这份报告，重新提交后再审核。</p>'}
</section>`
    : '';
  const h = page.history;
  const history = h
    ? `<section id="history"><h2>填报记录（共 ${h.total} 条，最新的在前${h.pages > 1 ? `，第 ${h.page}/${h.pages} 页` : ''}）</h2>
${h.lines.length > 0 ? `<ol class="history" id="history-list">${h.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ol>` : '<p>还没有填报记录。</p>'}
${h.pages > 1 ? `<p class="pages">${h.page > 1 ? `<a href="${self(h.page - 1)}">← 较新</a>` : ''}${h.page < h.pages ? `<a id="history-older" href="${self(h.page + 1)}">更早 →</a>` : ''}</p>` : ''}
</section>`
    : '';
  const body = `<body data-token="${esc(token ?? '')}">
<header><h1>${esc(s.name)}</h1><p>${esc(s.code)} · ${esc(s.city)} · ${esc(s.level)} ${esc(s.category)} 类${s.pilot ? ' · 试点' : ''}${own ? '' : ` · <a href="${withToken('/dashboard', token)}">返回看板</a>`}</p></header>
<main>
<section class="tiles">
  ${tile(`${page.year} 年累计培训`, `${f(page.done.trainees)} 人次`, `目标 ${f(page.target.all)}（${percent(page.done.trainees, page.target.all)}），${page.paceWords}应达 ${f(page.pace)}`, 'tile-year')}
  ${tile('其中补贴性培训', `${f(page.done.subsidized)} 人次`, `目标 ${f(page.target.subsidized)}（${percent(page.done.subsidized, page.target.subsidized)}）`, 'tile-subsidized')}
  ${tile(`${page.periodLabel}月报`, STATUS_LABEL[page.months.at(-1)?.status ?? 'none'], `填报人：${contactsText(s)}`, 'tile-period')}
</section>
${review}
<section><h2>${page.year} 年各月培训人次（人次）</h2><div class="chart" id="chart-school"></div>
${months}</section>
${history}
</main>
<script type="application/json" id="dashboard-data">${jsonData({ kind: 'school', ...page, history: undefined })}</script>`;
  return shell(`月报看板 · ${s.name}`, body, '<script src="/dashboard/assets/echarts.min.js"></script>\n<script src="/dashboard/assets/dashboard.js"></script>\n</body>');
}
