"""Helpers shared by the tests: run the real entry point, check one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run(*args: str, env: dict | None = None, cwd: Path | None = None, stdin: str | None = None) -> Result:
    """Run ``python -m geo ARGS`` as a user would (the real entry point)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    # the checkout first, so a run from another directory still finds this package
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), full_env.get("PYTHONPATH", "")) if p)
    p = subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True,
                       env=full_env, cwd=cwd or ROOT, input=stdin, timeout=300)
    return Result(p.returncode, p.stdout, p.stderr)


def assert_one_line_error(r: Result, code: int = 2) -> None:
    assert r.code == code, (r.code, r.out, r.err)
    lines = [l for l in r.err.splitlines() if l.strip()]
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err
