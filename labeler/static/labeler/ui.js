/* Time Series Labeler: the browser side of the labeling screen (docs/ui.md).
 *
 * - clientside callbacks of the Dash app (namespace "tsl"): figure merge, table glue;
 * - the edits of the screen (Delete, Keep, description, table cells, ticks), sent as batches
 *   through labels.js (the open file's labels and their one write path, the REST API);
 * - plot gestures: click-click range, drag range, double-click instant, Esc; a press on a label
 *   takes it (select, move, resize); label hotkeys;
 * - the ZIP download (uploads: upload.js; project dialogs: projects.js; keyboard navigation and
 *   review: navigate.js).
 */
(function () {
  "use strict";

  var TSL = (window.TSL = window.TSL || {});
  TSL.ctx = { file: null, project: null, labels: [], activeLabel: null, store: null,
              selected: null, view: null, live: false };
  TSL.user = "";

  var EDITABLE = ["label", "start", "end", "description"];
  var DOUBLE_CLICK_MS = 450;
  var DOWNLOAD_DIALOG = "download-dialog";
  var DOUBLE_CLICK_PX = 6;

  // ---------------------------------------------------------------- helpers

  function dc() { return window.dash_clientside; }
  function noUpdate() { return window.dash_clientside.no_update; }
  function setProps(id, props) {
    try { dc().set_props(id, props); } catch (error) { console.error("set_props", id, error); }
  }
  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return "";
  }
  function csrfToken() { return cookie("_csrf_token"); }
  function uid() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "ui" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function triggeredIds() {
    var ctx = dc().callback_context;
    return ((ctx && ctx.triggered) || []).map(function (t) {
      var id = t.prop_id.slice(0, t.prop_id.lastIndexOf("."));
      return id;
    });
  }
  function el(id) { return document.getElementById(id); }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function typing(target) {
    if (!target) return false;
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  function fmtInt(n) { return Number(n || 0).toLocaleString("en-US"); }
  // for the page's other scripts (labels.js, navigate.js, overview.js, upload.js, projects.js)
  // A second click is a double-click when it comes soon after the first, at the same place.
  // first, second: {at: ms, x: screen px or null}.
  function isDoubleClick(first, second) {
    return !!first && second.at - first.at < DOUBLE_CLICK_MS && first.x !== null &&
      second.x !== null && Math.abs(second.x - first.x) <= DOUBLE_CLICK_PX;
  }

  // A box over the plot's full height from plot pixel `left`, `width` wide (a drag's preview);
  // created on first use in #graph-wrap; hidden when `left` is null.
  function overPlot(id, className, left, width) {
    var wrap = el("graph-wrap"), gd = graphDiv();
    var box = el(id);
    if (!box && wrap && left !== null) {
      box = document.createElement("div");
      box.id = id;
      box.className = className;
      wrap.appendChild(box);
    }
    if (!box) return;
    if (left === null || !gd) { box.style.display = "none"; return; }
    var size = gd._fullLayout._size, xa = gd._fullLayout.xaxis;
    var gdBox = gd.getBoundingClientRect(), wrapBox = wrap.getBoundingClientRect();
    box.style.display = "block";
    box.style.top = (gdBox.top - wrapBox.top + size.t) + "px";
    box.style.height = size.h + "px";
    box.style.left = (gdBox.left - wrapBox.left + xa._offset + left) + "px";
    box.style.width = width + "px";
  }

  TSL.util = { el: el, csrfToken: csrfToken, escapeHtml: escapeHtml, fmtInt: fmtInt, setProps: setProps,
               typing: typing, graphDiv: graphDiv, timeOrder: timeOrder, plotTime: plotTime,
               labelsInOrder: tableOrder, isDoubleClick: isDoubleClick, overPlot: overPlot };

  // ---------------------------------------------------------------- toasts

  TSL.toast = function (text, level) {
    if (!text) return;
    var box = el("toasts");
    if (!box) return;
    var item = document.createElement("div");
    item.className = "tsl-toast tsl-toast-" + (level || "info");
    item.setAttribute("role", level === "error" ? "alert" : "status");
    item.textContent = text;
    var close = document.createElement("button");
    close.className = "tsl-toast-close";
    close.textContent = "×";
    close.onclick = function () { item.remove(); };
    item.appendChild(close);
    box.appendChild(item);
    while (box.children.length > 4) box.firstChild.remove();
    setTimeout(function () { item.classList.add("is-leaving"); }, level === "error" ? 9000 : 4000);
    setTimeout(function () { item.remove(); }, level === "error" ? 9600 : 4600);
  };

  // ---------------------------------------------------------------- edits of the screen

  function annotationsNow() {
    var current = TSL.labels.current();
    return (current && current.annotations) || {};
  }

  function labelOf(id) { return (id && annotationsNow()[id]) || null; }

  function select(id) {
    var current = TSL.labels.current();
    setProps("selected-store", { data: id && current ? { file: current.file, id: id } : null });
  }

  function clearTicks() {
    TSL.ctx.ticked = [];
    setProps("annotation-table", { selected_rows: [], selected_row_ids: [] });
  }

  function chosenAnnotations() {
    var ids = (TSL.ctx.ticked && TSL.ctx.ticked.length) ? TSL.ctx.ticked :
      (TSL.ctx.selected ? [TSL.ctx.selected.id] : []);
    return ids.map(labelOf).filter(Boolean);
  }

  // The order of the table's data (state.sorted_annotations on the server: start, then id):
  // selected_rows index it, whatever column the table is sorted by on screen.
  function tableOrder() {
    var all = annotationsNow();
    return Object.keys(all).map(function (id) {
      return all[id];
    }).sort(function (a, b) {
      var d = timeOrder(a.start) - timeOrder(b.start);
      return d !== 0 ? d : (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
  }

  function tickRows(which) {
    var rows = [], ids = [];
    tableOrder().forEach(function (a, position) {
      if (which === "all" || (a.source && a.source !== "manual")) { rows.push(position); ids.push(a.id); }
    });
    TSL.ctx.ticked = ids;
    setProps("annotation-table", { selected_rows: rows, selected_row_ids: ids });
  }

  var TABLE_PAGE = 100;
  var shownRowIds = null; // the table's rows as shown (sorted by a column), when known

  // Brings a label's row into view: its page of the table as shown, then the row itself.
  function showRow(id) {
    var shown = shownRowIds || tableOrder().map(function (a) { return a.id; });
    var position = shown.indexOf(id);
    if (position < 0) return;
    setProps("annotation-table", { page_current: Math.floor(position / TABLE_PAGE) });
    setTimeout(function () {
      var rows = document.querySelectorAll("#annotation-table tbody tr:has(td.dash-cell)");
      var row = rows[position % TABLE_PAGE];
      if (row && row.scrollIntoView) row.scrollIntoView({ block: "nearest" });
    }, 60);
  }

  function plural(count, word) { return count + " " + word + (count === 1 ? "" : "s"); }

  function deleteChosen() {
    var chosen = chosenAnnotations();
    if (!chosen.length) {
      TSL.toast("Select labels first: tick rows in the table, or click a row.", "warning");
      return;
    }
    var ids = chosen.map(function (a) { return a.id; });
    clearTicks(); // now, not on the answer: the table redrawn by the answer keeps no tick
    TSL.send(function () {
      return ids.filter(labelOf).map(function (id) {
        return { op: "delete", id: id, version: labelOf(id).version };
      });
    }, { done: function () {
      select(null);
      TSL.toast("Deleted " + plural(ids.length, "label") + " (Ctrl+Z brings back).", "info");
    } });
  }

  function keepChosen() {
    var ids = chosenAnnotations().filter(function (a) { return a.source && a.source !== "manual"; })
      .map(function (a) { return a.id; });
    if (!ids.length) {
      TSL.toast("Select model labels (dashed, italic rows) to keep.", "warning");
      return;
    }
    clearTicks();
    TSL.send(function () {
      return ids.filter(labelOf).map(function (id) {
        return { op: "update", id: id, version: labelOf(id).version };
      });
    }, { done: function () {
      TSL.toast("Kept " + plural(ids.length, "model label") + ".", "success");
    } });
  }

  function describeSelected() {
    var input = el("description-input");
    var annotation = TSL.ctx.selected && labelOf(TSL.ctx.selected.id);
    if (!annotation) {
      TSL.toast("No label selected: this description goes to the next label you draw.", "info");
      return;
    }
    var text = ((input && input.value) || "").trim();
    TSL.send([{ op: "update", id: annotation.id, version: annotation.version,
                annotation: { description: text } }],
             { done: function () { TSL.toast("Description saved.", "success"); } });
  }

  // ---------------------------------------------------------------- gestures on the plot

  var pending = null; // first click of a range: {x}
  var hoverX = null;
  var lastSelectAt = 0;

  function graphDiv() { return document.querySelector("#graph .js-plotly-plot"); }

  function activeLabel() {
    var name = TSL.ctx.activeLabel;
    return (TSL.ctx.labels || []).filter(function (l) { return l.name === name; })[0] || null;
  }

  // A Plotly axis value -> the API's time value for the open file, inside the file's range.
  function apiTime(x) {
    var file = TSL.ctx.file;
    if (file.time_kind !== "datetime") {
      return Math.min(Math.max(Number(x), Number(file.time_start)), Number(file.time_end));
    }
    var zoned = /Z$/.test(String(file.time_end));
    var ms = Date.parse(String(x).replace(" ", "T") + "Z");
    var bound = function (v) { return Date.parse(String(v).replace(/Z$/, "") + "Z"); };
    if (ms <= bound(file.time_start)) return file.time_start;
    if (ms >= bound(file.time_end)) return file.time_end;
    return String(x).replace(" ", "T") + (zoned ? "Z" : "");
  }

  function timeOrder(value) {
    return typeof value === "number" ? value : Date.parse(String(value).replace(/Z$/, "") + "Z");
  }

  function create(x0, x1) {
    var label = activeLabel();
    if (!label) { TSL.toast("Pick a label first (buttons above the plot, or keys 1–9).", "warning"); return; }
    var input = el("description-input");
    var description = !TSL.ctx.selected && input ? input.value.trim() : "";
    var bounds = [apiTime(x0), apiTime(x1)].sort(function (a, b) { return timeOrder(a) - timeOrder(b); });
    var id = uid();
    TSL.send([{ op: "create", id: id, snap: true,
                annotation: { label: label.name, start: bounds[0], end: bounds[1],
                              description: description } }],
             { done: function () {
               select(id);
               if (input && description) input.value = "";
             } });
  }

  function onPlotClick(event) {
    if (Date.now() - lastSelectAt < 350) return; // the mouse-up of a drag
    var point = event && event.points && event.points[0];
    if (!point || point.x === undefined || point.x === null) return;
    var label = activeLabel();
    if (!label) { TSL.toast("Pick a label first (buttons above the plot, or keys 1–9).", "warning"); return; }
    var x = point.x;
    var screenX = event.event ? event.event.clientX : null;
    if (label.kind === "instant") { create(x, x); return; }
    if (!pending) {
      pending = { x: x, at: Date.now(), screenX: screenX };
      drawPending();
      return;
    }
    var start = pending.x;
    var doubleClick = isDoubleClick({ at: pending.at, x: pending.screenX }, { at: Date.now(), x: screenX });
    pending = null;
    drawPending();
    if (doubleClick) create(x, x); // an instant, even if the hover moved one sample between
    else create(start, x);
  }

  function onPlotSelected(event) {
    var range = event && event.range;
    var gd = graphDiv();
    if (!range) return;
    var key = Object.keys(range).filter(function (k) { return k.charAt(0) === "x"; })[0];
    if (!key) return;
    lastSelectAt = Date.now();
    pending = null;
    drawPending();
    var xs = range[key];
    if (gd && window.Plotly) {
      setTimeout(function () { window.Plotly.relayout(gd, { selections: [] }); }, 0);
    }
    var label = activeLabel();
    if (label && label.kind === "instant") {
      TSL.toast(label.name + " is an instant label: click (or double-click) a point.", "warning");
      return;
    }
    create(xs[0], xs[1]);
  }

  function onHover(event) {
    var point = event && event.points && event.points[0];
    hoverX = point ? point.x : null;
    if (pending) drawPending();
  }

  TSL.cancelPending = function () {
    if (!pending) return false;
    pending = null;
    drawPending();
    return true;
  };

  function xPixel(gd, x) {
    var xa = gd._fullLayout && gd._fullLayout.xaxis;
    if (!xa || typeof xa.d2p !== "function") return null;
    var px = xa.d2p(x);
    if (!isFinite(px)) return null;
    return xa._offset + px;
  }

  function drawPending() {
    var wrap = el("graph-wrap");
    var gd = graphDiv();
    if (!wrap || !gd) return;
    var marker = el("pending-marker");
    if (!marker) {
      marker = document.createElement("div");
      marker.id = "pending-marker";
      marker.className = "tsl-pending";
      marker.innerHTML = '<div class="tsl-pending-band"></div><div class="tsl-pending-line"></div>' +
        '<div class="tsl-pending-tip">click the end · Esc cancels</div>';
      wrap.appendChild(marker);
    }
    if (!pending) { marker.style.display = "none"; return; }
    var size = gd._fullLayout && gd._fullLayout._size;
    var x0 = xPixel(gd, pending.x);
    if (!size || x0 === null) { marker.style.display = "none"; return; }
    var gdBox = gd.getBoundingClientRect();
    var wrapBox = wrap.getBoundingClientRect();
    var left = gdBox.left - wrapBox.left;
    var top = gdBox.top - wrapBox.top + size.t;
    marker.style.display = "block";
    marker.style.top = top + "px";
    marker.style.height = size.h + "px";
    marker.style.left = left + "px";
    var line = marker.querySelector(".tsl-pending-line");
    line.style.left = x0 + "px";
    var band = marker.querySelector(".tsl-pending-band");
    var x1 = hoverX === null ? null : xPixel(gd, hoverX);
    var label = activeLabel();
    band.style.background = (label && label.color) || "#6366f1";
    if (x1 === null) { band.style.width = "0px"; } else {
      band.style.left = Math.min(x0, x1) + "px";
      band.style.width = Math.abs(x1 - x0) + "px";
    }
    var tip = marker.querySelector(".tsl-pending-tip");
    var nearRight = x0 > gd.clientWidth - 180;
    tip.style.left = nearRight ? "" : x0 + 6 + "px";
    tip.style.right = nearRight ? (gd.clientWidth - x0 + 6) + "px" : "";
  }

  function bindGraph() {
    var gd = graphDiv();
    if (!gd || gd.__tslBound || typeof gd.on !== "function") return;
    gd.__tslBound = true;
    gd.on("plotly_click", onPlotClick);
    gd.on("plotly_selected", onPlotSelected);
    gd.on("plotly_hover", onHover);
    gd.on("plotly_relayout", function () { drawPending(); showMode(); });
    gd.on("plotly_afterplot", function () { drawPending(); showMode(); });
    gd.addEventListener("mousedown", onPlotPress, true);
    gd.addEventListener("mousemove", onPlotHover);
    (TSL.graphHooks || []).forEach(function (hook) { hook(gd); });
  }

  // dcc.Graph draws its div after the figure arrives: try again for a few frames until it is there.
  function bindGraphSoon(tries) {
    bindGraph();
    var gd = graphDiv();
    if ((!gd || !gd.__tslBound) && (tries || 0) < 100) {
      setTimeout(function () { bindGraphSoon((tries || 0) + 1); }, 50);
    }
  }


  // ---------------------------------------------------------------- labels on the plot are objects
  //
  // In the labeling mode (drag = select), a press on a label takes it: on an instant's line or a
  // band's edge it moves that line or bound, inside a band it moves the band; a press without a
  // move selects it. Elsewhere the press goes on to Plotly (a new range or instant).

  var GRAB_PX = 6;
  var grab = null;
  var picked = null; // a label the person selected (plot or table): hotkeys relabel it

  function plotTime(value) {
    return typeof value === "string" ? value.replace(/Z$/, "") : value;
  }

  function labelAt(gd, clientX) {
    var xa = gd._fullLayout.xaxis;
    var px = clientX - gd.getBoundingClientRect().left - xa._offset;
    var best = null;
    var all = annotationsNow();
    Object.keys(all).forEach(function (id) {
      var a = all[id];
      var s = xa.c2p(xa.d2c(plotTime(a.start))), e = xa.c2p(xa.d2c(plotTime(a.end)));
      var hit = null;
      if (a.instant || Math.abs(e - s) < 2 * GRAB_PX) {
        var mid = (s + e) / 2;
        if (Math.abs(px - mid) <= GRAB_PX) hit = { mode: a.instant ? "instant" : "move", rank: Math.abs(px - mid) };
      } else if (Math.abs(px - s) <= GRAB_PX) {
        hit = { mode: "start", rank: Math.abs(px - s) };
      } else if (Math.abs(px - e) <= GRAB_PX) {
        hit = { mode: "end", rank: Math.abs(px - e) };
      } else if (px > s && px < e) {
        hit = { mode: "move", rank: GRAB_PX + (e - s) }; // the innermost band wins
      }
      if (hit && (!best || hit.rank < best.rank)) {
        best = { id: id, mode: hit.mode, rank: hit.rank, s: s, e: e };
      }
    });
    return best;
  }

  function onPlotPress(event) {
    var gd = graphDiv();
    if (event.button !== 0 || !gd || !TSL.labels.current() || pending || !TSL.ctx.file) return;
    if (!event.target.closest || !event.target.closest(".nsewdrag")) return; // the plot area only
    if ((gd._fullLayout.dragmode || "select") !== "select") return;
    var hit = labelAt(gd, event.clientX);
    if (!hit) return;
    event.preventDefault();
    event.stopPropagation();
    grab = { id: hit.id, mode: hit.mode, s: hit.s, e: hit.e, x: event.clientX, dx: 0, moved: false };
    window.addEventListener("mousemove", onGrabMove, true);
    window.addEventListener("mouseup", onGrabRelease, true);
  }

  function grabbedPixels(taken) {
    var s = taken.s, e = taken.e, dx = taken.dx;
    if (taken.mode === "start") s = Math.min(s + dx, e);
    else if (taken.mode === "end") e = Math.max(e + dx, s);
    else { s += dx; e += dx; }
    return [s, e];
  }

  function onGrabMove(event) {
    if (!grab) return;
    event.preventDefault();
    grab.dx = event.clientX - grab.x;
    if (Math.abs(grab.dx) > 2) grab.moved = true;
    drawGrab();
  }

  function onGrabRelease(event) {
    window.removeEventListener("mousemove", onGrabMove, true);
    window.removeEventListener("mouseup", onGrabRelease, true);
    var done = grab;
    grab = null;
    drawGrab();
    if (!done) return;
    event.preventDefault();
    event.stopPropagation();
    lastSelectAt = Date.now(); // Plotly's click of this release is not a new label
    pick(done.id);
    if (!done.moved) return;
    var gd = graphDiv();
    var xa = gd._fullLayout.xaxis;
    var px = grabbedPixels(done);
    var annotation = labelOf(done.id);
    if (!annotation) return;
    var start = apiTime(xa.c2d(xa.p2c(px[0])));
    var end = annotation.instant ? start : apiTime(xa.c2d(xa.p2c(px[1])));
    TSL.send(function () {
      var now = labelOf(done.id);
      return now ? [{ op: "update", id: done.id, version: now.version, snap: true,
                      annotation: { start: start, end: end } }] : [];
    });
  }

  function drawGrab() {
    if (!grab || !grab.moved) { overPlot("grab-preview", "tsl-grab", null); return; }
    var px = grabbedPixels(grab);
    overPlot("grab-preview", "tsl-grab", px[0], Math.max(2, px[1] - px[0]));
  }

  function onPlotHover(event) {
    var gd = graphDiv();
    var dragger = event.target && event.target.closest && event.target.closest(".nsewdrag");
    if (!gd || !dragger || grab) return;
    var hit = TSL.labels.current() && !pending && (gd._fullLayout.dragmode || "select") === "select" ?
      labelAt(gd, event.clientX) : null;
    dragger.style.cursor = !hit ? "" : hit.mode === "move" ? "move" : "ew-resize";
  }

  function labelMode() {
    var gd = graphDiv();
    if (gd && window.Plotly) window.Plotly.relayout(gd, { dragmode: "select" });
  }

  function showMode() {
    var gd = graphDiv(), button = el("label-mode");
    if (!gd || !button) return;
    var labeling = (gd._fullLayout.dragmode || "select") === "select";
    button.classList.toggle("is-active", labeling);
  }

  function pick(id) {
    picked = id;
    select(id);
  }
  TSL.pick = pick;

  function relabelPicked(name) {
    var annotation = labelOf(picked);
    if (!annotation || annotation.label === name) return;
    if (!TSL.ctx.selected || TSL.ctx.selected.id !== picked) return;
    TSL.send(function () {
      var now = labelOf(picked);
      return now ? [{ op: "update", id: now.id, version: now.version, annotation: { label: name } }] : [];
    });
  }

  TSL.zoomTo = function (annotation) {
    var file = TSL.ctx.file;
    if (!file || !annotation) return;
    var L = TSL.plot.linear;
    var start = L(annotation.start), end = L(annotation.end);
    var span = Math.max(end - start, (L(file.time_end) - L(file.time_start)) / 200);
    TSL.plot.show([start - span, end + span]);
  };

  // ---------------------------------------------------------------- keyboard

  // Working on the plot takes the keyboard back from the table (its cell input keeps the focus
  // otherwise, and the hotkeys would not reach the page).
  document.addEventListener("mousedown", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("#graph-wrap") &&
        insideTable(document.activeElement)) {
      document.activeElement.blur();
    }
  }, true);

  // Capture phase: a hotkey pressed while a table cell is only selected (not being edited)
  // belongs to the page, not to the table (which would start editing the cell with it).
  document.addEventListener("keydown", function (event) {
    var key = event.key;
    var mod = event.ctrlKey || event.metaKey;
    var idleCell = cellSelectedNotEditing(event.target);
    if (key === "Escape") {
      if (idleCell) event.target.blur();
      if (TSL.closeDialog && TSL.closeDialog()) return;
      if (!el(DOWNLOAD_DIALOG).hidden) { click("download-close"); return; }
      if (TSL.cancelPending()) return;
      picked = null;
      if (TSL.ctx.selected) select(null);
      return;
    }
    if (mod && (key === "s" || key === "S")) {
      event.preventDefault();
      click("save-button");
      return;
    }
    if (key === "Enter" && event.target && event.target.id === "description-input") {
      event.preventDefault();
      describeSelected();
      return;
    }
    if (typing(event.target) && !idleCell) return; // typing text: the keys are the text's
    var target = hotkeyTarget(event, key, mod);
    if (!target) return;
    event.preventDefault();
    event.stopPropagation();
    if (idleCell) event.target.blur();
    target.click();
  }, true);

  function hotkeyTarget(event, key, mod) {
    if (mod && (key === "z" || key === "Z")) return el(event.shiftKey ? "redo-button" : "undo-button");
    if (mod && (key === "y" || key === "Y")) return el("redo-button");
    if (mod || event.altKey) return null;
    if (key === "Delete" || key === "Backspace") return TSL.ctx.file ? el("delete-button") : null;
    var buttons = document.querySelectorAll("#label-picker button[data-hotkey]");
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].getAttribute("data-hotkey") === key) return buttons[i];
    }
    return null;
  }

  function cellSelectedNotEditing(node) {
    return !!(node && node.classList && node.classList.contains("dash-cell-value") &&
              node.classList.contains("unfocused"));
  }

  function insideTable(target) {
    return !!(target && target.closest && target.closest("#annotation-table"));
  }
  function click(id) { var node = el(id); if (node) node.click(); }

  function downloadZip(fileIds, project) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = "/api/projects/" + project.id + "/outputs/download/";
    form.target = "download-frame";
    form.style.display = "none";
    var token = document.createElement("input");
    token.name = "csrfmiddlewaretoken";
    token.value = csrfToken();
    form.appendChild(token);
    fileIds.forEach(function (id) {
      var input = document.createElement("input");
      input.name = "files";
      input.value = id;
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
    setTimeout(function () { form.remove(); }, 1000);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    if (target.closest("#delete-button")) { deleteChosen(); return; }
    if (target.closest("#keep-button")) { keepChosen(); return; }
    if (target.closest("#undo-button")) { TSL.labels.undo(); return; }
    if (target.closest("#redo-button")) { TSL.labels.redo(); return; }
    if (target.closest("#description-submit")) { describeSelected(); return; }
    if (target.closest("#label-mode")) { labelMode(); return; }
    if (target.closest("#select-all")) { tickRows("all"); return; }
    if (target.closest("#select-model")) { tickRows("model"); return; }
    var labelButton = target.closest("#label-picker button[data-label]");
    if (labelButton) { relabelPicked(labelButton.getAttribute("data-label")); return; }
  });

  document.addEventListener("DOMContentLoaded", function () {
    TSL.user = (document.body && document.body.getAttribute("data-user")) || "";
  });

  // ---------------------------------------------------------------- clientside callbacks

  function componentSpan(text, className) {
    return { namespace: "dash_html_components", type: "Span",
             props: { children: text, className: className } };
  }

  function annotationOf(store, id) {
    return (store && store.annotations && id && store.annotations[id]) || null;
  }

  function fmtTime(value) {
    if (typeof value === "number") return String(Number(value.toPrecision(12)));
    return String(value).replace("T", " ").replace(/Z$/, "").replace(/(\.\d*?)0+$/, "$1")
      .replace(/\.$/, "");
  }

  // A cell's text -> the API's value: numbers for numeric files ("1,5" too), text otherwise.
  function tableValue(key, value, kind) {
    if (key === "description" || key === "label") return value === null ? "" : value;
    if (kind === "datetime" || typeof value !== "string") return value;
    var number = Number(value.trim().replace(",", "."));
    return value.trim() && isFinite(number) ? number : value;
  }

  function describeAnnotation(annotation) {
    if (!annotation) return "";
    var where = annotation.instant ? fmtTime(annotation.start) :
      fmtTime(annotation.start) + " – " + fmtTime(annotation.end);
    return annotation.label + " " + where;
  }

  var lastToastTs = {};
  var lastZoomedRow = null;

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tsl: {
      mergeFigure: function (base, store, selected, project) {
        setTimeout(bindGraphSoon, 0);
        var figure = TSL.plot.figure(base, store, selected, project);
        if (figure === undefined) return noUpdate();
        return figure || { data: [], layout: { xaxis: { visible: false }, yaxis: { visible: false },
                                               margin: { l: 0, r: 0, t: 0, b: 0 } } };
      },

      labelsLoaded: function (load, fileMeta) {
        if (!fileMeta) { TSL.labels.adopt(null); return null; }
        var snapshot = load && load.snapshot;
        var loaded = TSL.labels.current();
        var current = loaded && loaded.file === fileMeta.id ? loaded : null;
        if (!snapshot || snapshot.file !== fileMeta.id) return current ? noUpdate() : null;
        if (current && snapshot.version < current.version) return noUpdate();
        TSL.labels.adopt(snapshot);
        return snapshot;
      },

      syncContext: function (fileMeta, project, active, store, selected, view, ticked) {
        var fileChanged = (TSL.ctx.file && TSL.ctx.file.id) !== (fileMeta && fileMeta.id);
        TSL.ctx.file = fileMeta || null;
        TSL.ctx.project = project || null;
        TSL.ctx.labels = (project && project.labels) || [];
        TSL.ctx.activeLabel = active || null;
        TSL.ctx.store = store || null;
        TSL.ctx.selected = selected && fileMeta && selected.file === fileMeta.id ? selected : null;
        TSL.ctx.view = view || null;
        TSL.ctx.ticked = ticked || [];
        if (fileChanged) {
          pending = null;
          drawPending();
          TSL.labels.resetStatus();
        }
        TSL.labels.connect(fileMeta ? fileMeta.id : null);
        drawPending();
        document.dispatchEvent(new CustomEvent("tsl:context")); // the screen's scripts follow
        return noUpdate();
      },

      fileStatus: function (store, view, fileMeta) {
        if (!fileMeta) return "";
        var parts = [];
        parts.push(fmtInt(fileMeta.rows) + " rows");
        parts.push(fileMeta.channels.length + " channel" + (fileMeta.channels.length === 1 ? "" : "s"));
        if (fileMeta.sampling_rate) parts.push(Number(fileMeta.sampling_rate.toPrecision(4)) + " Hz");
        if (view && view.file === fileMeta.id && view.downsampled) {
          parts.push("showing " + fmtInt(view.points) + " of " + fmtInt(view.rows) + " rows (zoom for detail)");
        }
        var children = [componentSpan(parts.join(" · "), "tsl-muted")];
        if (store && store.file === fileMeta.id) {
          var count = Object.keys(store.annotations || {}).length;
          children.push(componentSpan(" · " + count + " label" + (count === 1 ? "" : "s"), "tsl-muted"));
          if (TSL.labels.unsaved(store)) {
            children.push(componentSpan("● unsaved changes", "tsl-pill tsl-pill-unsaved"));
          } else if (store.saved_version !== null && store.saved_version !== undefined) {
            children.push(componentSpan("✓ saved", "tsl-pill tsl-pill-saved"));
          }
        }
        return children;
      },

      navigateProject: function (value, project) {
        if (!value || (project && project.id === value)) return noUpdate();
        window.history.pushState({}, "", "?project=" + value);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        return noUpdate();
      },

      activeLabel: function (clicks, project, current) {
        var labels = (project && project.labels) || [];
        var ctx = dc().callback_context;
        var trigger = ctx && ctx.triggered && ctx.triggered[0];
        if (trigger && trigger.value && trigger.prop_id.indexOf("label-button") >= 0) {
          try {
            var id = JSON.parse(trigger.prop_id.slice(0, trigger.prop_id.lastIndexOf(".")));
            return id.index;
          } catch (error) { /* fall through */ }
        }
        if (current && labels.some(function (l) { return l.name === current; })) return noUpdate();
        return labels.length ? labels[0].name : null;
      },

      labelButtonClasses: function (active, idList) {
        return (idList || []).map(function (id) {
          return "tsl-label-btn" + (id.index === active ? " is-active" : "");
        });
      },

      selectionDescription: function (selected, store, fileMeta) {
        var annotation = selected && fileMeta && selected.file === fileMeta.id ?
          annotationOf(store, selected.id) : null;
        if (annotation) {
          return [annotation.description || "",
                  "Description of the selected label (Enter saves it)",
                  [componentSpan("Selected: ", "tsl-muted"),
                   componentSpan(describeAnnotation(annotation), "tsl-selected-name"),
                   componentSpan(" · Esc deselects", "tsl-muted")]];
        }
        return ["", "Description for the next label (optional)", ""];
      },

      tableEdited: function (timestamp, rows, previous, store) {
        if (!rows || !previous || !store) return noUpdate();
        var before = {};
        previous.forEach(function (row) { before[row.id] = row; });
        var kind = TSL.ctx.file && TSL.ctx.file.time_kind;
        var changes = [];
        rows.forEach(function (row) {
          var old = before[row.id];
          var annotation = annotationOf(store, row.id);
          if (!old || !annotation) return;
          var fields = {};
          EDITABLE.forEach(function (key) {
            if (row[key] !== old[key]) fields[key] = tableValue(key, row[key], kind);
          });
          if (!Object.keys(fields).length) return;
          changes.push({ op: "update", id: row.id, version: annotation.version, annotation: fields });
        });
        if (changes.length) TSL.send(changes);
        return noUpdate();
      },

      selectedRowStyle: function (selected, rules) {
        var base = (rules || []).filter(function (rule) {
          return !(rule["if"] && String(rule["if"].filter_query || "").indexOf("{id} = ") === 0);
        });
        if (!selected || !labelOf(selected.id)) return base;
        showRow(selected.id);
        return base.concat([{ "if": { filter_query: "{id} = \"" + selected.id + "\"" },
                              backgroundColor: "#e0e7ff", fontWeight: "600" }]);
      },

      tableOrderShown: function (rowIds) {
        shownRowIds = rowIds && rowIds.length ? rowIds : null;
        return noUpdate();
      },

      tableRowClicked: function (cell, store, fileMeta) {
        if (!cell || !fileMeta) return noUpdate();
        var annotation = annotationOf(store, cell.row_id);
        if (!annotation) return noUpdate();
        if (lastZoomedRow !== annotation.id || cell.column_id === "label") {
          if (lastZoomedRow !== annotation.id) TSL.zoomTo(annotation);
          lastZoomedRow = annotation.id;
        }
        picked = annotation.id;
        return { file: fileMeta.id, id: annotation.id };
      },

      toastResults: function () {
        var ctx = dc().callback_context;
        (ctx.triggered || []).forEach(function (trigger) {
          var value = trigger.value;
          if (!value) return;
          var news = value.last !== undefined ? value.last : value;
          if (!news || !news.message || !news.ts) return;
          var key = trigger.prop_id;
          if (lastToastTs[key] === news.ts) return;
          lastToastTs[key] = news.ts;
          TSL.toast(news.message, news.level);
        });
        return noUpdate();
      },

      downloadDialog: function () {
        return triggeredIds().indexOf("download-button") < 0;
      },

      downloadSelectAll: function (n, options) {
        if (triggeredIds().indexOf("download-all") >= 0) {
          return (options || []).map(function (o) { return o.value; });
        }
        return [];
      },

      downloadZip: function (n, values, project) {
        if (!project) return noUpdate();
        if (!values || !values.length) {
          TSL.toast("Choose at least one saved file.", "warning");
          return noUpdate();
        }
        downloadZip(values, project);
        TSL.toast("Preparing the ZIP of " + values.length + " file" + (values.length === 1 ? "" : "s") + "…",
                  "info");
        return noUpdate();
      },
    },
  });
})();
