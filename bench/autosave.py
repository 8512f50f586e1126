"""Autosave latency against Redis with appendfsync always (SPEC §5 working state).

Workload: 20 concurrent clients, 1,000 label edits in all (each client creates one label, then
edits it 49 times with the version it last saw), plus one label every client bumps with
compare-and-set retries, to prove no edit is lost or overwritten.

Pacing: `--think-s T` makes each client pause a random (exponential) T seconds between edits,
as a person does (1 s: 20 people editing at once); `--think-s 0` is a closed loop that
saturates the server, which measures throughput rather than what a person waits.

  store  the working-state store alone (RedisWorkingStateStore, one connection pool)
  http          the full API: Daphne + Django + token auth + validation + Redis; each client
                is a process of its own, as each person's browser is
  http-threads  the same with every client a thread of this one Python process (their own
                GIL contention then adds to the latencies measured)

    .venv/bin/python bench/autosave.py [--clients 20] [--edits 1000]
        [--mode store http http-threads] [--think-s 1.0] [--out bench/out/autosave.json]
"""

import argparse
import concurrent.futures as cf
import json
import multiprocessing
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from appserver import app_server  # noqa: E402

from tests.servers import RedisServer  # noqa: E402


def percentile(values, q):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(latencies_s, wall_s, extra):
    ms = [x * 1000 for x in latencies_s]
    return {
        "edits": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
        "wall_s": round(wall_s, 2),
        "edits_per_s": round(len(ms) / wall_s, 1),
        **extra,
    }


def run_clients(clients, edits_per_client, edit_own, bump_shared, think_s):
    latencies, errors, lock = [], [], threading.Lock()

    def client(number):
        mine, pause = [], random.Random(number)
        try:
            for edit in range(edits_per_client):
                if think_s:
                    time.sleep(pause.expovariate(1 / think_s))
                t0 = time.perf_counter()
                edit_own(number, edit)
                mine.append(time.perf_counter() - t0)
            bump_shared()
        except Exception as error:  # noqa: BLE001 - reported, makes the run fail
            errors.append(repr(error))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - t0, errors


def bench_store(redis_url, clients, edits, think_s):
    from labeler.working_state import Change, VersionConflict
    from labeler.working_state.redis_store import RedisWorkingStateStore

    store = RedisWorkingStateStore(redis_url)
    file_id, per_client = int(time.time() * 1000) % 1_000_000_007, edits // clients
    store.apply(file_id, [Change("create", "shared", {"label": "A", "description": "0"})])
    versions = {}

    def edit_own(number, edit):
        body = {
            "label": "A",
            "start": 1.0,
            "end": 2.0 + edit,
            "instant": False,
            "description": f"{number}-{edit}",
        }
        key = f"client-{number}"
        if edit == 0:
            result = store.apply(file_id, [Change("create", key, body)])
        else:
            result = store.apply(file_id, [Change("update", key, body, versions[key])])
        versions[key] = result.changed[key]["version"]

    def bump_shared():
        while True:
            current = store.get(file_id).annotations["shared"]
            body = {**current, "description": str(int(current["description"]) + 1)}
            try:
                store.apply(file_id, [Change("update", "shared", body, current["version"])])
                return
            except VersionConflict:
                continue

    latencies, wall, errors = run_clients(clients, per_client, edit_own, bump_shared, think_s)
    state = store.get(file_id)
    return latencies, wall, errors, _verify(state.annotations, clients, per_client)


def _verify(annotations, clients, per_client):
    lost = [
        n
        for n in range(clients)
        if annotations.get(f"client-{n}", {}).get("description") != f"{n}-{per_client - 1}"
        or annotations[f"client-{n}"]["version"] != per_client
    ]
    shared = int(annotations["shared"]["description"])
    return {"lost_or_overwritten": len(lost) + (clients - shared), "shared_bumps": shared}


def bench_http(redis_url, clients, edits, think_s, processes=True):
    import requests

    env = {"WORKING_STATE_BACKEND": "redis", "REDIS_URL": redis_url}
    with app_server("bench/autosave.py", extra_env=env) as (url, (token, file_id)):
        base = f"{url}/api/files/{file_id}/annotations/"
        headers = {"Authorization": f"Token {token}"}
        shared = requests.post(
            base, json={"label": "A", "start": 1, "end": 2, "description": "0"}, headers=headers
        ).json()
        jobs = [(n, base, headers, edits // clients, think_s, shared["id"]) for n in range(clients)]
        t0 = time.perf_counter()
        pool = (
            cf.ProcessPoolExecutor(clients, mp_context=multiprocessing.get_context("fork"))
            if processes
            else cf.ThreadPoolExecutor(clients)
        )
        with pool:
            outcomes = list(pool.map(http_client, jobs))
        wall = time.perf_counter() - t0
        latencies = [x for outcome in outcomes for x in outcome["latencies"]]
        errors = [e for outcome in outcomes for e in outcome["errors"]]
        ids = {outcome["number"]: outcome["id"] for outcome in outcomes}
        listed = requests.get(base, headers=headers).json()["annotations"]
        names = {i: f"client-{n}" for n, i in ids.items()} | {shared["id"]: "shared"}
        by_key = {names[a["id"]]: a for a in listed if a["id"] in names}
        return latencies, wall, errors, _verify(by_key, clients, edits // clients)


def http_client(job) -> dict:
    """One client (a process of its own, as each person's browser is): create a label, edit it
    with the version last seen, then bump the shared label with compare-and-set retries."""
    import requests

    number, base, headers, per_client, think_s, shared_id = job
    session, pause = requests.Session(), random.Random(number)
    session.headers.update(headers)
    latencies, errors, annotation_id, version = [], [], None, None
    try:
        for edit in range(per_client):
            if think_s:
                time.sleep(pause.expovariate(1 / think_s))
            body = {
                "label": "A",
                "start": 1.0,
                "end": 2.0 + edit,
                "description": f"{number}-{edit}",
            }
            t0 = time.perf_counter()
            if edit == 0:
                answer = session.post(base, json=body)
            else:
                answer = session.patch(f"{base}{annotation_id}/", json={**body, "version": version})
            latencies.append(time.perf_counter() - t0)
            answer.raise_for_status()
            annotation_id, version = answer.json()["id"], answer.json()["version"]
        while True:
            listed = session.get(base).json()["annotations"]
            current = next(a for a in listed if a["id"] == shared_id)
            answer = session.patch(
                f"{base}{shared_id}/",
                json={
                    "description": str(int(current["description"]) + 1),
                    "version": current["version"],
                },
            )
            if answer.status_code == 200:
                break
            if answer.status_code != 409:
                answer.raise_for_status()
    except Exception as error:  # noqa: BLE001 - reported, makes the run fail
        errors.append(repr(error))
    return {"number": number, "id": annotation_id, "latencies": latencies, "errors": errors}


def prepare():
    """In the server's environment: a user, a token, a project and one uploaded file."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from labeler.services.files import file_upload
    from labeler.services.projects import project_create
    from labeler.services.tokens import token_issue

    user = get_user_model().objects.create_user("bench", password="bench-password-1")  # noqa: S106
    project = project_create(user=user, name="bench", labels=["A", "B"])
    rows = "time,x\n" + "".join(f"{i},{i % 7}\n" for i in range(10_000))
    upload = SimpleUploadedFile("bench.csv", rows.encode())
    outcome = file_upload(project=project, name="bench.csv", uploaded=upload, user=user)
    print(json.dumps([token_issue(user=user)[0], outcome.file.id]))


def main():
    if "--prepare" in sys.argv:
        prepare()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--mode", nargs="+", default=["store", "http"])
    parser.add_argument("--think-s", type=float, nargs="+", default=[1.0, 0.0])
    parser.add_argument("--out", default=str(ROOT / "bench/out/autosave.json"))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
    import django

    django.setup()
    redis = RedisServer.start()
    report = {"machine": _machine(), "clients": args.clients, "results": {}}
    try:
        for mode in args.mode:
            for think_s in args.think_s:
                if mode == "store":
                    run = bench_store(redis.url, args.clients, args.edits, think_s)
                else:
                    processes = mode == "http"  # "http-threads": one process, a thread per client
                    run = bench_http(redis.url, args.clients, args.edits, think_s, processes)
                latencies, wall, errors, check = run
                name = f"{mode}, think {think_s} s"
                report["results"][name] = summary(
                    latencies, wall, {**check, "think_s": think_s, "errors": errors[:5]}
                )
                print(name, json.dumps(report["results"][name]), file=sys.stderr)
    finally:
        redis.stop()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


def _machine():
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "redis": subprocess.run(
            ["redis-server", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "appendfsync": "always",
    }


if __name__ == "__main__":
    main()
