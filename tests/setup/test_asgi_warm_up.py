"""The server imports its views and the segmenter when it starts, not on the first request:
Label Studio gives /setup 3 s when it connects a backend, and a cold first request took 4.5 s."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
before = {m for m in ("torch", "autolabel.labelstudio.views") if m in sys.modules}
import config.asgi
print(json.dumps({
    "before": sorted(before),
    "after": [m for m in ("torch", "autolabel.segmenter", "autolabel.labelstudio.views",
                          "labeler.dash_ui") if m in sys.modules],
}))
"""


def test_importing_the_asgi_application_loads_views_and_segmenter(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.django.test", VAR_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == []
    assert seen["after"] == [
        "torch",
        "autolabel.segmenter",
        "autolabel.labelstudio.views",
        "labeler.dash_ui",
    ]
