/* Time Series Labeler: the project dialogs (docs/ui.md), written through the REST API.
 *
 * - New project (#project-new): name, labels (name, color, hotkey, kind) or a pasted Label
 *   Studio config, and the columns (time column fixed, detected per file, or the row number;
 *   channels fixed or every numeric column) -> POST /api/projects/, then the page opens it;
 * - Project settings (#project-settings): the same fields of the open project ->
 *   PATCH /api/projects/<id>/. A refusal (e.g. a label still used by saved labels) is shown
 *   in the dialog as the server words it; nothing is changed then.
 */
(function () {
  "use strict";

  var TSL = (window.TSL = window.TSL || {});
  var U = TSL.util;
  var el = U.el;

  var ROW_INDEX = "#row"; // a project's time_column for "the row number" (services/files.py)
  var ROW_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

  // ---------------------------------------------------------------- form pieces

  function addLabelRow(form, label) {
    var rows = form.querySelector("[data-label-rows]");
    var row = el("label-row-template").content.firstElementChild.cloneNode(true);
    var position = rows.children.length;
    label = label || {};
    row.querySelector("[name=label-name]").value = label.name || "";
    row.querySelector("[name=label-color]").value = label.color && /^#[0-9a-f]{6}$/i.test(label.color)
      ? label.color : ROW_COLORS[position % ROW_COLORS.length];
    row.querySelector("[name=label-hotkey]").value = label.hotkey !== undefined ? label.hotkey
      : (position < 9 ? String(position + 1) : "");
    row.querySelector("[name=label-kind]").value = label.kind || "both";
    rows.appendChild(row);
    return row;
  }

  function readLabels(form) {
    return Array.prototype.map.call(form.querySelectorAll(".tsl-label-row"), function (row) {
      return {
        name: row.querySelector("[name=label-name]").value.trim(),
        color: row.querySelector("[name=label-color]").value,
        hotkey: row.querySelector("[name=label-hotkey]").value.trim(),
        kind: row.querySelector("[name=label-kind]").value,
      };
    }).filter(function (label) { return label.name; });
  }

  function setColumns(form, project) {
    var mode = !project.time_column ? "detect" : project.time_column === ROW_INDEX ? "none" : "fixed";
    form.querySelector("[name=time_mode][value=" + mode + "]").checked = true;
    form.querySelector("[name=time_column]").value = mode === "fixed" ? project.time_column : "";
    form.querySelector("[name=channels]").value = (project.channels || []).join(", ");
    form.querySelector("[name=no_overlap]").checked = !!project.no_overlap;
  }

  function readColumns(form) {
    var mode = form.querySelector("[name=time_mode]:checked").value;
    var name = form.querySelector("[name=time_column]").value.trim();
    var channels = form.querySelector("[name=channels]").value.split(",").map(function (c) {
      return c.trim();
    }).filter(Boolean);
    return { time_column: mode === "detect" ? "" : mode === "none" ? ROW_INDEX : name, channels: channels,
             no_overlap: form.querySelector("[name=no_overlap]").checked };
  }

  function showError(form, text) {
    var box = form.querySelector("[data-error]");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function send(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": U.csrfToken() },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) throw new Error(answer.error || "The server answered " + response.status + ".");
        return answer;
      });
    });
  }

  // ---------------------------------------------------------------- New project

  function openNewProject() {
    var form = el("project-new-form");
    form.reset();
    form.querySelector("[data-label-rows]").innerHTML = "";
    addLabelRow(form);
    showError(form, "");
    TSL.openDialog("project-new");
    el("project-new-name").focus();
  }

  function createProject(form) {
    var columns = readColumns(form);
    if (form.querySelector("[name=time_mode]:checked").value === "fixed" && !columns.time_column) {
      showError(form, "Name the time column, or let it be detected in each file.");
      return;
    }
    var body = { name: form.querySelector("[name=name]").value.trim(),
                 time_column: columns.time_column, channels: columns.channels,
                 no_overlap: columns.no_overlap };
    var config = form.querySelector("[name=label_config]").value.trim();
    if (config) body.label_config = config;
    else body.labels = readLabels(form);
    if (!config && !body.labels.length) { showError(form, "Give the project at least one label."); return; }
    showError(form, "");
    send("POST", "/api/projects/", body)
      .then(function (project) { window.location.assign("/?project=" + project.id); })
      .catch(function (error) { showError(form, error.message); });
  }

  // ---------------------------------------------------------------- Project settings

  function openSettings() {
    var current = TSL.ctx.project;
    if (!current) { TSL.toast("Choose a project first.", "warning"); return; }
    var form = el("project-settings-form");
    fetch("/api/projects/" + current.id + "/", { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (project) {
        form.reset();
        form.setAttribute("data-project", project.id);
        form.querySelector("[name=name]").value = project.name;
        var rows = form.querySelector("[data-label-rows]");
        rows.innerHTML = "";
        (project.labels || []).forEach(function (label) { addLabelRow(form, label); });
        setColumns(form, project);
        showError(form, "");
        TSL.openDialog("project-settings");
      })
      .catch(function () { TSL.toast("The project could not be read.", "error"); });
  }

  function saveSettings(form) {
    var columns = readColumns(form);
    var labels = readLabels(form);
    if (!labels.length) { showError(form, "Keep at least one label."); return; }
    var body = { name: form.querySelector("[name=name]").value.trim(), labels: labels,
                 time_column: columns.time_column, channels: columns.channels,
                 no_overlap: columns.no_overlap };
    showError(form, "");
    send("PATCH", "/api/projects/" + form.getAttribute("data-project") + "/", body)
      .then(function () { window.location.reload(); })
      .catch(function (error) { showError(form, error.message); });
  }

  // ---------------------------------------------------------------- listeners

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    if (target.closest("#project-new-open")) { openNewProject(); return; }
    if (target.closest("#project-settings-open")) { openSettings(); return; }
    var form = target.closest("#project-new-form, #project-settings-form");
    if (!form) return;
    if (target.closest("[data-add-label]")) { addLabelRow(form).querySelector("input").focus(); return; }
    if (target.closest("[data-remove-label]")) target.closest(".tsl-label-row").remove();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.id === "project-new-form") { event.preventDefault(); createProject(form); }
    if (form && form.id === "project-settings-form") { event.preventDefault(); saveSettings(form); }
  });

  // typing a time column name chooses "fixed"
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.name === "time_column" && target.closest("[data-columns]")) {
      target.closest("[data-columns]").querySelector("[name=time_mode][value=fixed]").checked = true;
    }
  });
})();
