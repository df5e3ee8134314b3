import { contactsText } from '../roster/people';
import { formatNumber as f } from '../report/number-parser';
import { percent } from '../report/progress';
import type { GroupProgress } from '../report/rollup';
import { STATUS_LABEL } from '../report/status';
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
  .refusal { max-width: 520px; margin: 60px auto; background: #fff; border-radius: 8px; padding: 24px; text-align: center; }
  .refusal h1 { font-size: 20px; }
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

export function refusalPage(title: string, text: string, token?: string): string {
  const back = token ? `<p><a href="/dashboard?t=${encodeURIComponent(token)}">返回看板</a></p>` : '';
  return shell(`月报看板 · ${title}`, `<body><div class="refusal" role="alert"><h1>${esc(title)}</h1><p>${esc(text)}</p>${back}</div></body>`);
}

/** Beyond this many, the owing list is cut short (a province-wide list of thousands is no use on a phone). */
const OWING_ROWS = 500;

const filedOf = (c: StatusCounts) => c.filed + c.late;

function statusTable(rows: StatusCounts[], groupName: string, id: string): string {
  const body = rows
    .map(
      (c) =>
        `<tr data-group="${esc(c.group)}"><td>${esc(c.group)}</td><td>${c.total}</td><td>${filedOf(c)}</td><td>${c.late}</td><td>${c.drafting}</td><td>${c.none}</td><td>${c.defaulted}</td><td>${percent(filedOf(c), c.total)}</td></tr>`,
    )
    .join('');
  return `<div class="scroll"><table id="${id}"><thead><tr><th>${groupName}</th><th>学校</th><th>已报</th><th>其中逾期</th><th>填报中</th><th>未开始</th><th>零申报</th><th>报送率</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function progressTable(rows: GroupProgress[], groupName: string, id: string): string {
  const body = rows
    .map(
      (g) =>
        `<tr data-group="${esc(g.group)}"><td>${esc(g.group)}</td><td>${g.schools}</td><td>${f(g.trainees)}</td><td>${f(g.target)}</td><td>${percent(g.trainees, g.target)}</td><td>${f(g.pace)}</td><td>${f(g.subsidized)} / ${f(g.subsidizedTarget)}</td><td>${percent(g.subsidized, g.subsidizedTarget)}</td></tr>`,
    )
    .join('');
  return `<div class="scroll"><table id="${id}"><thead><tr><th>${groupName}</th><th>学校</th><th>累计人次</th><th>目标</th><th>完成率</th><th>按进度应达</th><th>补贴性</th><th>补贴性完成率</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function tile(label: string, value: string, note: string, id: string): string {
  return `<div class="tile" id="${id}"><span>${esc(label)}</span><b>${esc(value)}</b><small>${esc(note)}</small></div>`;
}

/** Owing schools by "city|category": the nudge button counts what a filter will reach without the whole list. */
function owingCounts(o: Overview): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of o.owing) counts[`${s.city}|${s.category}`] = (counts[`${s.city}|${s.category}`] ?? 0) + 1;
  return counts;
}

export function overviewPage(o: Overview, token: string): string {
  const t = o.totals;
  const p = o.progress;
  const link = (code: string) => `/dashboard/school/${encodeURIComponent(code)}?t=${encodeURIComponent(token)}`;
  const province = o.viewer.role === 'province';
  const owingCities = [...new Set(o.owing.map((s) => s.city))];
  const owingRows = o.owing
    .slice(0, OWING_ROWS)
    .map(
      (s) =>
        `<tr data-code="${esc(s.code)}" data-city="${esc(s.city)}" data-category="${esc(s.category)}"><td><a href="${link(s.code)}">${esc(s.name)}</a> <span class="muted">${esc(s.code)}</span></td><td>${esc(s.city)}</td><td>${esc(s.category)}</td><td class="st-${s.status}">${STATUS_LABEL[s.status]}</td><td>${esc(s.contacts)}</td></tr>`,
    )
    .join('');
  const more = o.owing.length > OWING_ROWS ? `<p class="muted">只列出前 ${OWING_ROWS} 所，还有 ${o.owing.length - OWING_ROWS} 所；按市县、类别催报会包括它们，在企业微信中发送「未报 市县」可分页查看。</p>` : '';
  const nudgeControls = o.open
    ? `<div class="nudge">
  ${province ? `<select id="nudge-city" aria-label="市县"><option value="">全部市县</option>${owingCities.map((c) => `<option>${esc(c)}</option>`).join('')}</select>` : ''}
  <select id="nudge-category" aria-label="类别"><option value="">全部类别</option><option>A</option><option>B</option><option>C</option><option>D</option></select>
  <button id="nudge" type="button">催报这 ${o.owing.length} 所学校</button>
  <span id="nudge-confirm-box" hidden><button id="nudge-confirm" type="button">确认发送</button> <button id="nudge-cancel" type="button">取消</button></span>
</div><p class="muted">先显示要提醒的学校数，确认后发出；每所学校 ${o.nudgeIntervalHours} 小时内最多提醒一次（定时提醒也算在内），静默时段（夜间）的催报在早上发出。发出后，结果会发到您的企业微信。</p><p id="nudge-result" role="status"></p>`
    : o.closed
      ? `<p class="muted">${esc(o.periodLabel)}月报已截止，逾期未报的学校按零申报（未报）处理，不再催报；学校如需补报，请在企业微信中回复「解锁 学校 ${esc(o.period)}」。</p>`
      : `<p class="muted">${esc(o.periodLabel)}月报现在不在填报期内，不能催报。</p>`;
  const body = `<body data-token="${esc(token)}">
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
${province ? `<section><h2>本期报送情况 · 按市县</h2><div class="chart" id="chart-status-city"></div>${statusTable(o.byCity, '市县', 'status-by-city')}</section>` : ''}
<section><h2>本期报送情况 · 按类别</h2><div class="chart" id="chart-status-category"></div>${statusTable(o.byCategory, '类别', 'status-by-category')}</section>
<section><h2>${o.year} 年目标完成 · 按类别</h2><p class="muted">按进度 ${o.paceWords}应完成全年目标的 ${percent(p.pace, p.target)}（虚线）。</p><div class="chart" id="chart-progress-category"></div>${progressTable(o.progressByCategory, '类别', 'progress-by-category')}</section>
${province ? `<section><h2>${o.year} 年目标完成 · 按市县</h2><div class="chart" id="chart-progress-city"></div>${progressTable(o.progressByCity, '市县', 'progress-by-city')}</section>` : ''}
${breakdownSections(o)}
${o.provinceTargets ? `<section><h2>全省年度目标</h2><p>全省目标 ${f(o.provinceTargets.all)} 人次，已完成 ${f(p.trainees)}（${percent(p.trainees, o.provinceTargets.all)}）；补贴性目标 ${f(o.provinceTargets.subsidized)}，已完成 ${f(p.subsidized)}（${percent(p.subsidized, o.provinceTargets.subsidized)}）。</p></section>` : ''}
<section id="owing"><h2>未报学校（${o.owing.length} 所）</h2>
${o.owing.length > 0 ? nudgeControls : ''}
${o.owing.length > 0 ? `<div class="scroll"><table id="owing-table"><thead><tr><th>学校</th><th>市县</th><th>类别</th><th>状态</th><th>填报人</th></tr></thead><tbody>${owingRows}</tbody></table></div>${more}` : '<p>全部已报。</p>'}
</section>
</main>
<script type="application/json" id="dashboard-data">${jsonData({ kind: 'overview', ...o, owing: undefined, owingCounts: owingCounts(o) })}</script>`;
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

export function schoolPageHtml(page: SchoolPage, token: string): string {
  const s = page.school;
  const rows = page.months
    .map(
      (m) =>
        `<tr data-period="${m.period}"><td>${m.label}</td><td class="st-${m.status}">${STATUS_LABEL[m.status]}</td><td>${f(m.trainees)}</td><td>${f(m.subsidized)}</td><td>${f(m.cumulative)}</td><td>${f(m.pace)}</td><td>${m.submittedAt ?? '—'}</td></tr>`,
    )
    .join('');
  const body = `<body data-token="${esc(token)}">
<header><h1>${esc(s.name)}</h1><p>${esc(s.code)} · ${esc(s.city)} · ${esc(s.level)} ${esc(s.category)} 类${s.pilot ? ' · 试点' : ''} · <a href="/dashboard?t=${encodeURIComponent(token)}">返回看板</a></p></header>
<main>
<section class="tiles">
  ${tile(`${page.year} 年累计培训`, `${f(page.done.trainees)} 人次`, `目标 ${f(page.target.all)}（${percent(page.done.trainees, page.target.all)}），${page.paceWords}应达 ${f(page.pace)}`, 'tile-year')}
  ${tile('其中补贴性培训', `${f(page.done.subsidized)} 人次`, `目标 ${f(page.target.subsidized)}（${percent(page.done.subsidized, page.target.subsidized)}）`, 'tile-subsidized')}
  ${tile(`${page.periodLabel}月报`, STATUS_LABEL[page.months.at(-1)?.status ?? 'none'], `填报人：${esc(contactsText(s))}`, 'tile-period')}
</section>
<section><h2>${page.year} 年各月培训人次</h2><div class="chart" id="chart-school"></div>
<div class="scroll"><table id="school-months"><thead><tr><th>月份</th><th>状态</th><th>培训人次</th><th>补贴性</th><th>累计</th><th>按进度应达</th><th>提交时间</th></tr></thead><tbody>${rows}</tbody></table></div></section>
</main>
<script type="application/json" id="dashboard-data">${jsonData({ kind: 'school', ...page })}</script>`;
  return shell(`月报看板 · ${s.name}`, body, '<script src="/dashboard/assets/echarts.min.js"></script>\n<script src="/dashboard/assets/dashboard.js"></script>\n</body>');
}
