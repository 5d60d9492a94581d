"""The models and the shipped JSON Schema of the ``where`` object, against the CLI's output."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pydantic")
jsonschema = pytest.importorskip("jsonschema")

from helpers import run  # noqa: E402
from _constants import ISLAND_ARGS  # noqa: E402

from geo.models import (AreaAnswer, DistanceAnswer, LayersList, SitesList, WhereAnswer,  # noqa: E402
                        WHERE_SCHEMA_PATH, schema_text, shipped_where_schema, where_schema)


def test_shipped_schema_is_the_models_schema():
    assert WHERE_SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "geo/schema/where.schema.json is out of date: run python -m geo.models")
    assert shipped_where_schema() == where_schema()
    jsonschema.Draft202012Validator.check_schema(shipped_where_schema())


@pytest.mark.parametrize("args", [
    ISLAND_ARGS, ("25.8", "123.5"), ("36.0", "150.0"), ("35.68", "139.7"),
    ("-33.9", "18.4"), ("10", "-150"), ("24.28667", "153.98056", "--no-distance"),
    ("35", "129.5", "--country", "KOR"), ("0", "0", "--layer", "mr-v12-eez-nw-pacific"),
])
def test_cli_where_json_validates_against_the_shipped_schema(args):
    r = run("where", *args, "--json")
    assert r.code in (0, 1, 3, 4), r.err
    obj = r.json()
    jsonschema.validate(obj, shipped_where_schema(), cls=jsonschema.Draft202012Validator)
    WhereAnswer.model_validate(obj)


def test_extra_keys_pass_through():
    """A key another change adds to the answer (a note, a depth) is kept, never refused."""
    obj = json.loads(run("where", *ISLAND_ARGS, "--json").out)
    obj["zone"]["v12"] = {"note": "superseded"}
    obj["seabed"]["measured_depth_m"] = 5600
    jsonschema.validate(obj, shipped_where_schema())
    m = WhereAnswer.model_validate(obj)
    assert m.model_dump(by_alias=True)["seabed"]["measured_depth_m"] == 5600


def test_the_seabed_part_is_checked():
    """The seabed regime is a closed set: a misspelt one is refused by the shipped schema."""
    obj = json.loads(run("where", *ISLAND_ARGS, "--json").out)
    assert obj["seabed"]["regime"] == "continental_shelf" and obj["seabed"]["states"] == ["Japan"]
    obj["seabed"]["regime"] = "contiental_shelf"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(obj, shipped_where_schema())


def test_a_wrong_where_object_is_refused():
    obj = json.loads(run("where", *ISLAND_ARGS, "--json").out)
    for bad in ({**obj, "status": "maybe"}, {**obj, "answer": "perhaps"},
                {k: v for k, v in obj.items() if k != "query"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, shipped_where_schema())


def test_other_cli_objects_validate():
    for model, args in ((DistanceAnswer, ("distance", "minami-torishima", "chikyu-2026-site")),
                        (AreaAnswer, ("area", "rey-mud-area")), (SitesList, ("sites",)),
                        (LayersList, ("layers",))):
        r = run(*args, "--json")
        assert r.code == 0, r.err
        model.model_validate(r.json())
