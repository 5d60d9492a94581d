"""The exception hierarchy: bad input is a ValueError with exit status 2, not a coordinate error."""

from __future__ import annotations

import pytest

from geo import errors


def test_country_error_is_bad_input_not_a_coordinate_error():
    from geo.zones import resolve_country

    with pytest.raises(errors.CountryError) as info:
        resolve_country("Atlantis")
    exc = info.value
    assert isinstance(exc, errors.ArgumentError) and isinstance(exc, ValueError)
    assert not isinstance(exc, errors.CoordinateError)
    assert exc.exit_code == 2


def test_one_bad_input_class_for_layer_ids_and_kinds():
    from geo.layers import resolve_layers

    with pytest.raises(errors.UnknownLayerError) as unknown:
        resolve_layers(["no-such-layer"])
    assert isinstance(unknown.value, errors.ArgumentError) and unknown.value.exit_code == 2
    assert not hasattr(errors, "LayerKindError")


def test_a_site_that_is_neither_id_nor_point_keeps_the_parse_failure_as_cause():
    from geo.sites import resolve_point

    with pytest.raises(errors.CoordinateError) as info:
        resolve_point("91,10")
    assert isinstance(info.value.__cause__, errors.CoordinateError)
    assert "site id" in str(info.value)
