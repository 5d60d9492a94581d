"""DESIGN.md matches the code: every module is described, and the layering rules hold.

The import graph comes from tools/check_shape.py (the same graph CI checks for
cycles); imports under ``if TYPE_CHECKING:`` do not count.
"""

from __future__ import annotations

import importlib.util
import re
import sys

from _constants import ROOT

_spec = importlib.util.spec_from_file_location("check_shape", ROOT / "tools" / "check_shape.py")
check_shape = importlib.util.module_from_spec(_spec)
sys.modules["check_shape"] = check_shape
_spec.loader.exec_module(check_shape)

GRAPH = check_shape.imports(ROOT / "geo")
DESIGN = (ROOT / "DESIGN.md").read_text(encoding="utf-8")

LOAD = {m for m in GRAPH if m == "geo.layers" or m.startswith("geo.layers.")}
PRESENT_PREFIXES = ("geo.io", "geo.map", "geo.cli", "geo.serve", "geo.export", "geo.models")
QUERY = {"geo.zones", "geo._locator", "geo._grid", "geo._gridbuild", "geo.answer", "geo._stack",
         "geo._segments", "geo.boundary", "geo.table", "geo.seabed", "geo.islands", "geo.nesting",
         "geo.areas", "geo.sites", "geo.geodesy", "geo.coords", "geo._dms"}


def _is_present(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in PRESENT_PREFIXES)


def _named_in_design(module: str) -> bool:
    parts = module.split(".")[1:] or ["__init__"]
    if module in ("geo", "geo.__main__"):
        return True
    leaf = parts[-1]
    candidates = {"/".join(parts) + ".py", "/".join(parts[-2:]) + ".py", f"{leaf}.py"}
    if GRAPH.get(module) is not None and (ROOT / "geo" / "/".join(parts) / "__init__.py").exists():
        candidates.add("/".join(parts) + "/__init__.py")
    return any(re.search(r"`[^`]*" + re.escape(c) + "`", DESIGN) for c in candidates)


def test_every_module_is_in_design_md():
    missing = sorted(m for m in GRAPH if not _named_in_design(m))
    assert not missing, f"DESIGN.md does not describe {missing}"


def test_the_query_modules_are_all_real_modules():
    # the rule sets below must name modules that exist, or they check nothing
    assert QUERY <= set(GRAPH), QUERY - set(GRAPH)
    assert len(LOAD) > 5


def test_layers_import_no_query_or_present_module():
    bad = {m: sorted(t for t in GRAPH[m] if t in QUERY - {"geo.coords"} or _is_present(t)) for m in LOAD}
    assert not {m: t for m, t in bad.items() if t}


def test_query_modules_import_no_present_module():
    allowed = {("geo.sites", "geo.io.read"), ("geo.sites", "geo.io.columns")}
    bad = sorted((m, t) for m in QUERY for t in GRAPH[m] if _is_present(t) and (m, t) not in allowed)
    assert not bad


def test_the_map_imports_neither_io_nor_cli():
    bad = sorted((m, t) for m in GRAPH if m.startswith("geo.map") for t in GRAPH[m]
                 if t.startswith(("geo.io", "geo.cli", "geo.serve")))
    assert not bad


def test_no_import_cycle_and_no_oversized_module_or_function():
    assert check_shape.cycles(GRAPH) == []
    assert check_shape.sizes(ROOT / "geo") == []
