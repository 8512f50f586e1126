/* Time Series Labeler: the plot's points and labels (docs/ui.md).
 *
 * Dash lays out the axes once per file and layout (the base figure, without points); this script
 * draws everything that moves. A view change (the Zoom tool's box, the Pan tool's drag and the
 * wheel, all three handled here; the modebar's reset, the keys of navigate.js, the overview box,
 * a jump to a label) sends ONE request: the binary window
 * of the visible range and a margin, sized to the plot's width, with the axis ticks for the view
 * (GET /api/files/<id>/data/?format=binary&px=...&view_start=...&view_end=...), and draws once
 * when it arrives. A newer view cancels a younger request; an older one is drawn first, so a
 * long wheel spin still shows progress. The labels live in the browser (labels.js): they are
 * drawn from there, never fetched on a view change. Needs ui.js (TSL); exposes TSL.plot and
 * TSL.plotWindow (the binary reader, shared with overview.js).
 */
(function () {
  "use strict";

  var TSL = window.TSL;
  var U = TSL.util;
  var MARGIN = 0.1; // loaded beyond each side of the view, so a short pan shows data at once
  var WHEEL_FACTOR = 1.25; // the view's width per wheel notch
  var FINISH_MS = 80; // a request older than this is drawn before a newer view is asked for
  var MIN_ROWS_SHOWN = 8;
  var MAX_DRAWN_LABELS = 400;
  var FALLBACK_LABEL_COLOR = "#64748b";
  var TEXT_ROW_SHARE = 0.06; // label texts closer than this share of the view take a second row

  // shown: {meta: {id, time_kind, time_start, time_end, rows}, base, range: [lo, hi] (linear axis
  //         units: numbers, or epoch ms for date-times), data: {header, arrays, x}, dragmode}
  var shown = null;
  var inflight = null; // {range, controller, startedAt}
  var queued = null; // the latest view asked for while an old request finishes
  var labelState = { store: null, selected: null, project: null };

  // ---------------------------------------------------------------- the binary window

  // ISO text (any number of second decimals, "Z" or none: the file's own clock) -> epoch ms.
  function msOf(text) {
    var match = /^(.*?T\d\d:\d\d:\d\d)(\.\d+)?/.exec(String(text).replace(" ", "T"));
    if (!match) return U.timeOrder(text);
    var fraction = match[2] ? Number("0" + match[2]) * 1000 : 0;
    return Date.parse(match[1] + "Z") + fraction;
  }

  function readWindow(buffer) {
    var view = new DataView(buffer);
    var magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
    if (magic !== "TSW1") throw new Error("not a plot window");
    var length = view.getUint32(4, true);
    var header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, length)));
    var arrays = {};
    header.arrays.forEach(function (array) {
      var Type = array.dtype === "<f8" ? Float64Array : Float32Array;
      arrays[array.name] = new Type(buffer, 8 + length + array.offset, array.count);
    });
    return { header: header, arrays: arrays, x: axisTimes(header, arrays.x) };
  }

  // x in the plot's linear axis units: numbers as they are, date-times as epoch milliseconds.
  function axisTimes(header, x) {
    if (header.time_kind !== "datetime" || !x.length) return x;
    var base = msOf(header.x_base);
    var ms = new Float64Array(x.length);
    for (var i = 0; i < x.length; i++) ms[i] = base + x[i] / 1e6;
    return ms;
  }

  TSL.plotWindow = { read: readWindow, msOf: msOf };

  // ---------------------------------------------------------------- time values

  function linearOf(value, timeKind) { return timeKind === "datetime" ? msOf(value) : Number(value); }
  function linear(value) { return linearOf(value, shown.meta.time_kind); }

  // Linear units -> the API's time value (date-times to the microsecond, "Z" when the file's is).
  function apiValue(x) {
    if (shown.meta.time_kind !== "datetime") return x;
    var whole = Math.floor(x);
    var micro = Math.round((x - whole) * 1000);
    if (micro === 1000) { whole += 1; micro = 0; }
    var text = new Date(whole).toISOString().slice(0, 23) + ("00" + micro).slice(-3);
    return /Z$/.test(String(shown.meta.time_end)) ? text + "Z" : text;
  }

  function extent() { return [linear(shown.meta.time_start), linear(shown.meta.time_end)]; }

  // A view inside the file, not narrower than a few rows.
  function clamp(range) {
    var e = extent(), full = e[1] - e[0];
    var lo = Math.min(range[0], range[1]), hi = Math.max(range[0], range[1]);
    var least = full / Math.max(1, (shown.meta.rows || 2) - 1) * MIN_ROWS_SHOWN;
    if (hi - lo < least) { var middle = (lo + hi) / 2; lo = middle - least / 2; hi = middle + least / 2; }
    var width = Math.min(hi - lo, full);
    if (lo < e[0]) { lo = e[0]; hi = lo + width; }
    if (hi > e[1]) { hi = e[1]; lo = hi - width; }
    return [lo, hi];
  }

  // ---------------------------------------------------------------- loading a view

  function plotWidth() {
    var gd = U.graphDiv(), size = gd && gd._fullLayout && gd._fullLayout._size;
    return size && size.w > 0 ? size.w : 1000;
  }

  function windowUrl(range) {
    var e = extent(), pad = (range[1] - range[0]) * MARGIN;
    var lo = Math.max(e[0], range[0] - pad), hi = Math.min(e[1], range[1] + pad);
    var px = Math.max(50, Math.round(plotWidth() * (hi - lo) / ((range[1] - range[0]) || 1)));
    var query = [
      "format=binary", "px=" + px,
      "start=" + encodeURIComponent(apiValue(lo)), "end=" + encodeURIComponent(apiValue(hi)),
      "view_start=" + encodeURIComponent(apiValue(range[0])),
      "view_end=" + encodeURIComponent(apiValue(range[1])),
    ];
    return "/api/files/" + shown.meta.id + "/data/?" + query.join("&");
  }

  // The view to show next (linear units): the request goes out now, or after an old one is drawn.
  function show(range) {
    if (!shown) return;
    range = clamp(range);
    if (inflight && performance.now() - inflight.startedAt >= FINISH_MS) { queued = range; return; }
    if (inflight) inflight.controller.abort();
    queued = null;
    start(range);
  }

  function start(range) {
    var controller = new AbortController();
    var request = { range: range, controller: controller, startedAt: performance.now(), file: shown.meta.id };
    inflight = request;
    fetch(windowUrl(range), { credentials: "same-origin", signal: controller.signal })
      .then(function (response) {
        if (!response.ok) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            throw new Error(body.detail || body.error || "status " + response.status);
          });
        }
        return response.arrayBuffer();
      })
      .then(function (buffer) {
        if (inflight !== request || !shown || shown.meta.id !== request.file) return;
        shown.data = readWindow(buffer);
        shown.range = range;
        draw();
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        settleSlide();
        TSL.toast("The plot could not load this view: " + error.message, "error");
      })
      .then(function () {
        if (inflight !== request) return;
        inflight = null;
        if (queued) { var next = queued; queued = null; start(next); }
      });
  }

  // The latest view asked for (what a key press moves from), in linear units.
  function target() {
    if (!shown) return null;
    return queued || (inflight && inflight.range) || shown.range;
  }

  // ---------------------------------------------------------------- the figure

  function xAxisKeys(layout) {
    return Object.keys(layout).filter(function (key) { return /^xaxis\d*$/.test(key); });
  }

  function axisRange(range) {
    if (shown.meta.time_kind !== "datetime") return range.slice();
    return range.map(function (ms) { return apiValue(ms).replace("T", " ").replace(/Z$/, ""); });
  }

  function layoutFor() {
    var base = shown.base.figure.layout;
    var layout = Object.assign({}, base);
    var ticks = (shown.data && shown.data.header.axis) || null;
    xAxisKeys(base).forEach(function (key) {
      var axis = Object.assign({}, base[key], { range: axisRange(shown.range), autorange: false });
      if (ticks) {
        delete axis.tickmode; delete axis.tickvals; delete axis.ticktext;
        Object.keys(ticks).forEach(function (name) {
          if (name === "title") {
            if (axis.title) axis.title = Object.assign({}, axis.title, { text: ticks.title.text });
          } else {
            axis[name] = ticks[name];
          }
        });
      }
      layout[key] = axis;
    });
    layout.dragmode = shown.dragmode;
    var overlay = currentOverlay();
    layout.shapes = overlay.shapes;
    layout.annotations = overlay.annotations;
    return layout;
  }

  function dataFor(gd, withPoints) {
    var drawn = (gd && gd.data) || [];
    return shown.base.figure.data.map(function (trace, i) {
      var values = withPoints && shown.data && shown.data.arrays[trace.meta];
      var next = Object.assign({}, trace, {
        x: values ? shown.data.x : [],
        y: values || [],
      });
      if (drawn[i] && drawn[i].visible !== undefined) next.visible = drawn[i].visible;
      return next;
    });
  }

  // withPoints false: the figure handed to Dash (its store holds plain JSON, not typed arrays);
  // the points follow with the next draw.
  function figure(withPoints) {
    var gd = U.graphDiv();
    return { data: dataFor(gd, withPoints), layout: layoutFor() };
  }

  // Not while a gesture holds the plot (Plotly would drop it): right after it.
  function draw() {
    var gd = U.graphDiv();
    if (!gd || !gd._fullLayout || !window.Plotly || gd._dragging) { setTimeout(draw, 30); return; }
    var next = figure(true);
    settleSlide();
    window.Plotly.react(gd, next.data, next.layout);
    publishView();
  }

  // The view store (file status, overview, the screen's context) follows the drawn view.
  function publishView() {
    var header = shown.data && shown.data.header;
    U.setProps("view-store", { data: {
      file: shown.meta.id,
      view: shown.range.map(apiValue),
      loaded: header ? [header.start, header.end] : null,
      rows: header ? header.rows : null,
      points: header ? header.points : null,
      downsampled: header ? header.downsampled : false,
    } });
  }

  // ---------------------------------------------------------------- labels over the data

  function labelColors(project) {
    var colors = {};
    ((project && project.labels) || []).forEach(function (label) {
      colors[label.name] = label.color || FALLBACK_LABEL_COLOR;
    });
    return colors;
  }

  function modelMade(annotation) { return !!annotation.source && annotation.source !== "manual"; }

  function labelsInView(store, range, timeKind) {
    var at = function (value) { return linearOf(value, timeKind); };
    return Object.keys((store && store.annotations) || {}).map(function (id) { return store.annotations[id]; })
      .filter(function (a) { return at(a.end) >= range[0] && at(a.start) <= range[1]; })
      .sort(function (a, b) {
        var d = at(a.start) - at(b.start);
        return d !== 0 ? d : (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      });
  }

  // Translucent bands for ranges, vertical lines for instants, the label's name on top; model
  // labels dashed and paler with their score in italics until a person keeps or edits them.
  // Only the labels in the view, at most MAX_DRAWN_LABELS. labels: {store, selected, project}.
  function labelOverlay(labels, range, timeKind) {
    var visible = labels.store ? labelsInView(labels.store, range, timeKind) : [];
    var colors = labelColors(labels.project);
    var selectedId = labels.selected && labels.selected.id;
    var span = (range[1] - range[0]) * TEXT_ROW_SHARE;
    var rowEnds = [null, null]; // where the last text of each of the two text rows starts
    var shapes = [], texts = [];
    visible.slice(0, MAX_DRAWN_LABELS).forEach(function (annotation) {
      var color = colors[annotation.label] || FALLBACK_LABEL_COLOR;
      var model = modelMade(annotation), selected = annotation.id === selectedId;
      var start = U.plotTime(annotation.start), end = U.plotTime(annotation.end);
      shapes.push(labelShape(annotation, start, end, color, model, selected));
      var text = labelText(annotation, start, color, model, selected);
      var position = linearOf(annotation.start, timeKind);
      var row = 0;
      for (var r = 0; r < rowEnds.length; r++) {
        if (rowEnds[r] === null || position - rowEnds[r] > span) { row = r; break; }
      }
      rowEnds[row] = position;
      if (row) text.yshift = -15; // second row, just inside the plot, when texts crowd
      texts.push(text);
    });
    var hidden = visible.length - MAX_DRAWN_LABELS;
    if (hidden > 0) {
      texts.push({ text: "+" + hidden + " more labels here: zoom in to see them", xref: "paper",
                   yref: "paper", x: 1, y: 1, xanchor: "right", yanchor: "bottom", showarrow: false,
                   font: { size: 10, color: "#64748b" } });
    }
    return { shapes: shapes, annotations: texts };
  }

  function currentOverlay() {
    var store = labelState.store;
    var mine = store && store.file === shown.meta.id ? labelState : { store: null };
    return labelOverlay(mine, shown.range, shown.meta.time_kind);
  }

  function labelShape(annotation, start, end, color, model, selected) {
    if (annotation.instant) {
      return { type: "line", xref: "x", yref: "paper", x0: start, x1: start, y0: 0, y1: 1, layer: "above",
               line: { color: color, width: selected ? 3 : 2, dash: model ? "dot" : "solid" } };
    }
    var line = selected ? { color: "#0f172a", width: 2, dash: model ? "dash" : "solid" } :
      model ? { color: color, width: 1.5, dash: "dash" } : { color: color, width: 1 };
    return { type: "rect", xref: "x", yref: "paper", x0: start, x1: end, y0: 0, y1: 1, layer: "below",
             fillcolor: color, opacity: model ? 0.12 : 0.22, line: line };
  }

  function labelText(annotation, start, color, model, selected) {
    var text = U.escapeHtml(annotation.label);
    if (model) {
      var score = annotation.score;
      text = "<i>" + text + " " + (score === null || score === undefined ? "?" : Math.round(score * 100) + "%") + "</i>";
    }
    if (selected) text = "<b>" + text + "</b>";
    var description = annotation.description || "";
    return { text: text, hovertext: description ? U.escapeHtml(description) : null, xref: "x", yref: "paper",
             x: start, y: 1, xanchor: annotation.instant ? "center" : "left", yanchor: "bottom",
             showarrow: false, font: { size: 11, color: color }, bgcolor: "rgba(255,255,255,0.85)",
             borderpad: 1 };
  }

  function redrawLabels() {
    var gd = U.graphDiv();
    if (!shown || !shown.range || !gd || !gd._fullLayout || !window.Plotly) return;
    if (gd._dragging) { setTimeout(redrawLabels, 30); return; }
    var overlay = currentOverlay();
    window.Plotly.relayout(gd, { shapes: overlay.shapes, annotations: overlay.annotations });
  }

  // ---------------------------------------------------------------- Plotly's own view changes

  // Plotly's relayout of a zoom box, a pan or a reset -> the new view (any of the matching x axes).
  function rangeOfRelayout(event, xa) {
    var keys = Object.keys(event || {});
    for (var i = 0; i < keys.length; i++) {
      var axis = keys[i].split(".")[0];
      if (!/^xaxis\d*$/.test(axis)) continue;
      if (/\.autorange$/.test(keys[i]) && event[keys[i]]) return extent();
      if (/\.range$/.test(keys[i]) && event[keys[i]] && event[keys[i]].length === 2) {
        return event[keys[i]].map(xa.r2l);
      }
      if (/\.range\[0\]$/.test(keys[i]) && (axis + ".range[1]") in event) {
        return [xa.r2l(event[keys[i]]), xa.r2l(event[axis + ".range[1]"])];
      }
    }
    return null;
  }

  function onRelayout(event) {
    var gd = U.graphDiv();
    if (!shown || !gd || !gd._fullLayout) return;
    if (event && event.dragmode) shown.dragmode = event.dragmode; // the modebar, or ✎ Label
    var range = rangeOfRelayout(event, gd._fullLayout.xaxis);
    if (range && !sameView(clamp(range), target())) show(range);
  }

  function sameView(a, b) {
    if (!a || !b) return false;
    var tolerance = (a[1] - a[0]) * 1e-6;
    return Math.abs(a[0] - b[0]) <= tolerance && Math.abs(a[1] - b[1]) <= tolerance;
  }

  // ---------------------------------------------------------------- pan and zoom drags
  //
  // Plotly's own pan and zoom box redraw the old points at the release, and only then can the new
  // window be drawn: two redraws of every subplot. The drags are handled here, like the wheel:
  // while the mouse moves, a pan slides the drawn points, labels, time labels and grid lines (no
  // redraw) and a zoom box is a rectangle over the plot; the release asks for one window and
  // draws once, with the new view's ticks. A press without a move does nothing; a double-click
  // (ui.js's rule) shows the whole file, as Plotly's does. A box narrower than LEAST_ZOOM_PX
  // zooms nothing.
  var LEAST_ZOOM_PX = 8; // as Plotly's own zoom box
  var MOVE_PX = 3; // a press that moves less is a click
  var drag = null; // {mode, x0, x, from: the range on screen, moved}
  var lastClick = null; // {at, x}
  var slid = null; // the layers a pan moved (see slidLayers), put back by the next draw

  function onPress(event) {
    var gd = U.graphDiv();
    if (event.button !== 0 || !shown || !shown.range || !gd || !gd._fullLayout) return;
    var mode = gd._fullLayout.dragmode;
    if (mode !== "pan" && mode !== "zoom") return;
    if (!event.target.closest || !event.target.closest(".nsewdrag")) return;
    event.preventDefault();
    event.stopPropagation();
    var xa = gd._fullLayout.xaxis;
    drag = { mode: mode, x0: event.clientX, x: event.clientX, from: xa.range.map(xa.r2l), moved: false };
    gd._dragging = true; // no hover labels meanwhile
    if (window.Plotly.Fx) window.Plotly.Fx.unhover(gd);
    window.addEventListener("mousemove", onDragMove, true);
    window.addEventListener("mouseup", onDragRelease, true);
  }

  function onDragMove(event) {
    if (!drag) return;
    event.preventDefault();
    drag.x = event.clientX;
    if (Math.abs(drag.x - drag.x0) >= MOVE_PX) drag.moved = true;
    if (!drag.moved) return;
    if (drag.mode === "pan") slideTo(pannedRange(drag)); else drawZoomBox(drag);
  }

  function onDragRelease(event) {
    window.removeEventListener("mousemove", onDragMove, true);
    window.removeEventListener("mouseup", onDragRelease, true);
    var done = drag, gd = U.graphDiv();
    drag = null;
    if (gd) gd._dragging = false;
    drawZoomBox(null);
    if (!done || !shown) return;
    event.preventDefault();
    event.stopPropagation();
    if (!done.moved) {
      var click = { at: Date.now(), x: event.clientX };
      var second = U.isDoubleClick(lastClick, click);
      lastClick = second ? null : click;
      if (second) show(extent());
      return;
    }
    if (done.mode === "pan") { show(pannedRange(done)); return; }
    var span = zoomSpan(done);
    if (span[1] - span[0] >= LEAST_ZOOM_PX) show(span.map(pixelToLinear));
  }

  function pixelToLinear(px) { return U.graphDiv()._fullLayout.xaxis.p2l(px); }

  // The view a pan has reached: the range on screen at the press, moved with the mouse, in the file.
  function pannedRange(taken) {
    var xa = U.graphDiv()._fullLayout.xaxis;
    var shift = (taken.x - taken.x0) / xa._length * (taken.from[1] - taken.from[0]);
    return clamp([taken.from[0] - shift, taken.from[1] - shift]);
  }

  // The zoom box in plot pixels, inside the plot.
  function zoomSpan(taken) {
    var gd = U.graphDiv(), xa = gd._fullLayout.xaxis, left = gd.getBoundingClientRect().left + xa._offset;
    var a = Math.min(Math.max(taken.x0 - left, 0), xa._length);
    var b = Math.min(Math.max(taken.x - left, 0), xa._length);
    return [Math.min(a, b), Math.max(a, b)];
  }

  function drawZoomBox(taken) {
    if (!taken) { U.overPlot("zoom-box", "tsl-zoom-box", null); return; }
    var span = zoomSpan(taken);
    U.overPlot("zoom-box", "tsl-zoom-box", span[0], span[1] - span[0]);
  }

  // Slide what is drawn to `range` (same width) without a redraw: each subplot's points move
  // while their clip stays, the labels' bands, lines and names move with them.
  function slideTo(range) {
    var gd = U.graphDiv(), layout = gd._fullLayout, xa = layout.xaxis;
    var drawn = xa.range.map(xa.r2l);
    var dx = (drawn[0] - range[0]) / (drawn[1] - drawn[0]) * xa._length;
    if (!slid) slid = slidLayers(gd);
    slid.forEach(function (layer) {
      layer.node.setAttribute("transform", "translate(" + (layer.x + dx * layer.sign) + "," + layer.y + ")");
      if (layer.marks) showInside(layer.marks, dx, xa);
    });
  }

  // Tick labels and grid lines slide unclipped: the ones that leave the plot are hidden.
  function showInside(marks, dx, xa) {
    marks.forEach(function (mark) {
      var x = mark.x + dx;
      mark.node.style.visibility = x < xa._offset - 0.5 || x > xa._offset + xa._length + 0.5 ? "hidden" : "";
    });
  }

  function marksOf(layer, selector) {
    return Array.prototype.map.call(layer.querySelectorAll(selector), function (node) {
      var match = /translate\(\s*([-+\d.eE]+)/.exec(node.getAttribute("transform") || "");
      return { node: node, x: match ? Number(match[1]) : 0 };
    });
  }

  // What a pan moves: {node, transform (to put back), x, y (where it sits), sign (+1 moves with
  // the mouse, -1 against it: a clip that must stay put while its content moves), marks}.
  function slidLayers(gd) {
    var layout = gd._fullLayout, layers = [];
    function add(node, x, y, sign, marks) {
      if (node) layers.push({ node: node, transform: node.getAttribute("transform"), x: x, y: y, sign: sign, marks: marks });
    }
    Object.keys(layout._plots || {}).forEach(function (id) {
      var plot = layout._plots[id], points = plot.plot && plot.plot.node(), clip = plot.clipRect && plot.clipRect.node();
      if (!points || !clip) return;
      add(points, plot.xaxis._offset, plot.yaxis._offset, 1);
      add(clip, 0, 0, -1);
    });
    // The labels: shapes clipped to the x axis (that clip stays put), names unclipped.
    add(document.querySelector("#clip" + layout._uid + "x rect"), 0, 0, -1);
    gd.querySelectorAll(".layer-below .shapelayer, .layer-above .shapelayer, .infolayer .annotation")
      .forEach(function (node) { add(node, 0, 0, 1); });
    // The time axis: its labels and the vertical grid lines move with the points.
    gd.querySelectorAll(".xaxislayer-above").forEach(function (layer) { add(layer, 0, 0, 1, marksOf(layer, "text")); });
    gd.querySelectorAll(".gridlayer > g").forEach(function (layer) {
      if (/^x\d*$/.test(layer.getAttribute("class") || "")) add(layer, 0, 0, 1, marksOf(layer, "path"));
    });
    return layers;
  }

  // Before a draw: the slid layers go back where Plotly put them (the draw shows the new view).
  function settleSlide() {
    if (!slid) return;
    slid.forEach(function (layer) {
      (layer.marks || []).forEach(function (mark) { mark.node.style.visibility = ""; });
      if (layer.transform === null) layer.node.removeAttribute("transform");
      else layer.node.setAttribute("transform", layer.transform);
    });
    slid = null;
  }

  // The wheel zooms around the pointer, a notch at a time.
  function onWheel(event) {
    var gd = U.graphDiv();
    if (!shown || !gd || !event.target.closest || !event.target.closest(".nsewdrag")) return;
    event.preventDefault();
    event.stopPropagation();
    var xa = gd._fullLayout.xaxis, now = target();
    var at = xa.p2c(event.clientX - gd.getBoundingClientRect().left - xa._offset);
    var pixels = event.deltaY * (event.deltaMode === 1 ? 33 : event.deltaMode === 2 ? 400 : 1);
    var factor = Math.pow(WHEEL_FACTOR, pixels / 100);
    show([at + (now[0] - at) * factor, at + (now[1] - at) * factor]);
  }

  // Dash drew its figure (a new file or layout, or a re-render): the points go back in.
  function onAfterPlot() {
    var gd = U.graphDiv();
    var empty = gd && gd.data && gd.data.length && !gd.data[0].x.length;
    if (shown && empty && shown.data && shown.data.x.length) draw();
  }

  TSL.graphHooks = (TSL.graphHooks || []).concat([function (gd) {
    gd.on("plotly_relayout", onRelayout);
    gd.addEventListener("mousedown", onPress, true);
    gd.on("plotly_afterplot", onAfterPlot);
    gd.addEventListener("wheel", onWheel, { capture: true, passive: false });
  }]);

  // ---------------------------------------------------------------- the Dash side

  // The figure of the graph (a clientside callback: base figure, labels, selection, project).
  // A new file or layout gets its axes from Dash and the points from a request; a label change
  // redraws the labels only.
  function figureOf(base, store, selected, project) {
    labelState = { store: store, selected: selected, project: project };
    if (!base || !base.figure) {
      shown = null;
      if (inflight) { inflight.controller.abort(); inflight = null; }
      return null;
    }
    var sameFile = shown && shown.meta.id === base.file;
    if (sameFile && shown.base === base) { redrawLabels(); return undefined; }
    var meta = { id: base.file, time_kind: base.time_kind, time_start: base.time_start,
                 time_end: base.time_end, rows: base.rows };
    if (!sameFile) {
      if (inflight) { inflight.controller.abort(); inflight = null; }
      queued = null;
      slid = null;
      shown = { meta: meta, base: base, range: null, data: null, dragmode: base.figure.layout.dragmode };
      shown.range = extent();
      show(shown.range);
    } else {
      shown.base = base;
    }
    return figure(false);
  }

  TSL.plot = {
    figure: figureOf,
    show: show,
    target: target,
    linear: function (value) { return shown ? linear(value) : null; },
    labelOverlay: labelOverlay,
    maxDrawnLabels: MAX_DRAWN_LABELS,
    fallbackLabelColor: FALLBACK_LABEL_COLOR,
  };
})();
