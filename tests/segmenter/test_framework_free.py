"""The segmenter package stays framework-free: no Django/Dash/Channels, no environment reads."""

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "autolabel" / "segmenter"


def test_import_pulls_in_no_web_framework():
    code = (
        "import sys, autolabel.segmenter, autolabel.segmenter.cli; "
        "bad = [m for m in ('django', 'dash', 'channels', 'django_plotly_dash') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    root = PACKAGE.parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


# the one environment access: a default for torch's OpenMP threads, written before torch loads
OPENMP_DEFAULT = 'os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")'


def test_source_reads_no_environment_and_imports_no_framework():
    pattern = re.compile(r"os\.environ|getenv|^\s*(import|from) (django|dash|channels|flask)\b")
    offenders = [
        f"{path.name}: {line.strip()}"
        for path in PACKAGE.glob("*.py")
        for line in path.read_text().splitlines()
        if pattern.search(line) and line.strip() != OPENMP_DEFAULT
    ]
    assert offenders == []


def _openmp_policy_after_import(env: dict) -> str:
    code = (
        "import os, sys; import autolabel.segmenter; "
        "assert 'torch' in sys.modules; print(os.environ['OMP_WAIT_POLICY'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PACKAGE.parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_openmp_threads_wait_passively_unless_the_operator_chose():
    """Busy-waiting OpenMP threads slowed training 20-200x on a machine whose cores were busy
    with other processes (docs/decisions.md); the default is set before torch is imported."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    assert _openmp_policy_after_import(env) == "PASSIVE"
    assert _openmp_policy_after_import({**env, "OMP_WAIT_POLICY": "ACTIVE"}) == "ACTIVE"


def test_the_optimizer_runtime_loads_apart_from_the_import():
    """Prediction (the CLI, the Label Studio backend) does not pay for the optimizer's lazy
    imports; a training worker loads them before its first job (load_training_runtime)."""
    code = (
        "import sys, autolabel.segmenter; assert 'torch._dynamo' not in sys.modules; "
        "from autolabel.segmenter.train import load_training_runtime; load_training_runtime(); "
        "assert 'torch._dynamo' in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PACKAGE.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
