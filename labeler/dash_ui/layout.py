"""The screen's static layout. Everything that depends on the user or the data comes from
callbacks; the ids of SPEC §5 are in ids.py. The upload dialog and the hidden file inputs live
in the page template (labeler/templates/labeler/index.html): Dash has no <input type=file>."""

from dash import dash_table, dcc, html

from labeler.dash_ui import figures, ids, project_dialogs

GRAPH_CONFIG = {
    "displaylogo": False,
    "scrollZoom": False,  # plotview.js zooms on the wheel: one request, one draw per notch
    "doubleClick": False,  # a double-click makes an instant label, it does not reset the zoom
    "modeBarButtonsToRemove": ["lasso2d", "autoScale2d", "zoomIn2d", "zoomOut2d"],
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def _store(store_id, data=None, storage_type="memory"):
    return dcc.Store(id=store_id, data=data, storage_type=storage_type)


def stores():
    return [
        dcc.Location(id=ids.URL, refresh=False),
        _store(ids.PROJECT_STORE),
        _store(ids.FILE_STORE),
        _store(ids.VIEW_STORE),
        _store(ids.BASE_FIGURE),
        _store(ids.ANNOTATIONS),
        _store(ids.LOAD_RESULT),
        _store(ids.RELOAD),
        _store(ids.SELECTED),
        _store(ids.ACTIVE_LABEL),
        _store(ids.FILES_REFRESH),
        _store(ids.MODELS_REFRESH),
        _store(ids.SAVE_RESULT),
        _store(ids.SAVE_ALL_RESULT),
        _store(ids.AUTOLABEL_JOB),
        _store(ids.TRAIN_JOB),
        _store(ids.JOB_FINISHED),
        _store(ids.JOB_CANCEL_RESULT),
        *[_store(ids.sink(name)) for name in ids.SINKS],
    ]


def header():
    return html.Header(
        className="tsl-header",
        children=[
            html.Div(
                className="tsl-brand",
                children=[html.Span("◢", className="tsl-logo"), "Time Series Labeler"],
            ),
            dcc.Dropdown(
                id=ids.PROJECT_SELECT,
                clearable=False,
                searchable=True,
                placeholder="Choose a project",
                className="tsl-project-select",
            ),
            *project_dialogs.header_buttons(),
            html.Button(
                "Upload CSV Data!",
                id=ids.UPLOAD_OPEN,
                className="btn btn-primary",
                title="Upload CSV files or a whole folder into this project",
            ),
            html.Div(className="tsl-spacer"),
            html.Button(
                "Save",
                id=ids.SAVE_BUTTON,
                className="btn",
                title="Save this file's labels to the database and the outputs folder (Ctrl+S)",
            ),
            html.Button(
                "Save All",
                id=ids.SAVE_ALL_BUTTON,
                className="btn",
                title="Save every file of the project that has unsaved changes",
            ),
            html.Button(
                "Download Outputs",
                id=ids.DOWNLOAD_BUTTON,
                className="btn",
                title="Choose saved files and download their outputs as one ZIP",
            ),
        ],
    )


def sidebar():
    return html.Aside(
        className="tsl-sidebar",
        children=[
            dcc.Input(
                id=ids.FILE_SEARCH,
                type="search",
                placeholder="Search files…",
                debounce=False,
                className="tsl-search",
            ),
            html.Div(id=ids.FILE_LIST, className="tsl-file-list"),
            html.Div(id=ids.LABEL_NEXT, className="tsl-label-next"),
        ],
    )


def workspace():
    return html.Div(
        id=ids.WORKSPACE,
        className="tsl-workspace",
        style={"display": "none"},
        children=[
            html.Div(
                className="tsl-toolbar",
                children=[
                    html.Div(
                        className="tsl-title-block",
                        children=[
                            html.H2(id=ids.FILE_TITLE, className="tsl-file-title"),
                            html.Span(id=ids.FILE_STATUS, className="tsl-file-status"),
                        ],
                    ),
                    html.Div(className="tsl-spacer"),
                    html.Span(id=ids.AUTOSAVE_STATUS, className="tsl-autosave"),
                    html.Button(
                        "↶", id=ids.UNDO_BUTTON, className="btn btn-icon", title="Undo (Ctrl+Z)"
                    ),
                    html.Button(
                        "↷",
                        id=ids.REDO_BUTTON,
                        className="btn btn-icon",
                        title="Redo (Ctrl+Shift+Z or Ctrl+Y)",
                    ),
                    dcc.RadioItems(
                        id=ids.LAYOUT_MODE,
                        options=[
                            {"label": "Stacked", "value": "stacked"},
                            {"label": "Overlaid", "value": "overlaid"},
                        ],
                        value="stacked",
                        inline=True,
                        persistence=True,
                        persistence_type="local",
                        className="tsl-segmented",
                    ),
                ],
            ),
            html.Div(
                className="tsl-picker-row",
                children=[
                    html.Div(id=ids.LABEL_PICKER, className="tsl-label-picker"),
                    html.Button(
                        "✎ Label",
                        id=ids.LABEL_MODE,
                        className="btn btn-small is-active",
                        title="Labeling mode: click, drag and double-click make labels, a press on "
                        "a label takes it (back from the modebar's Pan or Zoom)",
                    ),
                    html.Div(
                        className="tsl-hint",
                        children=[
                            html.Kbd("click"),
                            " start, ",
                            html.Kbd("click"),
                            " end · ",
                            html.Kbd("drag"),
                            " range · ",
                            html.Kbd("double-click"),
                            " instant · ",
                            html.Kbd("Esc"),
                            " cancel · drag a label or its edge to move it",
                        ],
                    ),
                ],
            ),
            html.Div(
                className="tsl-graph-wrap",
                id="graph-wrap",
                children=[
                    dcc.Graph(
                        id=ids.GRAPH,
                        figure=figures.empty_figure(),
                        config=GRAPH_CONFIG,
                        className="tsl-graph",
                        style={"height": "56vh", "minHeight": "360px"},
                        responsive=True,
                        clear_on_unhover=True,
                    ),
                    html.Canvas(
                        id=ids.CONFIDENCE_STRIP,
                        className="tsl-confidence is-empty",
                        title="Model confidence of the last auto-label, where the plot is",
                    ),
                    html.Canvas(
                        id=ids.OVERVIEW,
                        className="tsl-overview",
                        title="The whole file: drag the box to pan, click beside it to go there",
                    ),
                ],
            ),
            html.Div(
                className="tsl-description-row",
                children=[
                    dcc.Input(
                        id=ids.DESCRIPTION_INPUT,
                        type="text",
                        placeholder="Description for the next label (Enter to save)",
                        debounce=False,
                        className="tsl-description",
                        maxLength=2000,
                    ),
                    html.Button("Submit", id=ids.DESCRIPTION_SUBMIT, className="btn"),
                    html.Span(id=ids.DESCRIPTION_HINT, className="tsl-description-hint"),
                ],
            ),
            html.Div(
                className="tsl-table-toolbar",
                children=[
                    html.Span("Labels", className="tsl-section-title"),
                    html.Span(id=ids.TABLE_SUMMARY, className="tsl-muted"),
                    html.Div(className="tsl-spacer"),
                    html.Button(
                        "Tick all",
                        id=ids.SELECT_ALL,
                        className="btn btn-small",
                        title="Tick every label of the file",
                    ),
                    html.Button(
                        "Tick model labels",
                        id=ids.SELECT_MODEL,
                        className="btn btn-small",
                        title="Tick the labels a model made that nobody kept yet",
                    ),
                    html.Button(
                        "Keep",
                        id=ids.KEEP_BUTTON,
                        className="btn btn-small",
                        title="Accept the selected model labels as they are",
                    ),
                    html.Button(
                        "Delete",
                        id=ids.DELETE_BUTTON,
                        className="btn btn-small btn-danger",
                        title="Delete the selected labels (Delete key)",
                    ),
                ],
            ),
            dash_table.DataTable(
                id=ids.ANNOTATION_TABLE,
                data=[],
                columns=[],
                editable=True,
                row_selectable="multi",
                selected_rows=[],
                page_action="native",
                page_size=100,
                sort_action="native",  # e.g. by score: the least sure model labels first
                sort_mode="single",
                style_as_list_view=True,
                style_table={"maxHeight": "320px", "overflowY": "auto"},
                style_cell={
                    "fontFamily": figures.FONT,
                    "fontSize": "12px",
                    "padding": "4px 8px",
                    "textAlign": "left",
                    "border": "none",
                    "borderBottom": "1px solid #eef2f7",
                    "maxWidth": "280px",
                    "overflow": "hidden",
                    "textOverflow": "ellipsis",
                },
                style_header={
                    "fontWeight": "600",
                    "backgroundColor": "#f8fafc",
                    "color": "#475569",
                    "borderBottom": "1px solid #e2e8f0",
                },
                style_data_conditional=[
                    {
                        "if": {"filter_query": '{source} != "manual"'},
                        "fontStyle": "italic",
                        "color": "#6b21a8",
                        "backgroundColor": "#faf5ff",
                    },
                    {
                        "if": {"state": "active"},
                        "backgroundColor": "#eef2ff",
                        "border": "1px solid #6366f1",
                    },
                ],
                css=[{"selector": ".dash-spreadsheet-menu", "rule": "display: none"}],
            ),
        ],
    )


def model_panel():
    return html.Aside(
        className="tsl-models",
        children=[
            html.H3("Auto-label", className="tsl-panel-title"),
            html.Label("Select a Model", htmlFor=ids.MODEL_SELECT, className="tsl-label"),
            html.Div(
                className="tsl-model-row",
                children=[
                    dcc.Dropdown(
                        id=ids.MODEL_SELECT,
                        placeholder="Select a Model",
                        clearable=False,
                        className="tsl-model-select",
                    ),
                    html.Button(
                        "+",
                        id=ids.MODEL_UPLOAD,
                        className="btn btn-icon",
                        title="Upload a .pth checkpoint",
                    ),
                ],
            ),
            html.Button(
                "Auto-label",
                id=ids.AUTOLABEL_BUTTON,
                className="btn btn-primary btn-block",
                title="Run the chosen model on this file; its labels appear dashed, with scores",
            ),
            html.H3("Train", className="tsl-panel-title"),
            html.P(
                "Trains a new model on the project's saved labels.", className="tsl-muted small"
            ),
            html.Label("Model name", htmlFor=ids.TRAIN_NAME, className="tsl-label"),
            dcc.Input(id=ids.TRAIN_NAME, type="text", className="tsl-input", maxLength=200),
            html.Label("Epochs", htmlFor=ids.TRAIN_EPOCHS, className="tsl-label"),
            dcc.Input(
                id=ids.TRAIN_EPOCHS,
                type="number",
                value=30,
                min=1,
                max=1000,
                step=1,
                className="tsl-input",
            ),
            html.Button("Train", id=ids.TRAIN_BUTTON, className="btn btn-block"),
            html.Div(
                id=ids.JOB_PROGRESS,
                className="tsl-job-progress",
                children=[
                    html.Div(id=ids.JOB_STATUS),
                    dcc.Graph(
                        id=ids.TRAINING_CURVES,
                        figure=figures.empty_figure(),
                        config={"displayModeBar": False, "responsive": True},
                        style={"display": "none"},
                        className="tsl-curves",
                    ),
                    html.Button(
                        "Cancel job",
                        id=ids.JOB_CANCEL,
                        className="btn btn-small",
                        style={"display": "none"},
                    ),
                ],
            ),
            dcc.Interval(id=ids.JOB_POLL, interval=1000, disabled=True),
        ],
    )


def download_dialog():
    return html.Div(
        id=ids.DOWNLOAD_DIALOG,
        className="tsl-modal",
        hidden=True,
        children=[
            html.Div(
                className="tsl-modal-card",
                role="dialog",
                children=[
                    html.Div(
                        className="tsl-modal-head",
                        children=[
                            html.H3("Download outputs"),
                            html.Button("×", id=ids.DOWNLOAD_CLOSE, className="btn btn-icon"),
                        ],
                    ),
                    html.P(
                        "Saved files of this project. Each gives <id>~<name>_labels.csv, "
                        "_labeled.csv and _labels.json (a Label Studio task).",
                        className="tsl-muted small",
                    ),
                    html.Button("Select all", id=ids.DOWNLOAD_ALL, className="btn btn-small"),
                    dcc.Checklist(
                        id=ids.DOWNLOAD_LIST,
                        options=[],
                        value=[],
                        className="tsl-checklist",
                        labelClassName="tsl-check",
                        labelStyle={"display": "flex"},
                    ),
                    html.Div(
                        className="tsl-modal-foot",
                        children=[
                            html.Button(
                                "Download ZIP",
                                id=ids.DOWNLOAD_CONFIRM,
                                className="btn btn-primary",
                            ),
                        ],
                    ),
                ],
            )
        ],
    )


def build_layout():
    return html.Div(
        className="tsl-app",
        children=[
            *stores(),
            header(),
            html.Div(
                className="tsl-body",
                children=[
                    sidebar(),
                    html.Main(
                        className="tsl-main",
                        children=[
                            html.Div(
                                id=ids.EMPTY_HINT,
                                className="tsl-empty",
                                children="Choose a file on the left, or upload CSV data.",
                            ),
                            workspace(),
                        ],
                    ),
                    model_panel(),
                ],
            ),
            download_dialog(),
        ],
    )
