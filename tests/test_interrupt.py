"""Ctrl-C and SIGTERM end ``python -m geo`` with status 130 / 143, one line on stderr, no
temporary file left and the previous output untouched, however the signals fall.

Each case runs the real entry point (``main()`` under ``python -m``, as ``python -m geo``
does) through a small driver that sends the signals at a chosen moment:

- ``eval``: Ctrl-C arrives while code given to ``eval()`` as a string runs (what
  ``collections.namedtuple`` does, e.g. when pyarrow is first imported in the middle of a
  batch).  CPython then remembers an "unhandled" KeyboardInterrupt even though click
  caught it, and ends a ``-m`` run by killing itself with SIGINT: status -2, not 130
  (the flaky failure of test_batch.py::test_ctrl_c_leaves_no_partial_output under load);
- ``cleanup``: a second signal while the temporary file is being removed;
- ``atexit``: a second signal while the interpreter runs its exit handlers;
- ``teardown``: a second signal after the interpreter restored the default signal actions
  (while it tears the modules down): the default action would kill the process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from helpers import ROOT

DRIVER = textwrap.dedent('''
    import atexit, os, pathlib, signal, sys, time

    import geo.table
    from geo.cli import main

    when, first, second = sys.argv.pop(1).split(":")
    FIRST = getattr(signal, first)
    SECOND = getattr(signal, second) if second else None
    real_classify = geo.table.classify_arrays
    real_is_dir = pathlib.Path.is_dir
    sent = []


    def classify_frame(*args, **kwargs):
        if not sent:
            sent.append(FIRST)
            if when == "eval":
                eval("__import__('signal').raise_signal(%d) or __import__('time').sleep(10)" % FIRST)
            else:
                signal.raise_signal(FIRST)
                time.sleep(10)
        return real_classify(*args, **kwargs)


    def is_dir(self):  # the first thing atomic_path's cleanup does
        if when == "cleanup" and sent and self.name.startswith(".out.csv."):
            signal.raise_signal(SECOND)
        return real_is_dir(self)


    @atexit.register
    def at_exit():
        if when == "atexit" and sent:
            signal.raise_signal(SECOND)
            time.sleep(0.2)


    class AtTeardown:
        def __del__(self, raise_signal=signal.raise_signal, sleep=time.sleep, when=when, sent=sent,
                    second=SECOND):
            if when == "teardown" and sent:
                raise_signal(second)
                sleep(0.2)


    import geo.cli
    geo.cli._held_till_teardown = AtTeardown()  # a module's global goes when the modules are torn down
    geo.table.classify_arrays = classify_frame
    pathlib.Path.is_dir = is_dir
    main()
''')

STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}


@pytest.mark.parametrize("when,first,second", [
    ("eval", signal.SIGINT, None),
    ("cleanup", signal.SIGINT, signal.SIGINT),
    ("cleanup", signal.SIGTERM, signal.SIGTERM),
    ("cleanup", signal.SIGINT, signal.SIGTERM),
    ("atexit", signal.SIGINT, signal.SIGINT),
    ("atexit", signal.SIGTERM, signal.SIGTERM),
    ("teardown", signal.SIGINT, signal.SIGINT),
    ("teardown", signal.SIGTERM, signal.SIGTERM),
])
def test_signals_end_with_the_documented_status_and_no_partial_output(tmp_path, when, first, second):
    driver = tmp_path / "driver"
    driver.mkdir()
    (driver / "eezmap_signalled.py").write_text(DRIVER)
    work = tmp_path / "work"
    work.mkdir()
    src = work / "in.csv"
    src.write_text("lat,lon\n24.3,154.0\n36.0,150.0\n35.7,139.7\n25.8,123.5\n")
    dst = work / "out.csv"
    dst.write_text("previous results\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(driver)]))
    spec = f"{when}:{first.name}:{second.name if second else ''}"
    p = subprocess.run([sys.executable, "-m", "eezmap_signalled", spec, "where", "--input", str(src),
                        "--output", str(dst), "--chunk-rows", "1000"],
                       cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == STATUS[first], (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert ("interrupted" if first == signal.SIGINT else "terminated") in p.stderr
    assert dst.read_text() == "previous results\n"        # the old file is untouched
    assert sorted(x.name for x in work.iterdir()) == ["in.csv", "out.csv"]   # no temporary file left
