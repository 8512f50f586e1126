"""Command line: python -m autolabel.segmenter train | predict | proba (SPEC §6)."""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .checkpoint import CheckpointError
from .infer import Segmenter, load_checkpoint
from .labelconfig import LabelConfig, LabelConfigError, parse_label_config
from .lstasks import DataError, csv_name, read_folder, read_series_csv, recordings_from_tasks
from .train import TrainingCancelled, TrainingConfig, TrainingDataError, train

USER_ERRORS = (CheckpointError, DataError, LabelConfigError, TrainingDataError, OSError)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autolabel.segmenter", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train on Label Studio data folders")
    t.add_argument("--data", nargs="+", required=True, metavar="DIR")
    t.add_argument("--out", required=True, metavar="MODEL.pt")
    t.add_argument("--epochs", type=int, default=TrainingConfig.train_epochs)
    t.add_argument("--seed", type=int, default=TrainingConfig.seed)
    t.add_argument("--sequence-size", type=int, default=TrainingConfig.sequence_size)
    t.add_argument("--hidden-size", type=int, default=TrainingConfig.hidden_size)
    t.add_argument("--batch-size", type=int, default=TrainingConfig.batch_size)
    t.add_argument("--no-class-weights", action="store_true")
    t.add_argument("--quiet", action="store_true", help="no per-epoch progress lines")
    t.set_defaults(func=_train)

    for name, helptext in (("predict", "Label Studio predictions"), ("proba", "row probabilities")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--model", required=True, metavar="MODEL.pt")
        p.add_argument("--out", required=True)
        if name == "predict":
            p.add_argument("--data", metavar="DIR", help="folder: CSVs, annotations.json, config")
        p.add_argument("--csv", metavar="FILE")
        p.add_argument("--label-config", metavar="XML")
        p.set_defaults(func=_predict if name == "predict" else _proba)
    return parser


def _train(args) -> int:
    config = TrainingConfig(
        train_epochs=args.epochs,
        seed=args.seed,
        sequence_size=args.sequence_size,
        hidden_size=args.hidden_size,
        batch_size=args.batch_size,
        use_class_weights=not args.no_class_weights,
    )
    label_config, xml_text, recordings = None, None, []
    for folder in args.data:
        folder_config, folder_xml, tasks = read_folder(folder)
        if label_config is None:
            label_config, xml_text = folder_config, folder_xml
        elif (folder_config.labels, folder_config.channels) != (
            label_config.labels,
            label_config.channels,
        ):
            raise DataError(f"{folder}: labels or channels differ from {args.data[0]}")
        recordings += recordings_from_tasks(folder, tasks, folder_config, folder_config.channels)
    if not recordings:
        raise DataError("no annotated task in the data folders")

    def report(progress):
        if not args.quiet and (progress.epoch_end or progress.phase == "preparing"):
            extra = " ".join(
                f"{k}={progress.metrics[k]:.3f}"
                for k in ("balanced_accuracy", "min_class_f1", "macro_f1")
                if k in progress.metrics
            )
            loss = "" if progress.loss is None else f" loss={progress.loss:.4f}"
            print(f"{progress.message}{loss} {extra}".rstrip(), file=sys.stderr)

    segmenter = train(
        recordings,
        list(label_config.labels),
        config,
        progress=report,
        channels=label_config.channels,
        time_column=label_config.time_column,
        label_config=xml_text,
    )
    segmenter.save(args.out)
    info = segmenter.training
    print(
        f"trained on {len(info['train_recordings'])} recording(s), validated on "
        f"{len(info['validation_recordings'])}: {info['epochs_run']} epochs, best "
        f"{info['best_epoch']}, saved {args.out}",
        file=sys.stderr,
    )
    return 0


def _read_config(path: str | None, segmenter: Segmenter) -> LabelConfig | None:
    if path:
        return parse_label_config(Path(path).read_text(encoding="utf-8"))
    if segmenter.contents.label_config:
        return parse_label_config(segmenter.contents.label_config)
    return None


def _prepared(model_path: str, config: LabelConfig | None, segmenter=None) -> Segmenter:
    segmenter = segmenter or load_checkpoint(model_path)
    if config is not None:
        return segmenter.with_label_config(config)
    if segmenter.channels is None:
        raise CheckpointError("this checkpoint names no channels: give --label-config")
    return segmenter


def _read_table(segmenter: Segmenter, config: LabelConfig | None, csv_path):
    time_column = config.time_column if config is not None else segmenter.time_column
    return read_series_csv(csv_path, segmenter.channels, time_column)


def _names(config: LabelConfig | None) -> dict:
    if config is None:
        return {"from_name": "label", "to_name": "ts"}
    return {"from_name": config.from_name, "to_name": config.to_name}


def _predict_one(segmenter, config, csv_path) -> dict:
    table = _read_table(segmenter, config, csv_path)
    prediction = segmenter.predict(table.values, table.times, table.time_kind)
    return prediction.to_labelstudio(**_names(config))


def _predict(args) -> int:
    if bool(args.data) == bool(args.csv):
        raise DataError("give either --data DIR or --csv FILE")
    loaded = load_checkpoint(args.model)
    if args.data:
        config, _, tasks = read_folder(args.data)
        segmenter = _prepared(args.model, config, loaded)
        output = {
            str(task.get("id", i)): _predict_one(
                segmenter, config, Path(args.data) / csv_name(task, config)
            )
            for i, task in enumerate(tasks)
        }
    else:
        config = _read_config(args.label_config, loaded)
        segmenter = _prepared(args.model, config, loaded)
        output = _predict_one(segmenter, config, args.csv)
    Path(args.out).write_text(json.dumps(output, indent=1) + "\n", encoding="utf-8")
    return 0


def _proba(args) -> int:
    if not args.csv:
        raise DataError("proba needs --csv FILE")
    loaded = load_checkpoint(args.model)
    config = _read_config(args.label_config, loaded)
    segmenter = _prepared(args.model, config, loaded)
    table = _read_table(segmenter, config, args.csv)
    with open(args.out, "wb") as handle:
        np.save(handle, segmenter.proba(table.values).astype(np.float32))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (TrainingCancelled, KeyboardInterrupt):
        print("cancelled", file=sys.stderr)
        return 130
