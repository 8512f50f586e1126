/* Time Series Labeler: the confidence strip under the plot (docs/ui.md).
 *
 * After an auto-label run the file keeps the model's confidence (the probability of the most
 * likely class, minimum per 64 rows). The strip fetches it once per file, and again when an
 * auto-label job finishes (GET /api/files/<id>/confidence/?format=binary&bins=..., the data
 * endpoint's binary form), and draws the part the plot shows, lined up with the plot's x axis:
 * a bar per pixel whose height says how unsure the model is (the minimum of the bins under the
 * pixel, so one unsure stretch never hides), red under the threshold, with the threshold as a
 * dashed line. Zoom and pan only redraw it: no request. Hidden while the file has no
 * confidence. A click centres the plot there. Needs ui.js (TSL), plotview.js (the binary
 * window reader) and overview.js (the canvas set-up).
 */
(function () {
  "use strict";

  var TSL = window.TSL;
  var BINS = 65536; // the most the endpoint answers: 12 bytes a bin, fetched once per file
  var SURE = "#94a3b8", UNSURE = "#dc2626", LINE = "#475569";
  var strip = null; // {file, x: Float64Array (axis units, bin starts), end, confidence, threshold}
  var graphDiv = TSL.util.graphDiv;

  function canvas() { return document.getElementById("confidence-strip"); }

  // ---------------------------------------------------------------- the confidence, once per file

  var requested = null; // the file whose confidence was asked for last
  var latest = 0; // the newest request: an older answer arriving late is dropped

  function load(file, again) {
    if (!file || (!again && requested === file.id)) return;
    requested = file.id;
    var mine = ++latest;
    fetch("/api/files/" + file.id + "/confidence/?format=binary&bins=" + BINS, { credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 404) return null; // not auto-labeled yet
        if (!response.ok) throw new Error("status " + response.status);
        return response.arrayBuffer();
      })
      .then(function (buffer) {
        if (mine !== latest) return;
        strip = buffer ? fromWindow(file, TSL.plotWindow.read(buffer)) : null;
        draw();
      })
      .catch(function () { if (mine === latest) { strip = null; draw(); } });
  }

  function fromWindow(file, window) {
    return { file: file.id, x: window.x, confidence: window.arrays.confidence,
             end: TSL.plotWindow.msOf(file.time_end), threshold: window.header.threshold };
  }

  // ---------------------------------------------------------------- drawing

  // The plot's x axis: its range (linear units) and where its data area lies on the strip.
  function plotAxis(node) {
    var gd = graphDiv();
    var xa = gd && gd._fullLayout && gd._fullLayout.xaxis;
    if (!xa || !xa.range || !gd.data || !gd.data.length) return null;
    var left = gd.getBoundingClientRect().left + xa._offset - node.getBoundingClientRect().left;
    return { range: xa.range.map(xa.r2l), left: left, width: xa._length };
  }

  function firstBinAtOrAfter(x, value) {
    var lo = 0, hi = x.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (x[mid] < value) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // The lowest confidence under each pixel column of the plot's data area (NaN: no bin).
  function columns(axis) {
    var width = Math.max(1, Math.round(axis.width)), lowest = new Float32Array(width).fill(NaN);
    var x = strip.x, lo = axis.range[0], span = axis.range[1] - axis.range[0] || 1;
    for (var i = Math.max(0, firstBinAtOrAfter(x, lo) - 1); i < x.length && x[i] <= axis.range[1]; i++) {
      var end = i + 1 < x.length ? x[i + 1] : strip.end;
      var from = Math.max(0, Math.floor((x[i] - lo) / span * width));
      var to = Math.min(width, Math.max(from + 1, Math.ceil((end - lo) / span * width)));
      for (var c = from; c < to; c++) {
        var v = strip.confidence[i];
        if (!(lowest[c] <= v)) lowest[c] = v;
      }
    }
    return lowest;
  }

  // Bar height: 0 for a certain row, the full strip at 0.5 (a coin toss between two classes).
  function unsureness(confidence) { return Math.min(1, Math.max(0, (1 - confidence) / 0.5)); }

  function draw() {
    var node = canvas();
    if (!node) return;
    var shown = !!(strip && TSL.ctx.file && strip.file === TSL.ctx.file.id);
    node.classList.toggle("is-empty", !shown);
    if (!shown) return;
    var cleared = TSL.overview.clearedCanvas(node), g = cleared.g, height = cleared.height;
    node.title = "Model confidence of the last auto-label, where the plot is: the taller the bar, " +
      "the less sure the model; red under " + Math.round(strip.threshold * 100) + " % (the dashed line). " +
      "Click to centre the plot there.";
    var axis = plotAxis(node);
    if (!axis) return;
    var lowest = columns(axis);
    for (var c = 0; c < lowest.length; c++) {
      var v = lowest[c];
      if (v !== v) continue;
      var bar = Math.max(1, unsureness(v) * (height - 2));
      g.fillStyle = v < strip.threshold ? UNSURE : SURE;
      g.fillRect(axis.left + c, height - 1 - bar, 1, bar);
    }
    var lineY = Math.round(height - 1 - unsureness(strip.threshold) * (height - 2)) + 0.5;
    g.strokeStyle = LINE;
    g.lineWidth = 1;
    g.setLineDash([3, 3]);
    g.beginPath();
    g.moveTo(axis.left, lineY);
    g.lineTo(axis.left + axis.width, lineY);
    g.stroke();
    g.setLineDash([]);
  }

  // ---------------------------------------------------------------- a click centres the plot there

  function onClick(event) {
    var node = canvas();
    var axis = node && plotAxis(node);
    if (!axis) return;
    var at = axis.range[0] + (event.clientX - node.getBoundingClientRect().left - axis.left) /
      axis.width * (axis.range[1] - axis.range[0]);
    var half = (axis.range[1] - axis.range[0]) / 2;
    TSL.plot.show([at - half, at + half]);
  }

  // ---------------------------------------------------------------- when to load and draw

  function refresh() {
    var file = TSL.ctx.file;
    if (file && file.has_confidence) load(file, false);
    draw();
  }

  TSL.graphHooks = (TSL.graphHooks || []).concat([function (gd) {
    gd.on("plotly_relayout", draw);
    gd.on("plotly_afterplot", draw);
  }]);
  document.addEventListener("tsl:context", refresh); // a file opened
  window.addEventListener("resize", draw);
  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "confidence-strip") onClick(event);
  });

  // A job finished (the screen's job-finished store): an auto-label run of the open file
  // brings new confidence.
  window.dash_clientside.tsl.confidenceJobFinished = function (finished) {
    var news = finished && finished.last;
    var file = TSL.ctx.file;
    if (news && file && news.kind === "autolabel" && news.status === "succeeded" && news.file === file.id) {
      load(file, true);
    }
    return window.dash_clientside.no_update;
  };
  TSL.confidence = { refresh: refresh };
})();
