"""Progress of long jobs (issue 12, item 7): rows done, rows/s and an ETA from the measured
rate, on stderr; nothing on a non-terminal unless asked for."""

from __future__ import annotations

import io
import os

import numpy as np
import pandas as pd
import pytest

from geo import _progress
from geo._progress import Progress
from geo.io import classify_file


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(_progress.time, "perf_counter", c)
    return c


def test_eta_is_the_remaining_work_at_the_measured_rate(clock):
    out = io.StringIO()
    p = Progress("rows", total=1000, enabled=True, stream=out)
    clock.t += 2.0
    p.update(250)  # 250 rows in 2 s: 125 rows/s; 750 left -> 6 s
    assert "250 rows of 1,000, 125 rows/s, ETA 6 s" in out.getvalue()
    clock.t += 2.0
    p.update(250, fraction=0.8)  # the fraction given (bytes read) wins: 4 s for 0.8 -> 1 s left
    assert out.getvalue().endswith("500 rows of 1,000, 125 rows/s, ETA 1 s   ")
    p.close()
    assert out.getvalue().endswith("\n")


def test_nothing_on_a_non_terminal_unless_forced(clock):
    quiet = io.StringIO()  # not a terminal
    p = Progress("rows", total=10, stream=quiet)
    clock.t += 5.0
    p.update(5)
    p.close()
    assert quiet.getvalue() == ""
    forced = io.StringIO()
    p = Progress("rows", total=10, enabled=True, stream=forced)
    p.update(10)
    p.close()  # a job that ended within a second: one summary line, because forced
    assert "10 rows of 10" in forced.getvalue() and forced.getvalue().endswith("\n")


def test_a_terminal_gets_the_bar(clock):
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as tty:
        p = Progress("rows", total=100, stream=tty)
        assert p.enabled
        clock.t += 1.5
        p.update(30)
        p.close()
    text = os.read(master, 4096).decode()
    os.close(master)
    assert "30 rows of 100" in text and "rows/s" in text and "ETA" in text


@pytest.mark.slow
@pytest.mark.parametrize("suffix,distance", [(".csv", False), (".csv", True), (".parquet", True)])
def test_batch_reports_on_request(tmp_path, capfd, suffix, distance):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"lat": rng.uniform(15, 50, 500), "lon": rng.uniform(120, 160, 500)})
    src = tmp_path / f"in{suffix}"
    frame.to_csv(src, index=False) if suffix == ".csv" else frame.to_parquet(src, index=False)
    classify_file(str(src), str(tmp_path / f"out{suffix}"), with_distance=distance, progress=True)
    err = capfd.readouterr().err
    assert "500 rows" in err and "rows/s" in err
    classify_file(str(src), str(tmp_path / f"out2{suffix}"), with_distance=distance)
    assert capfd.readouterr().err == ""  # pytest's stderr is not a terminal


def test_dask_reports_tasks_on_request(tmp_path, capfd):
    pytest.importorskip("dask.dataframe")
    src = tmp_path / "in.csv"
    pd.DataFrame({"lat": [24.28667, 36.0], "lon": [153.98056, 150.0]}).to_csv(src, index=False)
    classify_file(str(src), str(tmp_path / "out"), engine="dask", progress=True)
    err = capfd.readouterr().err
    assert "tasks of" in err and "tasks/s" in err
