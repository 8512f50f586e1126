/* Time Series Labeler: the open file's labels in the browser (docs/ui.md).
 *
 * One copy of the file's working state, written only through the REST API: every edit is one
 * batch POSTed to /api/files/<id>/changes/ (undo and redo included), one after another; edit
 * answers and the file's websocket (ws/files/<id>/: other tabs' and people's edits) keep the
 * copy current by version, and a gap in versions reloads it. The autosave status in the toolbar
 * says where the edits stand. Needs ui.js (TSL, TSL.util); exposes TSL.send and TSL.labels.
 */
(function () {
  "use strict";

  var TSL = window.TSL;
  var setProps = TSL.util.setProps;
  var csrfToken = TSL.util.csrfToken;

  // ---------------------------------------------------------------- autosave status

  var autosave = { text: "", level: "" };
  var lastRemote = null;
  var editsInFlight = 0;
  function renderStatus() {
    var parts = [];
    if (editsInFlight) parts.push("Storing…");
    else if (autosave.text) parts.push(autosave.text);
    if (TSL.ctx.file) parts.push(TSL.ctx.live ? "● live" : "○ offline");
    if (lastRemote && Date.now() - lastRemote.at < 8000) parts.push("edited by " + lastRemote.author);
    setProps("autosave-status", {
      children: parts.join(" · "),
      className: "tsl-autosave" + (autosave.level === "error" ? " is-error" : "") +
        (TSL.ctx.live ? " is-live" : ""),
    });
  }

  // ---------------------------------------------------------------- the open file's labels

  var labels = null; // {file, version, saved_version, annotations: {id: annotation}}
  var history = { file: null, undo: [], redo: [] };
  var HISTORY_LIMIT = 50;
  var CONFLICT_MESSAGE = "Someone else changed this label meanwhile: your change was not applied. " +
    "The current labels are shown; make the change again if it still applies.";

  function unsaved(store) {
    return !!store && store.version !== 0 && store.version !== store.saved_version;
  }

  function adopt(next) {
    var before = labels;
    labels = next;
    TSL.ctx.store = next;
    document.dispatchEvent(new CustomEvent("tsl:labels"));
    if (next && (!history.file || history.file !== next.file)) history = { file: next.file, undo: [], redo: [] };
    if (!before || !next || before.file !== next.file || unsaved(before) !== unsaved(next)) {
      setTimeout(function () { setProps("files-refresh", { data: Date.now() }); }, 0);
    }
  }

  function publish(next) {
    adopt(next);
    setProps("annotations-store", { data: next });
  }

  function reload() { setProps("reload-request", { data: Date.now() }); }

  // An edit's answer and a websocket message have one shape: {file, version, changed}.
  function applyChanges(message) {
    if (!labels || message.file !== labels.file || message.version <= labels.version) return;
    if (message.version > labels.version + 1) setTimeout(reload, 0); // missed one: catch up
    var annotations = Object.assign({}, labels.annotations);
    Object.keys(message.changed || {}).forEach(function (id) {
      if (message.changed[id] === null) delete annotations[id];
      else annotations[id] = message.changed[id];
    });
    publish(Object.assign({}, labels, { version: message.version, annotations: annotations }));
  }

  function stateFromConflict(current) {
    var annotations = {};
    (current.annotations || []).forEach(function (a) { annotations[a.id] = a; });
    return Object.assign({}, labels, { version: current.version, annotations: annotations });
  }

  // Edits go one after another (each batch is built when its turn comes, with the versions of
  // the answers before it), as one POST of the changes endpoint each.
  var editChain = Promise.resolve();

  TSL.send = function (buildChanges, options) {
    options = options || {};
    if (!labels || !TSL.ctx.file) { TSL.toast("Open a file first.", "warning"); return editChain; }
    var fileId = labels.file;
    editsInFlight += 1;
    renderStatus();
    function run() {
      var changes = typeof buildChanges === "function" ? buildChanges() : buildChanges;
      if (!changes || !changes.length || !labels || labels.file !== fileId) return null;
      // The labels before this batch (never mutated: every change makes a new map), for undo:
      // the server may touch more than the batch names (no-overlap trims).
      var before = labels.annotations;
      return fetch("/api/files/" + fileId + "/changes/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ changes: changes }),
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return answered(fileId, before, response.status, body, options);
        });
      }, function () {
        autosave = { text: "⚠ NOT stored", level: "error" };
        TSL.toast("Network error: this change was NOT stored.", "error");
        return null;
      });
    }
    editChain = editChain.then(run, run).then(function (result) {
      editsInFlight -= 1;
      renderStatus();
      return result;
    });
    return editChain;
  };

  function answered(fileId, before, status, body, options) {
    if (status === 200) {
      applyChanges({ file: body.file, version: body.file_version, changed: body.changed });
      autosave = { text: "✓ Stored", level: "ok" };
      if (options.record !== false) record(fileId, before, body.changed);
      if (options.done) options.done(body);
      return body;
    }
    if (status === 401 || status === 403) {
      autosave = { text: "⚠ signed out: NOT stored", level: "error" };
      TSL.toast("You are signed out (or the page is too old): reload the page and sign in. " +
                "Changes made from now on are not stored.", "error");
      return null;
    }
    if (status === 409) {
      autosave = { text: "⚠ not applied", level: "error" };
      var current = body.detail && body.detail.current;
      if (current && labels && labels.file === fileId) publish(stateFromConflict(current));
      TSL.toast(options.conflictMessage || CONFLICT_MESSAGE, "error");
      return null;
    }
    autosave = { text: status === 503 ? "⚠ NOT stored" : "⚠ not applied", level: "error" };
    TSL.toast(body.error || "The server answered " + status + "; nothing was changed.", "error");
    if (labels && labels.file === fileId) publish(Object.assign({}, labels)); // the table shows the stored values again
    if (status === 404) reload();
    return null;
  }

  // ---------------------------------------------------------------- undo / redo
  //
  // An entry is what one edit did: [{id, before, after}] (annotations with versions, null: did
  // not exist). Undo sends the batch that turns each `after` back into its `before`, checked
  // against the versions the entry produced, so a later edit of someone else is never
  // overwritten; the server validates it like any other batch.

  function record(fileId, before, changed) {
    if (history.file !== fileId) history = { file: fileId, undo: [], redo: [] };
    var entry = Object.keys(changed).map(function (id) {
      return { id: id, before: before[id] || null, after: changed[id] };
    });
    if (!entry.length) return;
    history.undo.push(entry);
    if (history.undo.length > HISTORY_LIMIT) history.undo.shift();
    history.redo = [];
  }

  function fieldsOf(annotation) {
    return { label: annotation.label, start: annotation.start, end: annotation.end,
             description: annotation.description || "" };
  }

  function revertChanges(entry) {
    var changes = [];
    entry.slice().reverse().forEach(function (item) {
      if (!item.before && !item.after) return;
      if (!item.before) changes.push({ op: "delete", id: item.id, version: item.after.version });
      else if (!item.after) changes.push({ op: "create", id: item.id, annotation: fieldsOf(item.before) });
      else changes.push({ op: "update", id: item.id, version: item.after.version,
                          annotation: fieldsOf(item.before) });
    });
    return changes;
  }

  // Undo and redo wait for the edits before them: the entry is taken when its turn comes.
  function step(take, put) {
    var entry = null;
    TSL.send(function () {
      if (!labels || history.file !== labels.file || !history[take].length) {
        TSL.toast("Nothing to " + take + ".", "warning");
        return null;
      }
      entry = history[take].pop();
      return revertChanges(entry);
    }, {
      record: false,
      conflictMessage: "Cannot " + take + ": those labels were changed since (by another tab or " +
        "person). Nothing was changed.",
      done: function (body) {
        history[put].push(entry.map(function (item) {
          var now = body.changed[item.id];
          return { id: item.id, before: item.after, after: now === undefined ? null : now };
        }));
        TSL.pick(null);
        TSL.toast(take === "undo" ? "Undone." : "Redone.", "info");
      },
    });
  }

  // ---------------------------------------------------------------- websocket of the open file

  var ws = null, wsFile = null, wsRetry = 0;

  function connect(fileId) {
    if (fileId === wsFile && ws) return;
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    wsFile = fileId;
    TSL.ctx.live = false;
    if (!fileId || !window.WebSocket) { renderStatus(); return; }
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host +
      "/ws/files/" + fileId + "/";
    var socket = new WebSocket(url);
    ws = socket;
    socket.onopen = function () {
      if (ws !== socket) return;
      if (wsRetry > 0) reload(); // catch up on missed edits
      wsRetry = 0;
      TSL.ctx.live = true;
      renderStatus();
    };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      if (message.file !== wsFile) return;
      if (message.author && message.author !== TSL.user) {
        lastRemote = { author: message.author, at: Date.now() };
        setTimeout(renderStatus, 8100);
      }
      applyChanges(message);
      renderStatus();
    };
    socket.onclose = function () {
      if (ws !== socket) return;
      TSL.ctx.live = false;
      renderStatus();
      wsRetry += 1;
      setTimeout(function () {
        if (ws !== socket) return;
        ws = null;
        var again = wsFile;
        wsFile = null;
        connect(again);
      }, Math.min(10000, 500 * Math.pow(2, wsRetry)));
    };
  }

  TSL.labels = {
    current: function () { return labels; },
    adopt: adopt,
    unsaved: unsaved,
    undo: function () { step("undo", "redo"); },
    redo: function () { step("redo", "undo"); },
    connect: connect,
    renderStatus: renderStatus,
    resetStatus: function () { autosave = { text: "", level: "" }; },
  };
})();
