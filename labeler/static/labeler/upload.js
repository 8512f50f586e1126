/* Time Series Labeler: uploads through the REST API (docs/ui.md).
 *
 * - the CSV dialog: files or a whole folder, in batches, with progress and one line per file;
 * - the column-mapping step (#column-map): files refused for their columns (the answer's
 *   detail.preview lists what they hold) are sent again with the chosen time column, time
 *   format, time zone and channels (the upload's optional form fields), optionally saved as
 *   the project's default first (PATCH /api/projects/<id>/); a file accepted with a guessed
 *   time column (also with detail.preview) offers "Change columns", which deletes it and sends
 *   it again the same way;
 * - .pth model files;
 * - the page's dialogs (TSL.openDialog / TSL.closeDialog; Esc closes the open one).
 */
(function () {
  "use strict";

  var TSL = (window.TSL = window.TSL || {});
  var U = TSL.util;
  var el = U.el;

  var IN_A_FOLDER = /\.(csv|tsv)$/i; // a folder's .txt files are usually notes, not data
  var BATCH_FILES = 20;
  var BATCH_BYTES = 200 * 1024 * 1024;
  var ROW_INDEX = "#row"; // a project's time_column for "the row number" (services/files.py)

  // ---------------------------------------------------------------- dialogs

  TSL.openDialog = function (id) {
    TSL.closeDialog();
    el(id).hidden = false;
  };
  TSL.closeDialog = function () {
    var open = document.querySelector(".tsl-modal[data-dialog]:not([hidden])");
    if (!open) return false;
    open.hidden = true;
    return true;
  };

  function openUpload() {
    var project = TSL.ctx.project;
    if (!project) { TSL.toast("Choose a project first.", "warning"); return; }
    el("upload-project-name").textContent = project.name;
    TSL.openDialog("upload-dialog");
  }

  // ---------------------------------------------------------------- CSV files

  /* options: {mapping: {time_column, time_format, timezone, channels}, keepResults: bool} */
  function uploadFiles(fileList, fromDirectory, options) {
    options = options || {};
    var project = TSL.ctx.project;
    if (!project) return;
    var files = Array.prototype.slice.call(fileList || []);
    if (!options.keepResults) el("upload-results").innerHTML = "";
    el("column-map").hidden = true;
    var skipped = 0;
    if (fromDirectory) {
      var csvs = files.filter(function (f) { return IN_A_FOLDER.test(f.name); });
      skipped = files.length - csvs.length;
      files = csvs;
    }
    if (!files.length) {
      addResult({ name: fromDirectory ? "(folder)" : "(nothing)", status: "rejected",
                  error: fromDirectory ? "No .csv or .tsv file in that folder." : "No file chosen." });
      return;
    }
    var byName = {};
    files.forEach(function (file) { byName[file.name] = file; });
    var toMap = []; // [{file, result}] refused for their columns
    var batches = [], batch = [], bytes = 0;
    files.forEach(function (file) {
      if (batch.length && (batch.length >= BATCH_FILES || bytes + file.size > BATCH_BYTES)) {
        batches.push(batch); batch = []; bytes = 0;
      }
      batch.push(file); bytes += file.size;
    });
    if (batch.length) batches.push(batch);
    var total = files.reduce(function (sum, f) { return sum + f.size; }, 0) || 1;
    var done = 0, accepted = 0, rejected = 0;
    var wrap = el("upload-progress-wrap"), bar = el("upload-progress"), text = el("upload-progress-text");
    wrap.hidden = false;
    bar.value = 0;
    text.textContent = "Uploading " + files.length + " file" + (files.length === 1 ? "" : "s") +
      (skipped ? " (" + skipped + " other files skipped)" : "") + "…";

    function next(index) {
      if (index >= batches.length) {
        bar.value = 100;
        text.textContent = accepted + " accepted, " + rejected + " rejected" +
          (skipped ? ", " + skipped + " other files skipped" : "") + ".";
        U.setProps("files-refresh", { data: Date.now() });
        if (toMap.length) showColumnMap(toMap);
        return;
      }
      var current = batches[index];
      var size = current.reduce(function (sum, f) { return sum + f.size; }, 0);
      var form = new FormData();
      current.forEach(function (file) { form.append("files", file, file.name); });
      var mapping = options.mapping || {};
      Object.keys(mapping).forEach(function (key) {
        if (mapping[key] !== undefined && mapping[key] !== "") form.append(key, mapping[key]);
      });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/projects/" + project.id + "/files/");
      xhr.setRequestHeader("X-CSRFToken", U.csrfToken());
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          bar.value = Math.min(99, 100 * (done + event.loaded * size / event.total) / total);
        }
      };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (error) { body = null; }
        if (body && body.results) {
          body.results.forEach(function (result) {
            if (result.status === "created") accepted += 1; else rejected += 1;
            var entry = { file: byName[result.name], result: result };
            if (result.detail && result.detail.preview && entry.file) {
              if (result.status === "created") guessed[result.file.id] = entry;
              else toMap.push(entry);
            }
            addResult(result);
          });
        } else {
          current.forEach(function (file) {
            rejected += 1;
            addResult({ name: file.name, status: "rejected",
                        error: (body && body.error) || "The server answered " + xhr.status + "." });
          });
        }
        done += size;
        bar.value = 100 * done / total;
        next(index + 1);
      };
      xhr.onerror = function () {
        current.forEach(function (file) {
          rejected += 1;
          addResult({ name: file.name, status: "rejected", error: "Network error: not uploaded." });
        });
        done += size;
        next(index + 1);
      };
      xhr.send(form);
    }
    next(0);
  }

  function addResult(result) {
    var item = document.createElement("li");
    var ok = result.status === "created";
    item.className = ok ? "is-accepted" : "is-rejected";
    item.setAttribute("data-name", result.name);
    var detail;
    if (ok) {
      var file = result.file || {};
      detail = U.fmtInt(file.rows) + " rows · " + (file.channels || []).length + " channels";
      if (file.sampling_rate) detail += " · " + Number(file.sampling_rate.toPrecision(6)) + " Hz";
      if (file.name && file.name !== result.name) detail += " · stored as " + file.name;
      if ((result.warnings || []).length) detail += " · " + result.warnings.join(" ");
    } else {
      detail = result.error || "rejected";
    }
    item.innerHTML = '<span class="tsl-result-mark">' + (ok ? "✓" : "✗") + "</span>" +
      '<span class="tsl-result-name">' + U.escapeHtml(result.name) + "</span>" +
      '<span class="tsl-result-status">' + (ok ? "accepted" : "rejected") + "</span>" +
      '<span class="tsl-result-detail">' + U.escapeHtml(detail) + "</span>";
    if (ok && guessed[result.file.id]) {
      item.innerHTML += '<button type="button" class="btn btn-small tsl-remap" data-remap="' +
        result.file.id + '">Change columns</button>';
    }
    el("upload-results").appendChild(item);
  }

  // ---------------------------------------------------------------- the column-mapping step

  var pendingMap = null; // {files: [File], replace: [file id]} waiting for a mapping
  var guessed = {}; // file id -> {file, result}: accepted with a guessed time column

  function whyText(toMap, replace) {
    var names = toMap.map(function (entry) { return entry.file.name; });
    if (replace) {
      var stored = toMap[0].result.file;
      return names[0] + " was read with " + (stored.time_column ? "'" + stored.time_column + "'" :
        "the row number") + " as time, a guess. Choose its columns to read it again (it is " +
        "replaced; it has no labels yet).";
    }
    return (names.length === 1 ? names[0] + " does" :
      names.length + " files (" + names.join(", ") + ") do") +
      " not fit the project's columns: " + toMap[0].result.error +
      " Choose its time column and channels" +
      (names.length > 1 ? " (the columns of " + names[0] + " are shown)." : ".");
  }

  function showColumnMap(toMap, replace) {
    var preview = toMap[0].result.detail.preview;
    pendingMap = { files: toMap.map(function (entry) { return entry.file; }),
                   replace: replace ? toMap.map(function (entry) { return entry.result.file.id; }) : [] };
    el("column-map-why").textContent = whyText(toMap, replace);
    var time = preview.time_column ||
      (preview.columns.filter(function (c) { return c.kind === "datetime"; })[0] || {}).name ||
      "none";
    el("column-map-rows").innerHTML = preview.columns.map(function (column, position) {
      var name = U.escapeHtml(column.name);
      return '<tr data-kind="' + column.kind + '"><td><b>' + name + '</b> <span class="tsl-muted small">' +
        column.kind + '</span></td><td class="tsl-muted small">' +
        U.escapeHtml(column.examples.join("  ·  ")) + '</td>' +
        '<td><input type="radio" name="map-time" value="' + name + '" aria-label="' + name + ' is time"' +
        (column.name === time ? " checked" : "") + "></td>" +
        '<td><input type="checkbox" name="map-channel" value="' + name + '" aria-label="' + name +
        ' is a channel" data-position="' + position + '"></td></tr>';
    }).join("");
    if (time === "none") el("column-map").querySelector("input[name=map-time][value=none]").checked = true;
    var format = el("column-map-format");
    format.innerHTML = '<option value="auto">detect</option>' + preview.time_formats.map(function (f) {
      return '<option value="' + f.key + '">' + U.escapeHtml(f.label) + "</option>";
    }).join("");
    var zones = el("column-map-zones");
    var local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    zones.innerHTML = ["UTC", local, "+01:00", "+02:00", "-05:00"].filter(Boolean).map(function (zone) {
      return '<option value="' + U.escapeHtml(zone) + '"></option>';
    }).join("");
    syncChannels(true);
    el("column-map").hidden = false;
    el("column-map").scrollIntoView({ block: "nearest" });
  }

  /* The time column is never a channel; text columns cannot be. */
  function syncChannels(initial) {
    var time = chosenTime();
    document.querySelectorAll("#column-map-rows tr").forEach(function (row) {
      var box = row.querySelector("input[name=map-channel]");
      var numeric = row.getAttribute("data-kind") === "numeric" || row.getAttribute("data-kind") === "empty";
      box.disabled = !numeric || box.value === time;
      if (box.disabled) box.checked = false;
      else if (initial) box.checked = row.getAttribute("data-kind") === "numeric";
    });
  }

  function chosenTime() {
    var checked = el("column-map").querySelector("input[name=map-time]:checked");
    return checked ? checked.value : "none";
  }

  function applyColumnMap() {
    if (!pendingMap) return;
    var channels = Array.prototype.map.call(
      document.querySelectorAll("#column-map-rows input[name=map-channel]:checked"),
      function (box) { return box.value; });
    if (!channels.length) { TSL.toast("Choose at least one channel.", "warning"); return; }
    if (channels.some(function (name) { return name.indexOf(",") >= 0; })) {
      TSL.toast("A column whose name has a comma cannot be chosen here; rename it in the file.", "warning");
      return;
    }
    var mapping = {
      time_column: chosenTime(),
      time_format: el("column-map-format").value,
      timezone: el("column-map-timezone").value.trim(),
      channels: channels.join(","),
    };
    var files = pendingMap.files, replace = pendingMap.replace;
    pendingMap = null;
    files.forEach(function (file) {
      var old = el("upload-results").querySelector('li[data-name="' + CSS.escape(file.name) + '"]');
      if (old) old.remove();
    });
    var upload = function () {
      Promise.all(replace.map(deleteFile)).then(function () {
        uploadFiles(files, false, { mapping: mapping, keepResults: true });
      }).catch(function (error) { TSL.toast(error.message, "error"); });
    };
    if (!el("column-map-default").checked) { upload(); return; }
    var project = TSL.ctx.project;
    var fields = { time_column: mapping.time_column === "none" ? ROW_INDEX : mapping.time_column,
                   channels: channels };
    fetch("/api/projects/" + project.id + "/", {
      method: "PATCH", credentials: "same-origin", body: JSON.stringify(fields),
      headers: { "Content-Type": "application/json", "X-CSRFToken": U.csrfToken() },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.error || "The server answered " + response.status + ".");
        TSL.toast("New files of " + project.name + " now use these columns.", "success");
      });
    }).catch(function (error) {
      TSL.toast("The project's columns were not changed: " + error.message, "error");
    }).then(upload);
  }

  function deleteFile(fileId) {
    delete guessed[fileId];
    return fetch("/api/files/" + fileId + "/", {
      method: "DELETE", credentials: "same-origin", headers: { "X-CSRFToken": U.csrfToken() },
    }).then(function (response) {
      if (!response.ok && response.status !== 404) {
        throw new Error("The first upload could not be replaced (" + response.status + ").");
      }
    });
  }

  // ---------------------------------------------------------------- models

  function uploadModel(file) {
    var project = TSL.ctx.project;
    if (!file || !project) return;
    var form = new FormData();
    form.append("file", file, file.name);
    form.append("name", file.name.replace(/\.(pth|pt)$/i, ""));
    form.append("project", project.id);
    TSL.toast("Checking " + file.name + "…", "info");
    fetch("/api/models/", { method: "POST", body: form, credentials: "same-origin",
                            headers: { "X-CSRFToken": U.csrfToken() } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) throw new Error(body.error || "The server answered " + response.status + ".");
          return body;
        });
      })
      .then(function (model) {
        TSL.toast("Model “" + model.name + "” added.", "success");
        U.setProps("models-refresh", { data: { ts: Date.now(), select: model.id } });
      })
      .catch(function (error) { TSL.toast(error.message, "error"); });
  }

  // ---------------------------------------------------------------- listeners

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    if (target.closest("#upload-open")) { openUpload(); return; }
    if (target.closest("[data-close-upload]") || target.closest("[data-close-dialog]")) {
      TSL.closeDialog();
      return;
    }
    var remap = target.closest("[data-remap]");
    if (remap && guessed[remap.getAttribute("data-remap")]) {
      showColumnMap([guessed[remap.getAttribute("data-remap")]], true);
      return;
    }
    if (target.closest("#column-map-skip")) { pendingMap = null; el("column-map").hidden = true; return; }
    if (target.closest("#model-upload")) {
      if (!TSL.ctx.project) { TSL.toast("Choose a project first.", "warning"); return; }
      el("model-file").click();
      return;
    }
    if (target.matches(".tsl-modal[data-dialog]")) TSL.closeDialog(); // the backdrop
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target) return;
    if (target.id === "upload-files" || target.id === "upload-directory") {
      uploadFiles(target.files, target.id === "upload-directory");
      target.value = "";
    } else if (target.id === "model-file") {
      uploadModel(target.files && target.files[0]);
      target.value = "";
    } else if (target.name === "map-time") {
      syncChannels(false);
    }
  });

  document.addEventListener("submit", function (event) {
    if (event.target && event.target.id === "column-map") {
      event.preventDefault();
      applyColumnMap();
    }
  });

  document.addEventListener("dragover", function (event) {
    if (event.target && event.target.closest && event.target.closest("#upload")) {
      event.preventDefault();
    }
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target && event.target.closest && event.target.closest("#upload");
    if (!zone) return;
    event.preventDefault();
    uploadFiles(event.dataTransfer.files, false);
  });
})();
