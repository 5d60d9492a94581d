"""Helpers shared by the tests: run the command line (in-process or as a process), check one-line errors.

:func:`run` runs ``eezmap ARGS`` in this process with click's :class:`~click.testing.CliRunner`
through :func:`geo.cli.run`, the same error translation and exit statuses as the program
(:func:`geo.cli.main`), in a fraction of a process's start-up time.  :func:`run_process` starts
``python -m geo ARGS`` for what only a real process shows: signals, a closed pipe, file
descriptor 1, environment variables read at import time.
"""

from __future__ import annotations

import contextlib
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
    out_bytes: bytes = b""

    def json(self):
        return json.loads(self.out)


def run(*args: str, env: dict | None = None, cwd: Path | None = None, stdin: str | None = None) -> Result:
    """Run ``eezmap ARGS`` in this process, as :func:`run_process` would run it as a program.

    *env* is set for the run only (``None`` values unset a variable), *cwd* is the working
    directory during the run, *stdin* the standard input's text.  The exit status is the
    program's (:func:`geo.cli.run` translates errors as :func:`geo.cli.main` does).  An *env*
    that sets a ``PYTHON*`` variable (``PYTHONPATH`` with a ``sitecustomize``) is read only by a
    starting interpreter: such a run is a real process (:func:`run_process`).
    """
    if any(key.startswith("PYTHON") for key in env or {}):
        return run_process(*args, env=env, cwd=cwd, stdin=stdin)
    from click.testing import CliRunner

    from geo.cli import run as run_cli

    runner = CliRunner()
    code = 0
    with contextlib.chdir(cwd or ROOT), runner.isolation(input=stdin, env=env) as (out, err, _):
        try:
            code = run_cli(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        raw = out.getvalue()
        errors = err.getvalue() if err is not None else b""
    return Result(code, _text(raw), _text(errors), raw)


def run_process(*args: str, env: dict | None = None, cwd: Path | None = None,
                stdin: str | None = None) -> Result:
    """Run ``python -m geo ARGS`` as a user would (a real process: the real entry point)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    # the checkout first, so a run from another directory still finds this package
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), full_env.get("PYTHONPATH", "")) if p)
    p = subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True,
                       env=full_env, cwd=cwd or ROOT, input=None if stdin is None else stdin.encode(),
                       timeout=300)
    return Result(p.returncode, _text(p.stdout), _text(p.stderr), p.stdout)


def _text(data: bytes) -> str:
    """Bytes as ``subprocess.run(text=True)`` gives them: UTF-8, universal newlines."""
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def assert_one_line_error(r: Result, code: int = 2) -> None:
    assert r.code == code, (r.code, r.out, r.err)
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err
