/**
 * The dashboard's browser script (served as /dashboard/assets/dashboard.js): draws the ECharts
 * charts from the page's embedded data and wires the nudge button. Plain ES2020, no build step.
 */
export const dashboardClientScript = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('dashboard-data').textContent);
  var token = document.body.getAttribute('data-token');
  var COLORS = { filed: '#07c160', late: '#91cc75', drafting: '#fac858', none: '#c0c4cc', defaulted: '#ee6666' };
  var NAMES = { filed: '已报', late: '逾期补报', drafting: '填报中', none: '未开始', defaulted: '零申报(未报)' };
  var charts = [];

  function chart(id, option, rows) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    // Bars laid along the vertical axis: room for each of up to 28 places, readable on a phone.
    if (rows) el.style.height = Math.max(240, rows * 30 + 90) + 'px';
    var c = window.echarts.init(el, null, { renderer: 'canvas' });
    c.setOption(option);
    charts.push(c);
    return c;
  }
  function pct(part, whole) { return whole ? Math.round((part / whole) * 1000) / 10 : 0; }
  var grid = { left: 8, right: 24, top: 40, bottom: 8, containLabel: true };

  function statusChart(id, rows) {
    var groups = rows.map(function (r) { return r.group; });
    chart(id, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: grid,
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: groups, inverse: true },
      series: ['filed', 'late', 'drafting', 'none', 'defaulted'].map(function (k) {
        return { name: NAMES[k], type: 'bar', stack: 'all', itemStyle: { color: COLORS[k] }, data: rows.map(function (r) { return r[k]; }) };
      })
    }, rows.length);
  }

  // Completion against target by group, with the pace as a dashed line; many groups (places) lie along
  // the vertical axis so that their names stay readable.
  function progressChart(id, rows, pace) {
    var many = rows.length > 6;
    var groups = { type: 'category', data: rows.map(function (r) { return r.group; }), inverse: many, axisLabel: { interval: 0 } };
    var values = { type: 'value', axisLabel: { formatter: '{value}%' } };
    chart(id, {
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return v + '%'; } },
      legend: { top: 0 },
      // Room for the pace line's label.
      grid: { left: 8, right: many ? 24 : 72, top: many ? 56 : 40, bottom: 8, containLabel: true },
      xAxis: many ? values : groups,
      yAxis: many ? groups : values,
      series: [
        { name: '培训人次完成率', type: 'bar', itemStyle: { color: '#5470c6' }, data: rows.map(function (r) { return pct(r.trainees, r.target); }),
          markLine: { symbol: 'none', lineStyle: { type: 'dashed', color: '#ee6666' }, label: { formatter: '应达 {c}%', position: many ? 'start' : 'end' }, data: [many ? { xAxis: pace } : { yAxis: pace }] } },
        { name: '补贴性完成率', type: 'bar', itemStyle: { color: '#73c0de' }, data: rows.map(function (r) { return pct(r.subsidized, r.subsidizedTarget); }) }
      ]
    }, many ? rows.length * 1.6 : 0);
  }

  if (data.kind === 'overview') {
    // The share of the year's target the pace asks for by now (paceBasis: months closed, the open one where filed).
    var pace = pct(data.progress.pace, data.progress.target);
    statusChart('chart-status-city', data.byCity);
    statusChart('chart-status-category', data.byCategory);
    progressChart('chart-progress-category', data.progressByCategory, pace);
    progressChart('chart-progress-city', data.progressByCity, pace);
    // The breakdowns: per part, the month and the year so far, cell by cell, for the chosen group
    // (the viewer's scope first; provincial staff can choose a city, everyone a category).
    if (data.breakdowns) {
      var breakdownCharts = {};
      var drawBreakdowns = function (g) {
        var group = data.breakdowns.groups[g];
        var offset = 0;
        data.breakdowns.parts.forEach(function (part) {
          var names = part.cells.map(function (c) { return c.name; });
          var month = group.month.slice(offset, offset + names.length);
          var year = group.year.slice(offset, offset + names.length);
          offset += names.length;
          var rows = document.querySelectorAll('#breakdown-' + part.number + ' tbody tr');
          rows.forEach(function (tr, i) {
            tr.children[1].textContent = month[i].toLocaleString('en-US');
            tr.children[2].textContent = year[i].toLocaleString('en-US');
          });
          var series = [
            { name: data.periodLabel.replace(/^\\d+年/, ''), type: 'bar', itemStyle: { color: '#5470c6' }, data: month },
            { name: data.year + ' 年累计', type: 'bar', itemStyle: { color: '#91cc75' }, data: year }
          ];
          if (breakdownCharts[part.number]) { breakdownCharts[part.number].setOption({ series: series }); return; }
          breakdownCharts[part.number] = chart('chart-breakdown-' + part.number, {
            tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
            legend: { top: 0 },
            grid: grid,
            // Person-times run to tens of thousands: 万 keeps the axis readable at phone width.
            xAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: function (v) { return v >= 10000 ? (v / 10000) + '万' : String(v); } } },
            yAxis: { type: 'category', data: names, inverse: true, axisLabel: { width: 120, overflow: 'truncate' } },
            series: series
          }, names.length * 1.6);
        });
        document.querySelectorAll('.breakdown-scope').forEach(function (el) { el.textContent = group.label; });
      };
      drawBreakdowns(0);
      var groupChoice = document.getElementById('breakdown-group');
      if (groupChoice) groupChoice.addEventListener('change', function () { drawBreakdowns(Number(groupChoice.value)); });
    }
  } else if (data.kind === 'school') {
    chart('chart-school', {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: grid,
      xAxis: { type: 'category', data: data.months.map(function (m) { return m.label; }) },
      yAxis: { type: 'value', axisLabel: { formatter: function (v) { return v >= 10000 ? (v / 10000) + '万' : String(v); } } },
      series: [
        { name: '当月培训人次', type: 'bar', itemStyle: { color: '#5470c6' }, data: data.months.map(function (m) { return m.trainees; }) },
        { name: '累计', type: 'line', itemStyle: { color: '#07c160' }, data: data.months.map(function (m) { return m.cumulative; }) },
        { name: '按进度应达', type: 'line', symbol: 'none', lineStyle: { type: 'dashed' }, itemStyle: { color: '#ee6666' }, data: data.months.map(function (m) { return m.pace; }) }
      ]
    });
  }
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute('data-charts', String(charts.length));

  var button = document.getElementById('nudge');
  var cityFilter = document.getElementById('nudge-city');
  var categoryFilter = document.getElementById('nudge-category');
  function countOf(counts, city, category) {
    var n = 0;
    Object.keys(counts || {}).forEach(function (key) {
      var parts = key.split('|');
      if ((!city || parts[0] === city) && (!category || parts[1] === category)) n += counts[key];
    });
    return n;
  }
  // Choosing a city or category narrows both lists, their headings' counts, and what the nudge button reaches.
  function applyFilter() {
    var city = cityFilter ? cityFilter.value : '';
    var category = categoryFilter ? categoryFilter.value : '';
    var rows = document.querySelectorAll('#owing-table tbody tr, #filed-table tbody tr');
    for (var i = 0; i < rows.length; i++) {
      var show = (!city || rows[i].getAttribute('data-city') === city) && (!category || rows[i].getAttribute('data-category') === category);
      rows[i].style.display = show ? '' : 'none';
    }
    var owing = countOf(data.owingCounts, city, category);
    var owingCount = document.getElementById('owing-count');
    var filedCount = document.getElementById('filed-count');
    if (owingCount) owingCount.textContent = String(owing);
    if (filedCount) filedCount.textContent = String(countOf(data.filedCounts, city, category));
    if (button) {
      button.textContent = '催报这 ' + owing + ' 所学校';
      button.disabled = owing === 0;
    }
  }
  if (cityFilter) cityFilter.addEventListener('change', applyFilter);
  if (categoryFilter) categoryFilter.addEventListener('change', applyFilter);
  // 通过 / 退回 on a school's page: sent once per click (a request id), the answer shown as the chat would say it.
  var approve = document.getElementById('review-approve');
  var giveBack = document.getElementById('review-return');
  if (approve && giveBack) {
    var box = approve.parentNode;
    var said = document.getElementById('review-result');
    var reason = document.getElementById('review-reason');
    var decide = function (decision) {
      if (decision === 'return' && !reason.value.trim()) { said.textContent = '退回请写明原因，学校会看到它。'; reason.focus(); return; }
      approve.disabled = giveBack.disabled = true;
      said.textContent = '正在提交……';
      var bytes = new Uint8Array(12);
      crypto.getRandomValues(bytes);
      var requestId = Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
      fetch('/dashboard/api/review', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-dashboard-token': token },
        body: JSON.stringify({ school: box.getAttribute('data-school'), period: box.getAttribute('data-period'), decision: decision, reason: reason.value, requestId: requestId })
      })
        .then(function (res) { return res.json().catch(function () { return { error: '服务器没有正常回答（' + res.status + '），请稍后再试。' }; }); })
        .then(function (r) {
          said.textContent = r.error || r.text;
          if (!r.done) approve.disabled = giveBack.disabled = false;
        })
        .catch(function () { said.textContent = '网络不通，审核没有提交，请稍后再试。'; approve.disabled = giveBack.disabled = false; });
    };
    approve.addEventListener('click', function () { decide('approve'); });
    giveBack.addEventListener('click', function () { decide('return'); });
  }

  if (button) {
    var confirmBox = document.getElementById('nudge-confirm-box');
    var confirmButton = document.getElementById('nudge-confirm');
    var cancelButton = document.getElementById('nudge-cancel');
    var out = document.getElementById('nudge-result');
    // A nudge reaching more than one school is confirmed with the exact count the server gave.
    var pending = null;
    function post(body, then) {
      fetch('/dashboard/api/nudge', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-dashboard-token': token },
        body: JSON.stringify(body)
      })
        .then(function (res) { return res.json().catch(function () { return { error: '服务器没有正常回答（' + res.status + '），请稍后再试。' }; }); })
        .then(function (r) {
          out.textContent = r.error || r.text;
          pending = r.confirm ? { city: body.city, category: body.category, confirm: r.confirm, requestId: body.confirm ? body.requestId : newId() } : null;
          confirmBox.hidden = pending === null;
          if (then) then(r);
        })
        .catch(function () { out.textContent = '网络不通，催报没有发出，请稍后再试。'; })
        .then(function () { applyFilter(); if (pending) button.disabled = true; });
    }
    function newId() {
      var bytes = new Uint8Array(12);
      crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
    }
    button.addEventListener('click', function () {
      button.disabled = true;
      out.textContent = '正在统计……';
      post({ city: cityFilter ? cityFilter.value : '', category: categoryFilter ? categoryFilter.value : '', requestId: newId() });
    });
    confirmButton.addEventListener('click', function () {
      if (!pending) return;
      confirmButton.disabled = true;
      out.textContent = '正在提交……';
      post(pending, function () { confirmButton.disabled = false; });
    });
    cancelButton.addEventListener('click', function () {
      pending = null;
      confirmBox.hidden = true;
      out.textContent = '已取消催报。';
      applyFilter();
    });
  }
})();
`;
