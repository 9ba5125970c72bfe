// The replay timeline (aofsim replay --html): builds the page from the JSON in #data.
// Every text from the run goes in through textContent, never as markup.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var app = document.getElementById('app');
  // One row per event: [line, lane, kind, text, event, ms, buffered, cached, durable].
  var events = data.events.map(function (r, x) {
    return { x: x, line: r[0], lane: r[1], kind: r[2], text: r[3], e: r[4], t: r[5], buf: r[6], cache: r[7], dur: r[8] };
  });
  var LABEL = 200;
  var zoom = 12;
  var filter = '';
  var selected = -1;
  var collapsed = {};

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) { parent.appendChild(arguments[i]); }
    return parent;
  }
  function bytes(n) { return n.toLocaleString('en-US') + ' B'; }
  function ms(t) { return 't=+' + t.toLocaleString('en-US') + ' ms'; }
  function seconds(d) { return d >= 1000 ? (d / 1000).toFixed(1) + ' s' : d + ' ms'; }

  // Header: the run and how to reproduce it.
  var header = el('header');
  add(header, el('h1', null, 'aofsim replay: seed ' + data.seed + ' (' + data.policy + ', ' + data.fs + ')'));
  var meta = el('div', 'meta');
  add(meta, document.createTextNode(data.steps + ' steps run, ' + events.length + ' trace lines drawn, ' + data.crashes + ' power loss(es); ' + data.flags + '; trace hash '),
    el('code', null, data.hash), document.createTextNode('  reproduce: '), el('code', 'replay', data.replay));
  add(header, meta);
  add(app, header);

  // The violation: what the model expected and what was recovered. The first in full; any
  // later ones (the run goes on after the first) folded away.
  var violationLines = events.filter(function (ev) { return ev.kind === 'violation'; }).map(function (ev) { return ev.x; });
  var violationAt = violationLines.length > 0 ? violationLines[0] : -1;
  var more = null;
  data.violations.forEach(function (v, i) {
    var s = el(i === 0 ? 'section' : 'div', 'violation');
    if (i === 0) { s.id = 'violation'; }
    add(s, el('h2', null, 'VIOLATION ' + v.property + ' at event ' + v.event + ', ' + ms(v.timeMs)));
    add(s, el('p', 'detail', v.detail));
    var actual = {}, expected = {};
    v.actual.forEach(function (l) { actual[l] = true; });
    v.expected.forEach(function (l) { expected[l] = true; });
    var cmp = el('div', 'compare');
    function list(title, lines, other, cls) {
      var box = el('div');
      add(box, el('h3', null, title + ' (' + lines.length + ' line' + (lines.length === 1 ? '' : 's') + '; db|key|type|expiry|value)'));
      if (lines.length === 0) { add(box, el('div', 'empty', '(empty)')); return box; }
      var ol = el('ol', 'mono');
      lines.slice(0, 500).forEach(function (l) { add(ol, el('li', other[l] ? null : cls, l)); });
      if (lines.length > 500) { add(ol, el('li', null, '... ' + (lines.length - 500) + ' more')); }
      return add(box, ol);
    }
    add(cmp, list('What the model expected', v.expected, actual, 'lost'), list('What was recovered (found)', v.actual, expected, 'extra'));
    add(s, cmp);
    var go = el('button', null, 'Show it on the timeline');
    // The run records the first violation of each property; the trace shows every one.
    var at = -1;
    events.forEach(function (ev) { if (at < 0 && ev.kind === 'violation' && ev.text.indexOf('VIOLATION ' + v.property + ':') === 0) { at = ev.x; } });
    if (i === 0 && at >= 0) { violationAt = at; }
    go.addEventListener('click', function () { reveal(at); });
    add(s, go);
    if (i === 0) { add(app, s); return; }
    if (!more) {
      more = el('details', 'more');
      add(more, el('summary', null, (data.violations.length - 1) + ' more propert' + (data.violations.length === 2 ? 'y' : 'ies') + ' violated later in the run (the first violation of each; the trace has ' + violationLines.length + ' VIOLATION lines in all, each a pink mark above the timeline)'));
      add(app, add(el('section'), more));
    }
    add(more, s);
  });
  if (data.violations.length === 0) { add(app, add(el('section', 'ok'), el('strong', null, 'No violation: every check held.'))); }

  // The power losses, with the AOF's sizes just before each: durable versus page cache only.
  var losses = events.filter(function (ev) { return ev.kind === 'power-loss' || ev.kind === 'kill-server'; });
  if (losses.length > 0) {
    var pl = el('section', 'powerlosses');
    pl.id = 'powerlosses';
    add(pl, el('h2', null, 'Power losses and crashes'));
    var ul = el('ul');
    losses.forEach(function (ev) {
      var li = el('li', 'powerloss-item');
      var what = ev.kind === 'power-loss' ? 'power loss' : 'server killed (kill -9: the page cache survives)';
      add(li, el('strong', null, what), document.createTextNode(' at event ' + ev.e + ', ' + ms(ev.t) + ': the AOF had ' + bytes(ev.cache) +
        ' in the page cache, ' + bytes(ev.dur) + ' durable (' + bytes(Math.max(0, ev.cache - ev.dur)) + ' only in the page cache), ' +
        bytes(ev.buf) + ' in the AOF buffer.  '));
      var b = el('button', null, 'show');
      b.addEventListener('click', function () { reveal(ev.x); });
      add(li, b);
      add(ul, li);
    });
    add(app, add(pl, ul));
  }

  // Controls: zoom, filter.
  var controls = el('section', 'controls');
  var minus = el('button', null, '\u2212'), plus = el('button', null, '+'), fit = el('button', null, 'fit');
  var slider = el('input'); slider.type = 'range'; slider.min = '1'; slider.max = '160'; slider.id = 'zoom';
  var zoomLabel = el('span', 'mono');
  var search = el('input'); search.type = 'search'; search.id = 'filter'; search.placeholder = 'filter: SET, fsync, power, bio...';
  var count = el('span', 'mono');
  var expand = el('button', null, 'expand all lanes');
  add(controls, el('strong', null, 'Zoom'), minus, slider, plus, fit, zoomLabel, el('strong', null, 'Filter'), search, count, expand);
  add(app, controls);
  // The whole run in the page's width: where the power losses, kills and violations are, and
  // which part the timeline below shows; a click there scrolls the timeline to it.
  var overview = el('div', 'overview');
  overview.id = 'overview';
  overview.title = 'The whole run: click to scroll the timeline there';
  var view = el('div', 'view');
  add(overview, view);
  events.forEach(function (ev) {
    var cls = ev.kind === 'power-loss' || ev.kind === 'kill-server' ? 'o-power' : ev.kind === 'violation' ? 'o-violation'
      : ev.kind === 'fault' ? 'o-fault' : null;
    if (!cls) { return; }
    var m = el('div', 'omark ' + cls);
    m.style.left = (100 * ev.x / Math.max(1, events.length)) + '%';
    add(overview, m);
  });
  add(app, overview);
  var scroll = el('div', 'scroll');
  scroll.id = 'timeline';
  add(app, scroll);
  function placeView() {
    var total = Math.max(1, events.length * zoom);
    var shownWidth = Math.max(0, scroll.clientWidth - LABEL);
    view.style.left = (100 * Math.min(1, scroll.scrollLeft / total)) + '%';
    view.style.width = Math.max(0.5, 100 * Math.min(1, shownWidth / total)) + '%';
  }
  scroll.addEventListener('scroll', placeView);
  overview.addEventListener('click', function (e) {
    var r = overview.getBoundingClientRect();
    var frac = (e.clientX - r.left) / Math.max(1, r.width);
    scroll.scrollLeft = Math.max(0, frac * events.length * zoom - (scroll.clientWidth - LABEL) / 2);
  });
  var details = el('div', 'details');
  details.id = 'details';
  details.textContent = 'Click an event for its full trace line. Click a lane name to collapse or expand it.';
  add(app, details);
  var legend = el('div', 'legend');
  [['k-cmd', 'command'], ['k-ack', 'reply'], ['k-write', 'write'], ['k-fsync', 'fsync'], ['k-bio-start', 'bio job'], ['k-child-fork', 'child'],
    ['k-fault', 'fault'], ['k-power-loss', 'power loss'], ['k-recovery', 'recovery'], ['k-violation', 'violation']].forEach(function (p) {
    add(legend, el('span', 'sw ' + p[0]), document.createTextNode(p[1]));
  });
  add(legend, el('span', 'sw'), document.createTextNode(''));
  var swD = el('span', 'sw'); swD.style.background = '#16a34a';
  var swC = el('span', 'sw'); swC.style.background = '#fdba74';
  add(legend, swD, document.createTextNode('durable AOF bytes'), swC, document.createTextNode('AOF bytes only in the page cache (lost to a power loss unless fsynced)'));
  add(app, legend);

  // Lanes with no event start collapsed (the charts never do).
  var used = {};
  events.forEach(function (ev) { used[ev.lane] = (used[ev.lane] || 0) + 1; });
  data.lanes.forEach(function (l) { if (!l.chart && !used[l.id]) { collapsed[l.id] = true; } });

  function matches(ev) { return filter === '' || ev.text.toLowerCase().indexOf(filter) >= 0 || ev.kind.indexOf(filter) >= 0; }

  // A chart lane: bars whose height is the value, one per run of events where it holds still.
  function chart(lane, width) {
    var h = 46;
    var box = el('div');
    box.style.position = 'absolute';
    box.style.left = '0';
    box.style.top = '0';
    box.style.width = width + 'px';
    box.style.height = h + 'px';
    function bars(cls, value, max) {
      var start = 0;
      for (var i = 1; i <= events.length; i++) {
        if (i < events.length && value(events[i]) === value(events[start])) { continue; }
        var v = value(events[start]);
        if (v > 0 && max > 0) {
          var b = el('div', 'bar ' + cls);
          b.style.left = (start * zoom) + 'px';
          b.style.width = ((i - start) * zoom) + 'px';
          // A square-root scale: a few bytes next to a rewrite's kilobytes still show.
          b.style.height = Math.max(1, Math.round(Math.sqrt(v / max) * (h - 4))) + 'px';
          b.title = bytes(v);
          add(box, b);
        }
        start = i;
      }
    }
    var max = 0;
    if (lane.id === 'disk') {
      events.forEach(function (ev) { max = Math.max(max, ev.cache, ev.dur); });
      bars('cached', function (ev) { return ev.cache; }, max);
      bars('durable', function (ev) { return ev.dur; }, max);
    } else {
      events.forEach(function (ev) { max = Math.max(max, ev.buf); });
      bars('buffered', function (ev) { return ev.buf; }, max);
    }
    return [box, 'max ' + bytes(max) + ', \u221a scale'];
  }

  function draw() {
    var width = Math.max(1, events.length) * zoom;
    slider.value = String(zoom);
    zoomLabel.textContent = zoom + ' px/event';
    var grid = el('div', 'grid');
    grid.style.width = (LABEL + width) + 'px';
    // The time axis: the virtual time where it changes, and the quiet gaps.
    var ruler = el('div', 'lane ruler');
    var rl = el('div', 'lane-label', 'time (virtual)');
    var rt = el('div', 'track');
    rt.style.width = width + 'px';
    var lastX = -1e9, lastT = null;
    events.forEach(function (ev) {
      var gap = lastT !== null && ev.t > lastT;
      if (ev.x * zoom - lastX >= 90 || (gap && ev.t - lastT >= 1000 && ev.x * zoom - lastX >= 40)) {
        var tick = el('div', gap && ev.t - lastT >= 1000 ? 'tick gap' : 'tick', (gap && ev.t - lastT >= 1000 ? '+' + seconds(ev.t - lastT) + ' \u2192 ' : '') + '+' + ev.t + ' ms');
        tick.style.left = (ev.x * zoom) + 'px';
        add(rt, tick);
        lastX = ev.x * zoom;
      }
      lastT = ev.t;
    });
    add(grid, add(ruler, rl, rt));
    var shown = 0;
    data.lanes.forEach(function (lane) {
      var row = el('div', 'lane' + (lane.chart ? ' chart' : '') + (collapsed[lane.id] ? ' collapsed' : ''));
      row.setAttribute('data-lane', lane.id);
      var label = el('div', 'lane-label', lane.label);
      var track = el('div', 'track');
      track.style.width = width + 'px';
      if (lane.chart) {
        var c = chart(lane, width);
        add(track, c[0]);
        add(label, el('span', 'sub', c[1]));
      } else {
        var n = used[lane.id] || 0;
        add(label, el('span', 'sub', n === 0 ? '(no events)' : n + ' event' + (n === 1 ? '' : 's')));
        events.forEach(function (ev) {
          if (ev.lane !== lane.id) { return; }
          var m = el('div', 'ev k-' + ev.kind + (matches(ev) ? '' : ' dim') + (ev.x === selected ? ' sel' : ''));
          m.style.left = (ev.x * zoom) + 'px';
          m.style.width = Math.max(2, zoom - 1) + 'px';
          m.title = 'e=' + ev.e + ' ' + ms(ev.t) + '  ' + ev.text;
          m.setAttribute('data-x', String(ev.x));
          if (ev.kind === 'power-loss' || ev.kind === 'violation' || ev.kind === 'kill-server') {
            // The marks that matter keep their words whatever the zoom.
            m.style.width = 'auto';
            m.style.minWidth = Math.max(2, zoom - 1) + 'px';
          }
          if (zoom >= 24 || m.style.width === 'auto') {
            add(m, el('span', null, ev.kind === 'power-loss' ? '\u26a1 power loss' : ev.kind === 'violation' ? '\u2716 ' + ev.text.split(':')[0] : ev.text));
          }
          add(track, m);
        });
      }
      label.addEventListener('click', function () { collapsed[lane.id] = !collapsed[lane.id]; draw(); });
      add(grid, add(row, label, track));
    });
    // Power losses and the violation, across every lane.
    events.forEach(function (ev) {
      var cls = ev.kind === 'power-loss' || ev.kind === 'kill-server' ? 'powerloss-line' : ev.kind === 'violation' ? 'violation-line' : null;
      if (!cls) { return; }
      var v = el('div', 'vline ' + cls);
      v.style.left = (LABEL + ev.x * zoom) + 'px';
      add(v, el('span', 'flag', ev.kind === 'violation' ? 'violation' : ev.kind === 'power-loss' ? 'power loss' : 'kill -9'));
      add(grid, v);
    });
    events.forEach(function (ev) { if (matches(ev)) { shown++; } });
    count.textContent = filter === '' ? events.length + ' events' : shown + ' of ' + events.length + ' match';
    scroll.textContent = '';
    add(scroll, grid);
    placeView();
    app.setAttribute('data-built', '1');
  }

  function show(x) {
    var ev = events[x];
    selected = x;
    details.textContent = '';
    add(details, el('strong', null, 'trace line ' + (ev.line + 1) + ', event ' + ev.e + ', ' + ms(ev.t) + ' (' + ev.lane + '): '), el('code', null, ev.text),
      el('div', null, 'AOF then: ' + bytes(ev.dur) + ' durable, ' + bytes(ev.cache) + ' in the page cache, ' + bytes(ev.buf) + ' in the AOF buffer.'));
  }

  function reveal(x) {
    if (x < 0) { return; }
    show(x);
    if (zoom < 24) { zoom = 24; }
    draw();
    scroll.scrollLeft = Math.max(0, x * zoom - scroll.clientWidth / 2);
    scroll.scrollIntoView({ block: 'nearest' });
  }

  scroll.addEventListener('click', function (e) {
    var t = e.target.closest ? e.target.closest('.ev') : null;
    if (!t) { return; }
    show(Number(t.getAttribute('data-x')));
    draw();
  });
  function setZoom(z) {
    var centre = (scroll.scrollLeft + scroll.clientWidth / 2) / zoom;
    zoom = Math.max(1, Math.min(160, Math.round(z)));
    draw();
    scroll.scrollLeft = Math.max(0, centre * zoom - scroll.clientWidth / 2);
  }
  function fitZoom() { return Math.max(1, Math.min(160, Math.floor((scroll.clientWidth - LABEL - 4) / Math.max(1, events.length)))); }
  minus.addEventListener('click', function () { setZoom(zoom / 1.5); });
  plus.addEventListener('click', function () { setZoom(zoom * 1.5); });
  fit.addEventListener('click', function () { setZoom(fitZoom()); });
  slider.addEventListener('input', function () { setZoom(Number(slider.value)); });
  expand.addEventListener('click', function () { collapsed = {}; draw(); });
  search.addEventListener('input', function () { filter = search.value.trim().toLowerCase(); draw(); });

  // A short run fills the width; a long one starts readable, scrolled to its violation.
  zoom = fitZoom();
  if (zoom < 8) { zoom = 8; }
  // A view can be linked: #filter=WORDS&zoom=PX (decoded as text, nothing else).
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var i = kv.indexOf('='), k = i < 0 ? kv : kv.slice(0, i), v = i < 0 ? '' : decodeURIComponent(kv.slice(i + 1));
    if (k === 'filter') { search.value = v; filter = v.trim().toLowerCase(); }
    if (k === 'zoom' && Number(v) > 0) { zoom = Math.max(1, Math.min(160, Math.round(Number(v)))); }
  });
  draw();
  if (violationAt >= 0 && violationAt * zoom > scroll.clientWidth - LABEL) {
    scroll.scrollLeft = Math.max(0, violationAt * zoom - scroll.clientWidth / 2);
  }
  placeView();
}());
