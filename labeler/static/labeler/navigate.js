/* Time Series Labeler: moving through a recording and reviewing model labels with the keyboard
 * (docs/ui.md).
 *
 *   ← / →      pan half a window          + / -   zoom in / out around the middle
 *   Home / End the start / end of the file N / P   next / previous label (selected, brought into view)
 *   U          the next least-confident model label not reviewed yet
 *   Enter      keep the selected model label, then U    Delete   reject it, then U
 *
 * Keys typed into an input, a select or a table cell being edited stay text. Needs ui.js (TSL).
 */
(function () {
  "use strict";

  var TSL = window.TSL;
  var U = TSL.util;
  var graphDiv = U.graphDiv, typing = U.typing, order = U.timeOrder, plot = U.plotTime;
  var labelsInOrder = U.labelsInOrder;

  // ---------------------------------------------------------------- the view, in linear axis units

  function axis() {
    var gd = graphDiv();
    return gd && gd._fullLayout && gd._fullLayout.xaxis ? { gd: gd, xa: gd._fullLayout.xaxis } : null;
  }

  // From the latest view asked for, not the drawn one: quick presses add up.
  function moveView(how) {
    var range = TSL.plot.target();
    if (!range) return;
    var lo = range[0], hi = range[1], width = hi - lo, middle = (lo + hi) / 2;
    var file = TSL.ctx.file;
    var first = TSL.plot.linear(file.time_start), last = TSL.plot.linear(file.time_end);
    if (how === "left") TSL.plot.show([lo - width / 2, hi - width / 2]);
    else if (how === "right") TSL.plot.show([lo + width / 2, hi + width / 2]);
    else if (how === "in") TSL.plot.show([middle - width / 4, middle + width / 4]);
    else if (how === "out") TSL.plot.show([middle - width, middle + width]);
    else if (how === "home") TSL.plot.show([first, first + width]);
    else if (how === "end") TSL.plot.show([last - width, last]);
  }

  // ---------------------------------------------------------------- labels in time order

  function current() {
    var store = TSL.ctx.store, selected = TSL.ctx.selected;
    return selected && store && store.annotations[selected.id] || null;
  }

  function inView(annotation) {
    var found = axis();
    if (!found) return true;
    var range = found.xa.range.map(found.xa.r2l);
    return found.xa.d2l(plot(annotation.end)) >= range[0] && found.xa.d2l(plot(annotation.start)) <= range[1];
  }

  function bring(annotation) {
    if (!annotation) return false;
    TSL.pick(annotation.id);
    if (!inView(annotation)) TSL.zoomTo(annotation);
    return true;
  }

  function neighbour(step) {
    var all = labelsInOrder();
    if (!all.length) { TSL.toast("No labels in this file yet.", "info"); return; }
    var here = current();
    var position = here ? all.indexOf(here) : -1;
    if (position < 0) {
      var found = axis();
      var middle = found ? found.xa.range.map(found.xa.r2l).reduce(function (a, b) { return (a + b) / 2; }) : -Infinity;
        position = step > 0 ? -1 : all.length;
      for (var i = 0; i < all.length; i++) {
        var start = found ? found.xa.d2l(plot(all[i].start)) : order(all[i].start);
        if (start >= middle) { position = step > 0 ? i - 1 : i; break; }
      }
    }
    var next = all[position + step];
    if (!next) { TSL.toast(step > 0 ? "That was the last label." : "That was the first label.", "info"); return; }
    bring(next);
  }

  // ---------------------------------------------------------------- review of model labels

  function unreviewed() {
    return labelsInOrder().filter(function (a) { return a.source && a.source !== "manual"; })
      .sort(function (a, b) {
        var sa = a.score === null || a.score === undefined ? -1 : a.score;
        var sb = b.score === null || b.score === undefined ? -1 : b.score;
        return sa !== sb ? sa - sb : order(a.start) - order(b.start);
      });
  }

  function nextToReview(skipId) {
    var left = unreviewed().filter(function (a) { return a.id !== skipId; });
    if (!left.length) {
      TSL.toast("Every model label of this file is reviewed.", "success");
      TSL.pick(null);
      return;
    }
    bring(left[0]);
  }

  function review(decision) {
    var annotation = current();
    if (!annotation || !annotation.source || annotation.source === "manual") return false;
    var change = decision === "keep" ?
      { op: "update", id: annotation.id, version: annotation.version } :
      { op: "delete", id: annotation.id, version: annotation.version };
    TSL.send([change], { done: function () { nextToReview(annotation.id); } });
    return true;
  }

  // ---------------------------------------------------------------- keys

  var MOVES = { ArrowLeft: "left", ArrowRight: "right", "+": "in", "=": "in", "-": "out",
                Home: "home", End: "end" };

  function isLabelHotkey(key) {
    return !!document.querySelector('#label-picker button[data-hotkey="' + CSS.escape(key) + '"]');
  }

  // On the window, in the capture phase: before the page's other keys (ui.js), which it stops
  // for the keys it takes.
  window.addEventListener("keydown", function (event) {
    if (!TSL.ctx.file || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || (event.target.closest && event.target.closest("#annotation-table"))) return;
    var key = event.key;
    if (isLabelHotkey(key)) return;
    var handled = true;
    if (MOVES[key]) moveView(MOVES[key]);
    else if (key === "n" || key === "N") neighbour(1);
    else if (key === "p" || key === "P") neighbour(-1);
    else if (key === "u" || key === "U") nextToReview(null);
    else if (key === "Enter") handled = review("keep");
    else if (key === "Delete" || key === "Backspace") handled = review("reject");
    else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
