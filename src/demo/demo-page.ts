/** The WeCom emulator page (/demo): plain HTML and script, readable on a phone. */
export const demoPage = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>月报 · 企业微信模拟器</title>
<style>
  /* A column: header (grows when the clock panel opens), the chat filling what is left, the input row. */
  body { margin: 0; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; background: #ededed; display: flex; flex-direction: column; height: 100vh; height: 100dvh; }
  header { background: #2b2b2b; color: #fff; padding: 10px 12px; }
  header h1 { font-size: 16px; margin: 0 0 6px; }
  #open-dashboard { color: #9fd3ff; font-size: 13px; margin-left: 8px; }
  #tile { font-size: 13px; color: #cfe; margin-top: 4px; }
  select { width: 100%; font-size: 15px; padding: 6px; }
  #chat { flex: 1; min-height: 0; overflow-y: auto; padding: 10px; box-sizing: border-box; }
  .msg { max-width: 85%; margin: 6px 0; padding: 8px 10px; border-radius: 6px; white-space: pre-wrap; line-height: 1.45; font-size: 15px; }
  .me { background: #95ec69; margin-left: auto; }
  .bot { background: #fff; }
  .card { background: #fff; border-left: 4px solid #2f7cf6; }
  .note { text-align: center; color: #888; font-size: 12px; }
  footer { background: #f7f7f7; border-top: 1px solid #ddd; padding: 8px; }
  .menu { display: flex; gap: 6px; margin-bottom: 6px; }
  .menu button { flex: 1; padding: 8px 0; font-size: 14px; background: #fff; border: 1px solid #ccc; border-radius: 4px; }
  form { display: flex; gap: 6px; }
  input { flex: 1; font-size: 16px; padding: 8px; border: 1px solid #ccc; border-radius: 4px; }
  form button { padding: 0 16px; font-size: 15px; background: #07c160; color: #fff; border: 0; border-radius: 4px; }
  .card a.open { display: inline-block; margin-top: 6px; color: #2f7cf6; }
  .card .buttons { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; white-space: normal; }
  .card .buttons button { flex: 1; min-width: 5em; padding: 7px 6px; font-size: 14px; border-radius: 4px; border: 1px solid #2f7cf6; background: #fff; color: #2f7cf6; }
  .card .buttons button.main { background: #2f7cf6; color: #fff; }
  .card .done { margin-top: 8px; color: #888; font-size: 14px; }
  #clockbar { display: flex; justify-content: space-between; align-items: center; font-size: 13px; margin-top: 6px; color: #ddd; }
  #clockbar button { font-size: 13px; padding: 3px 8px; }
  #clockpanel { display: none; background: #3a3a3a; padding: 8px; margin-top: 6px; border-radius: 4px; }
  #clockpanel.show { display: block; }
  #clockpanel .row { display: flex; gap: 6px; margin-bottom: 6px; }
  #clockpanel input, #clockpanel select { flex: 1; font-size: 14px; padding: 4px; min-width: 0; }
  #clockpanel button { font-size: 14px; padding: 4px 10px; }
  #clock-result { white-space: pre-wrap; color: #cfe; font-size: 13px; margin: 4px 0 0; }
</style>
</head>
<body>
<header>
  <h1>月报 · 企业微信模拟器</h1>
  <select id="who" aria-label="我是谁"></select>
  <a id="open-dashboard" href="/demo/open-dashboard" target="_blank" rel="noopener">以此身份打开看板</a>
  <div id="tile" title="工作台上「月报」应用的展示（工作台自定义展示）">工作台：—</div>
  <div id="clockbar"><span>演示时间：<b id="clock-now">…</b></span><button id="clock-toggle" type="button">调时间 / 运行任务</button></div>
  <div id="clockpanel">
    <div class="row"><input id="clock-at" type="datetime-local" aria-label="演示时间"><button id="clock-set" type="button">设为现在</button></div>
    <div class="row">
      <select id="clock-job" aria-label="定时任务">
        <option value="nudge">催报（截止前提醒未报学校）</option>
        <option value="close">关账（截止后记零申报）</option>
        <option value="notice">目标进度通知（每月 15 日）</option>
        <option value="digest">工作人员日报</option>
        <option value="open">开始填报通知（每月 1 日）</option>
      </select>
      <button id="clock-run" type="button">在这个时间运行</button>
    </div>
    <p id="clock-result" role="status"></p>
  </div>
</header>
<main id="chat"></main>
<footer>
  <div class="menu">
    <button data-click="report">填报</button>
    <button data-click="progress">查询进度</button>
    <button data-click="help">帮助</button>
  </div>
  <form id="send"><input id="text" autocomplete="off" placeholder="输入消息，如：填报"><button>发送</button></form>
</footer>
<script>
const chat = document.getElementById('chat');
const who = document.getElementById('who');
// The chats are kept in sessionStorage (per demo run), so a reload of the page loses nothing.
let logs = {};
let cursor = 0;
let saveKey = null;
function save() { if (saveKey) sessionStorage.setItem(saveKey, JSON.stringify({ logs, cursor, who: who.value })); }
function add(user, cls, html) {
  (logs[user] ??= []).push({ cls, html });
  save();
  if (user === who.value) render();
}
function esc(s) { return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]); }
function render() {
  chat.innerHTML = (logs[who.value] ?? []).map((m) => '<div class="msg ' + m.cls + '">' + m.html + '</div>').join('') || '<div class="note">发送「填报」或点下面的菜单开始</div>';
  chat.scrollTop = chat.scrollHeight;
}
async function say(body, shown) {
  const user = who.value;
  add(user, 'me', esc(shown));
  const res = await fetch('/demo/api/say', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, ...body }) });
  const out = await res.json();
  if (out.reply) add(user, 'bot', esc(out.reply));
  else if (out.note) add(user, 'bot note', esc(out.note));
  else if (out.status !== 200) add(user, 'bot note', '（服务暂时不可用，企业微信会重试）');
  setTimeout(poll, 300);
}
// The chosen person's app tile on the workbench, as the bot last set it.
async function showTile() {
  const r = await fetch('/demo/api/tile?user=' + encodeURIComponent(who.value)).then((x) => x.json()).catch(() => ({ items: null }));
  document.getElementById('tile').textContent = '工作台：' + (r.items ? r.items.map((i) => i.key + ' ' + i.data).join(' · ') : '—');
}
async function poll() {
  showTile();
  const users = [...who.options].map((o) => o.value);
  const res = await fetch('/demo/api/inbox?all=1&after=' + cursor + '&user=' + encodeURIComponent(users.join(',')));
  const out = await res.json();
  cursor = out.next;
  save();
  for (const m of out.messages) {
    if (m.kind === 'file') add(m.user, 'card', '📎 <a href="/demo/api/media/' + m.mediaId + '">' + esc(m.filename) + '</a>');
    else if (m.kind === 'card') add(m.user, 'card', '<b>' + esc(m.title) + '</b>\\n' + esc(m.text) + (m.url ? '\\n<a class="open" target="_blank" href="' + esc(m.url) + '">打开看板 ›</a>' : ''));
    else if (m.kind === 'buttons') add(m.user, 'card', '<b>' + esc(m.title) + '</b>\\n' + esc(m.text) + '<div class="buttons" data-task="' + esc(m.taskId) + '">' + m.buttons.map((b, i) => '<button type="button" class="' + (i === 0 ? 'main' : '') + '" data-key="' + esc(b.key) + '">' + esc(b.text) + '</button>').join('') + '</div>');
    else add(m.user, 'bot', esc(m.text));
  }
}
document.getElementById('send').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('text');
  if (input.value.trim()) say({ text: input.value }, input.value);
  input.value = '';
});
// A card's button: sent as WeCom's template_card_event; the card then shows what was chosen, as WeCom updates it.
chat.addEventListener('click', (e) => {
  const button = e.target.closest('.buttons button');
  if (!button) return;
  const box = button.parentElement;
  const user = who.value;
  const entry = (logs[user] ?? []).find((m) => m.html.includes('data-task="' + box.dataset.task + '"'));
  if (entry) entry.html = entry.html.replace(/<div class="buttons"[\\s\\S]*<\\/div>$/, '<div class="done">已选：' + esc(button.textContent) + '</div>');
  save();
  say({ card: { taskId: box.dataset.task, key: button.dataset.key } }, '〔按钮〕' + button.textContent);
});
document.querySelectorAll('[data-click]').forEach((b) => b.addEventListener('click', () => say({ click: b.dataset.click }, '〔菜单〕' + b.textContent)));
// The dashboard, as this person opens it in WeCom's browser: signed in by WeCom identity (网页授权).
const openDashboard = document.getElementById('open-dashboard');
function dashboardLink() { openDashboard.href = '/demo/open-dashboard?as=' + encodeURIComponent(who.value); }
who.addEventListener('change', () => { save(); render(); dashboardLink(); });
const clockNow = document.getElementById('clock-now');
const clockAt = document.getElementById('clock-at');
const clockResult = document.getElementById('clock-result');
function showClock(c) { clockNow.textContent = c.label; if (!clockAt.value) clockAt.value = c.local; }
async function clock(body) {
  clockResult.textContent = '……';
  const res = await fetch('/demo/api/clock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const out = await res.json();
  if (out.clock) { showClock(out.clock); clockAt.value = out.clock.local; }
  clockResult.textContent = out.error || out.lines.join('\\n');
  setTimeout(poll, 300);
}
document.getElementById('clock-toggle').addEventListener('click', () => {
  document.getElementById('clockpanel').classList.toggle('show');
  chat.scrollTop = chat.scrollHeight;
});
document.getElementById('clock-set').addEventListener('click', () => clock({ at: clockAt.value }));
document.getElementById('clock-run').addEventListener('click', () => clock({ at: clockAt.value, job: document.getElementById('clock-job').value }));
const tick = () => fetch('/demo/api/clock').then((r) => r.json()).then(showClock);
tick();
setInterval(tick, 30000);
fetch('/demo/api/people').then((r) => r.json()).then((p) => {
  const group = (label, list) => '<optgroup label="' + label + '">' + list.map((x) => '<option value="' + esc(x.userId) + '">' + esc(x.label) + '</option>').join('') + '</optgroup>';
  who.innerHTML = group('教育部门工作人员', p.staff) + group('学校填报人', p.schools);
  who.value = p.schools[1].userId;
  dashboardLink();
  saveKey = 'yb-demo-' + p.run;
  const saved = JSON.parse(sessionStorage.getItem(saveKey) || 'null');
  if (saved) { logs = saved.logs; cursor = saved.cursor; who.value = saved.who; }
  render();
  setInterval(poll, 2000);
});
</script>
</body>
</html>`;
