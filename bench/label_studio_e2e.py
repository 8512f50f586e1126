"""A real Label Studio drives this server as its ML backend (../shared/ls_e2e harness).

    .venv/bin/python bench/label_studio_e2e.py --ls-venv /path/to/venv-with-label-studio
        [--data basicmotions] [--epochs 100] [--shared ../shared] [--out OUT.json]

Starts a throwaway Label Studio 1.23 on loopback (start_ls.sh), this app (Daphne + job worker,
fresh SQLite, LABEL_STUDIO_URL and the token pointing at that Label Studio), then runs the
harness as a user would: annotate, connect the backend, press "Start Training", wait for the
new model version, retrieve predictions for the held-out recordings, validate and score them.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from appserver import wait_until_up  # noqa: E402

from tests.servers import free_port  # noqa: E402

TOKEN = "e2e-test-token-0123456789"  # noqa: S105 - the throwaway Label Studio's token


def start(command, env, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ls-venv", required=True)
    parser.add_argument(
        "--data",
        default="basicmotions",
        choices=["basicmotions", "instants", "label-studio-examples"],
    )
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--out")
    args = parser.parse_args()
    shared = Path(args.shared)
    data_dir = shared / "data" / args.data / ("dev" if args.data != "label-studio-examples" else "")
    work = Path(tempfile.mkdtemp(prefix="tsl-ls-e2e-"))
    ls_port, app_port = free_port(), free_port()
    ls_url, app_url = f"http://127.0.0.1:{ls_port}", f"http://127.0.0.1:{app_port}"
    ls_env = {
        **os.environ,
        "LS_TOKEN": TOKEN,
        "XDG_CACHE_HOME": str(work / "cache"),
        "XDG_DATA_HOME": str(work / "data"),
    }
    app_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.django.base",
        "VAR_DIR": str(work / "app"),
        "SECRET_KEY": "e2e",
        "LABEL_STUDIO_URL": ls_url,
        "LABEL_STUDIO_API_KEY": TOKEN,
        "TRAIN_EPOCHS": str(args.epochs),
        "JOB_HEARTBEAT_S": "2",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], env=app_env, cwd=ROOT, check=True)
    processes = []
    try:
        processes.append(
            start(
                [
                    "bash",
                    str(shared / "ls_e2e" / "start_ls.sh"),
                    args.ls_venv,
                    str(work / "ls"),
                    str(ls_port),
                ],
                ls_env,
                work / "ls.log",
            )
        )
        processes.append(
            start(
                [python, "-m", "daphne", "-p", str(app_port), "config.asgi:application"],
                app_env,
                work / "app.log",
            )
        )
        processes.append(
            start([python, "manage.py", "jobs_worker", "--no-reload"], app_env, work / "worker.log")
        )
        wait_until_up(f"{app_url}/health")
        wait_until_up(f"{ls_url}/health", timeout_s=300)
        started = time.perf_counter()
        harness = subprocess.run(
            [
                str(Path(args.ls_venv) / "bin" / "python"),
                str(shared / "ls_e2e" / "ls_e2e.py"),
                "--ls-url",
                ls_url,
                "--ls-token",
                TOKEN,
                "--backend-url",
                app_url,
                "--data-dir",
                str(data_dir),
                "--wait-new-version",
                "900",
                "--also-predict-test",
                "--metrics",
                str(shared / "bench" / "metrics.py"),
                "--json-out",
                str(work / "harness.json"),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - started
    finally:
        for process in reversed(processes):
            stop(process)
    print(harness.stderr[-6000:])
    summary = (
        json.loads((work / "harness.json").read_text()) if (work / "harness.json").exists() else {}
    )
    report = {
        "data": args.data,
        "epochs": args.epochs,
        "wall_s": round(wall, 1),
        "exit_code": harness.returncode,
        "last_line": harness.stdout.strip().splitlines()[-1:],
        "harness": summary,
    }
    out = Path(args.out or ROOT / "bench" / "out" / f"ls_e2e_{args.data}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("data", "wall_s", "exit_code", "last_line")}))
    if harness.returncode == 0:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"logs kept in {work}")
    sys.exit(harness.returncode)


if __name__ == "__main__":
    main()
