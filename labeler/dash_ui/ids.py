"""Element ids of the labeling screen. The ones in SPEC §5 are stable: scripts and tests use
them. ui.js refers to several of these by their string value."""

# Stable ids (SPEC §5)
UPLOAD = "upload"  # in the page template: the file inputs live inside it
FILE_LIST = "file-list"
GRAPH = "graph"
LABEL_PICKER = "label-picker"
ANNOTATION_TABLE = "annotation-table"
SAVE_BUTTON = "save-button"
SAVE_ALL_BUTTON = "save-all-button"
DOWNLOAD_BUTTON = "download-button"
DOWNLOAD_CONFIRM = "download-confirm"
MODEL_SELECT = "model-select"
MODEL_UPLOAD = "model-upload"
AUTOLABEL_BUTTON = "autolabel-button"
TRAIN_BUTTON = "train-button"
JOB_PROGRESS = "job-progress"

# Page chrome
URL = "url"
PROJECT_SELECT = "project-select"
UPLOAD_OPEN = "upload-open"
FILE_SEARCH = "file-search"
LABEL_NEXT = "label-next"
FILE_TITLE = "file-title"
FILE_STATUS = "file-status"
EMPTY_HINT = "empty-hint"
WORKSPACE = "workspace"
LAYOUT_MODE = "layout-mode"
UNDO_BUTTON = "undo-button"
REDO_BUTTON = "redo-button"
DESCRIPTION_INPUT = "description-input"
DESCRIPTION_SUBMIT = "description-submit"
DESCRIPTION_HINT = "description-hint"
DELETE_BUTTON = "delete-button"
LABEL_MODE = "label-mode"
OVERVIEW = "overview"
CONFIDENCE_STRIP = "confidence-strip"
SELECT_ALL = "select-all"
SELECT_MODEL = "select-model"
KEEP_BUTTON = "keep-button"
DOWNLOAD_DIALOG = "download-dialog"
DOWNLOAD_LIST = "download-list"
DOWNLOAD_ALL = "download-all"
DOWNLOAD_CLOSE = "download-close"
TRAIN_NAME = "train-name"
TRAIN_EPOCHS = "train-epochs"
JOB_CANCEL = "job-cancel"
JOB_POLL = "job-poll"
TRAINING_CURVES = "training-curves"

# Client state (dcc.Store)
PROJECT_STORE = "project-store"
FILE_STORE = "file-store"
VIEW_STORE = "view-store"
BASE_FIGURE = "base-figure"
ANNOTATIONS = "annotations-store"
LOAD_RESULT = "load-result"
RELOAD = "reload-request"
SELECTED = "selected-store"
ACTIVE_LABEL = "active-label"
FILES_REFRESH = "files-refresh"
MODELS_REFRESH = "models-refresh"
SAVE_RESULT = "save-result"
SAVE_ALL_RESULT = "save-all-result"
AUTOLABEL_JOB = "autolabel-job"
TRAIN_JOB = "train-job"
JOB_FINISHED = "job-finished"
MESSAGE = "message"
SINK = "sink"  # dummy outputs of clientside callbacks that only act
SINKS = (
    "context",
    "navigate",
    "table-edit",
    "toast",
    "download",
    "confidence",
    "table-order",
)
JOB_CANCEL_RESULT = "job-cancel-result"
AUTOSAVE_STATUS = "autosave-status"
TABLE_SUMMARY = "table-summary"
JOB_STATUS = "job-status"


def file_item(file_id: int) -> dict:
    return {"type": "file-item", "index": file_id}


def label_button(label_name: str) -> dict:
    return {"type": "label-button", "index": label_name}


def sink(name: str) -> str:
    return f"{SINK}-{name}"
