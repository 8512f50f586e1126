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


def test_source_reads_no_environment_and_imports_no_framework():
    pattern = re.compile(r"os\.environ|getenv|^\s*(import|from) (django|dash|channels|flask)\b")
    offenders = [
        f"{path.name}: {line.strip()}"
        for path in PACKAGE.glob("*.py")
        for line in path.read_text().splitlines()
        if pattern.search(line)
    ]
    assert offenders == []
