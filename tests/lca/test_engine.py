"""The footprint engine (``lca/engine/``) stays plain Python: importing all of it loads neither Django nor any
app module, so it runs and is benchmarked without settings or a database."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import lca.engine

ROOT = Path(__file__).resolve().parents[2]


def test_the_engine_imports_no_django_and_no_app_module() -> None:
    names = sorted(f"lca.engine.{module.name}" for module in pkgutil.iter_modules(lca.engine.__path__))
    assert {"lca.engine.graph", "lca.engine.footprint", "lca.engine.factors"} <= set(names)
    script = (
        "import importlib, json, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, env={"PATH": ""}
        ).stdout
    )
    outside = [
        name
        for name in loaded
        if name.split(".")[0] in {"django", "rest_framework", "celery", "passports", "exporters", "core", "config"}
        or (name.startswith("lca.") and not name.startswith("lca.engine"))
    ]
    assert outside == []
