/* Time Series Labeler: the overview strip under the plot (docs/ui.md).
 *
 * The whole recording, always: one binary window of the file sized to the strip's width
 * (GET /api/files/<id>/data/?format=binary&px=..., min/max per pixel from the pyramid, so a
 * one-row spike shows), every channel in a band of its own, scaled to its range; the labels as colored ticks; the
 * plot's current window as a box. Drag the box to pan, click beside it to center the view
 * there. Needs ui.js (TSL) and labels.js.
 */
(function () {
  "use strict";

  var TSL = window.TSL;
  var COLORS = ["#2563eb", "#0f766e", "#7c3aed", "#c2410c", "#be123c", "#334155"];
  var LABEL_BAND_PX = 5;
  var strip = null; // {file, x: Float64Array (axis units), channels: [Float32Array], ranges}
  var loading = null;
  var drag = null;

  var graphDiv = TSL.util.graphDiv, labelTime = TSL.util.timeOrder;

  function canvas() { return document.getElementById("overview"); }

  // ---------------------------------------------------------------- the binary window

  function load(file) {
    var node = canvas();
    if (!node || !file) return;
    var px = Math.max(200, Math.round(node.clientWidth || 800));
    var key = file.id + ":" + px;
    if (loading === key || (strip && strip.key === key)) return;
    loading = key;
    fetch("/api/files/" + file.id + "/data/?format=binary&px=" + px, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.arrayBuffer();
      })
      .then(function (buffer) {
        if (loading !== key) return;
        var window = TSL.plotWindow.read(buffer);
        var channels = window.header.channels.map(function (name) { return window.arrays[name]; });
        strip = { key: key, file: file.id, x: window.x, channels: channels,
                  ranges: channels.map(valueRange) };
        draw();
      })
      .catch(function () { strip = null; draw(); })
      .then(function () { if (loading === key) loading = null; });
  }

  function valueRange(values) {
    var lo = Infinity, hi = -Infinity;
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return lo <= hi ? [lo, hi] : [0, 1];
  }

  // ---------------------------------------------------------------- drawing

  function extent() {
    return strip && strip.x.length ? [strip.x[0], strip.x[strip.x.length - 1]] : null;
  }

  function toPx(value, width) {
    var e = extent();
    return e[1] > e[0] ? (value - e[0]) / (e[1] - e[0]) * width : 0;
  }

  // The plot's window: from the drawn plot once it shows the file's data, before that from the
  // view the server sent with the figure (the plot may still show its empty first figure).
  function plotView() {
    var gd = graphDiv();
    var xa = gd && gd._fullLayout && gd._fullLayout.xaxis;
    if (xa && xa.range && gd.data && gd.data.length) return xa.range.map(xa.r2l);
    var sent = TSL.ctx.view;
    if (sent && TSL.ctx.file && sent.file === TSL.ctx.file.id && sent.view) {
      return sent.view.map(labelTime);
    }
    return null;
  }

  // A strip canvas sized to its box at the screen's pixel ratio, cleared, drawn in CSS pixels.
  function clearedCanvas(node) {
    var width = node.clientWidth, height = node.clientHeight, ratio = window.devicePixelRatio || 1;
    if (node.width !== Math.round(width * ratio)) node.width = Math.round(width * ratio);
    if (node.height !== Math.round(height * ratio)) node.height = Math.round(height * ratio);
    var g = node.getContext("2d", { willReadFrequently: true });
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    return { g: g, width: width, height: height };
  }

  function draw() {
    var node = canvas();
    if (!node) return;
    var cleared = clearedCanvas(node), g = cleared.g, width = cleared.width, height = cleared.height;
    if (!strip || !TSL.ctx.file || strip.file !== TSL.ctx.file.id) return;
    // One band per channel, as the plot stacks them: a spike stands out in its own band.
    var bandHeight = (height - LABEL_BAND_PX - 2) / strip.channels.length;
    strip.channels.forEach(function (values, c) {
      var range = strip.ranges[c], span = range[1] - range[0] || 1;
      var top = 1 + c * bandHeight;
      g.strokeStyle = COLORS[c % COLORS.length];
      g.globalAlpha = 0.85;
      g.lineWidth = 1;
      g.beginPath();
      var drawing = false;
      for (var i = 0; i < values.length; i++) {
        var v = values[i];
        if (v !== v) { drawing = false; continue; } // NaN: a gap
        var px = toPx(strip.x[i], width), py = top + (1 - (v - range[0]) / span) * (bandHeight - 1);
        if (drawing) g.lineTo(px, py); else g.moveTo(px, py);
        drawing = true;
      }
      g.stroke();
    });
    g.globalAlpha = 1;
    drawLabels(g, width, height);
    drawBox(g, width, height);
  }

  function drawLabels(g, width, height) {
    var current = TSL.labels && TSL.labels.current();
    var colors = {};
    (TSL.ctx.labels || []).forEach(function (label) { colors[label.name] = label.color; });
    var annotations = (current && current.annotations) || {};
    Object.keys(annotations).forEach(function (id) {
      var a = annotations[id];
      var x0 = toPx(labelTime(a.start), width), x1 = toPx(labelTime(a.end), width);
      g.fillStyle = colors[a.label] || "#64748b";
      g.fillRect(x0, height - LABEL_BAND_PX, Math.max(2, x1 - x0), LABEL_BAND_PX);
    });
  }

  function box(width) {
    var view = drag ? drag.view : plotView();
    if (!view || !extent()) return null;
    return [toPx(view[0], width), toPx(view[1], width)];
  }

  function drawBox(g, width, height) {
    var edges = box(width);
    if (!edges) return;
    var x0 = Math.max(0, edges[0]), x1 = Math.min(width, edges[1]);
    g.fillStyle = "rgba(67, 56, 202, 0.10)";
    g.fillRect(x0, 0, Math.max(2, x1 - x0), height);
    g.strokeStyle = "#4338ca";
    g.lineWidth = 1.5;
    g.strokeRect(x0 + 0.75, 0.75, Math.max(2, x1 - x0) - 1.5, height - 1.5);
  }

  // ---------------------------------------------------------------- panning from the strip

  function axisAt(clientX) {
    var node = canvas(), e = extent();
    var rect = node.getBoundingClientRect();
    return e[0] + (clientX - rect.left) / rect.width * (e[1] - e[0]);
  }

  function clamped(lo, hi) {
    var e = extent(), width = Math.min(hi - lo, e[1] - e[0]);
    if (lo < e[0]) { lo = e[0]; hi = lo + width; }
    if (hi > e[1]) { hi = e[1]; lo = hi - width; }
    return [lo, hi];
  }

  function onPress(event) {
    var view = plotView();
    if (event.button !== 0 || !view || !extent()) return;
    event.preventDefault();
    var at = axisAt(event.clientX);
    var inside = at >= view[0] && at <= view[1];
    var half = (view[1] - view[0]) / 2;
    var start = inside ? view : clamped(at - half, at + half);
    drag = { from: at, start: start, view: start, moved: !inside };
    window.addEventListener("mousemove", onMove, true);
    window.addEventListener("mouseup", onRelease, true);
    draw();
  }

  function onMove(event) {
    if (!drag) return;
    var shift = axisAt(event.clientX) - drag.from;
    drag.view = clamped(drag.start[0] + shift, drag.start[1] + shift);
    drag.moved = true;
    draw();
  }

  function onRelease() {
    window.removeEventListener("mousemove", onMove, true);
    window.removeEventListener("mouseup", onRelease, true);
    var done = drag;
    drag = null;
    if (!done || !done.moved) { draw(); return; }
    TSL.plot.show(done.view);
  }

  // ---------------------------------------------------------------- when to draw

  function refresh() {
    if (TSL.ctx.file) load(TSL.ctx.file); // only when the file or the strip's width changed
    draw();
  }

  TSL.graphHooks = (TSL.graphHooks || []).concat([function (gd) {
    gd.on("plotly_relayout", refresh);
    gd.on("plotly_afterplot", refresh);
  }]);
  document.addEventListener("tsl:labels", draw);
  document.addEventListener("tsl:context", refresh); // a file opened, the view or labels moved
  window.addEventListener("resize", refresh);
  document.addEventListener("mousedown", function (event) {
    if (event.target && event.target.id === "overview") onPress(event);
  });
  // the canvas set-up, for the other strip (confidence.js)
  TSL.overview = { refresh: refresh, clearedCanvas: clearedCanvas };
})();
