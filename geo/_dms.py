"""Reading one coordinate value as people type it: tokens, grammar, arithmetic.

The private half of :mod:`geo.coords`: :func:`_raw` turns text or a number
into signed degrees (a :class:`_Raw`, not yet range-checked), raising
:class:`~geo.errors.CoordinateError` with one line that quotes the text and
says what is accepted.  The forms are documented in :mod:`geo.coords`.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from .errors import CoordinateError

_LAT_FORMS = ("use decimal degrees (24.28667, -33.9) or degrees-minutes-seconds "
              "(24°17′12″N, 24 17 12 N, 24:17:12), with an optional hemisphere letter N or S")
_LON_FORMS = ("use decimal degrees (153.98056, -70.5, or 0 to 360) or degrees-minutes-seconds "
              "(153°58′50″E, 153 58 50 E, 153:58:50), with an optional hemisphere letter E or W")
_POINT_FORMS = ("give latitude then longitude, e.g. '24.28667, 153.98056', '-33.9;18.4', "
                "'24°17′12″N 153°58′50″E' or '24 17 12 N, 153 58 50 E'")

_TOKEN_RE = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?)
    | (?P<sign>[-+\u2212])
    | (?P<deg>[°º˚]|deg|d)
    | (?P<sec>''|′′|[″"”“]|sec)
    | (?P<min>[′'’‘]|min|m)
    | (?P<s>s)
    | (?P<hemi>[nsew])
    | (?P<colon>:)
    | (?P<sep>[,;])
    """,
    re.VERBOSE | re.IGNORECASE,
)
_UNITS = ("deg", "min", "sec")
_MINUS = ("-", "\u2212")


class _Tok(NamedTuple):
    kind: str  # num, sign, deg, min, sec, s (seconds or South), hemi, colon, sep
    text: str
    start: int
    end: int
    space_before: bool


class _Parsed(NamedTuple):
    """One value read by the grammar, before any arithmetic."""

    letter: str | None  # N, S, E, W
    sign: str | None
    parts: tuple[str, ...]  # degrees[, minutes[, seconds]] as typed


class _Raw(NamedTuple):
    """One value in signed degrees, not yet checked against a range."""

    value: float
    letter: str | None
    shown: str  # how error messages quote it


class _Bad(Exception):
    """Internal: why some tokens are not a coordinate.

    ``syntax`` errors get the list of accepted forms appended; the others
    (minutes >= 60 ...) are specific enough on their own.
    """

    def __init__(self, reason: str | None = None, syntax: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.syntax = syntax


# --------------------------------------------------------------------------- helpers


def _quote(text: str) -> str:
    """Quote user text for a one-line message (repr escapes newlines)."""
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def _cannot(what: str, text: str, bad: _Bad, forms: str) -> str:
    head = f"cannot read {what} {_quote(text)}"
    if bad.reason is None:
        return f"{head}: {forms}"
    if bad.syntax:
        return f"{head}: {bad.reason}; {forms}"
    return f"{head}: {bad.reason}"


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos, space = 0, False
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise _Bad(f"unexpected {text[pos]!r}")
        kind = m.lastgroup or ""
        if kind == "space":
            space = True
        else:
            tokens.append(_Tok(kind, m.group(), m.start(), m.end(), space))
            space = False
        pos = m.end()
    # "24N153E": a letter glued to numbers on both sides is ambiguous.  ("1e5" is
    # one number: the exponent is part of the num token.)
    for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (a.kind == "num" and b.kind in ("hemi", "s") and c.kind == "num"
                and not b.space_before and not c.space_before):
            raise _Bad(f"put a space after the hemisphere letter {b.text!r}")
    return tokens


def _parse_tokens(tokens: list[_Tok]) -> _Parsed:
    """The grammar of one value: [letter] [sign] D [unit] [sep M [unit] [sep S [unit]]] [letter]."""
    n, i = len(tokens), 0
    if n == 0:
        raise _Bad("there is no number")
    pre = post = None
    if tokens[i].kind in ("hemi", "s"):
        pre = tokens[i].text.upper()
        i += 1
    sign = None
    if i < n and tokens[i].kind == "sign":
        sign = tokens[i].text
        i += 1
    parts: list[str] = []
    units: list[str | None] = []
    colons: list[bool] = []
    while True:
        if i >= n or tokens[i].kind != "num":
            where = f"after {tokens[i - 1].text!r}" if i else "at the start"
            raise _Bad(f"a number is missing {where}")
        parts.append(tokens[i].text)
        i += 1
        position = len(parts) - 1
        unit = None
        if i < n:
            tok = tokens[i]
            if tok.kind == _UNITS[position]:
                unit = tok.text.lower()
                i += 1
            elif tok.kind == "s" and position == 2 and units[1] in ("m", "min"):
                unit = tok.text.lower()  # 24d17m12s: seconds, not South
                i += 1
        units.append(unit)
        if len(parts) == 3 or i >= n:
            break
        tok = tokens[i]
        if tok.kind == "colon":
            if unit is not None:
                raise _Bad(f"':' cannot follow the unit {unit!r}")
            if colons and not colons[-1]:
                raise _Bad("mixed separators: use '24:17:12' or '24 17 12', not both")
            colons.append(True)
            i += 1
        elif tok.kind == "num":
            if unit is None and not tok.space_before:
                raise _Bad(f"unexpected {tok.text!r}")  # "24.5.3"
            if colons and colons[-1]:
                raise _Bad("mixed separators: use '24:17:12' or '24 17 12', not both")
            colons.append(False)
        else:
            break
    if i < n and tokens[i].kind in ("hemi", "s"):
        post = tokens[i].text.upper()
        i += 1
    if i < n:
        raise _Bad(f"unexpected {tokens[i].text!r}")
    if pre and post:
        raise _Bad(f"two hemisphere letters ({pre!r} and {post!r})")
    return _Parsed(pre or post, sign, tuple(parts))


def _evaluate(parsed: _Parsed) -> float:
    """Signed degrees from a parsed value (checks minutes and seconds)."""
    letter, sign, parts = parsed
    if letter and sign in _MINUS:
        raise _Bad(f"it has both a minus sign and the hemisphere letter {letter!r}; "
                   f"use one (-33.9 or 33.9 S)", syntax=False)
    if len(parts) >= 2 and any("e" in p.lower() for p in parts):
        raise _Bad("scientific notation (such as 1e1) is for decimal degrees only, "
                   "not with minutes and seconds", syntax=False)
    if len(parts) >= 2 and "." in parts[0]:
        raise _Bad(f"degrees followed by minutes must be a whole number, got {parts[0]}", syntax=False)
    if len(parts) == 3 and "." in parts[1]:
        raise _Bad(f"minutes followed by seconds must be a whole number, got {parts[1]}", syntax=False)
    value = float(parts[0])
    for name, text, scale in zip(("minutes", "seconds"), parts[1:], (60.0, 3600.0), strict=False):
        x = float(text)
        if not x < 60.0:
            raise _Bad(f"{name} must be in [0, 60), got {text}", syntax=False)
        value += x / scale
    negative = sign in _MINUS or letter in ("S", "W")
    return -value if negative else value


def _forms(what: str) -> str:
    return _LAT_FORMS if what == "latitude" else _LON_FORMS


def _raw(value: Any, what: str) -> _Raw:
    """Read a value (text or number) without checking its range or letter."""
    if value is None:
        raise CoordinateError(f"{what} is missing: {_forms(what)}")
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        raise CoordinateError(f"{what} must be text or a number, got the boolean {bool(value)}")
    if isinstance(value, str):
        return _raw_text(value, what)
    if isinstance(value, (bytes, bytearray)) or hasattr(value, "__len__") \
            or not hasattr(type(value), "__float__"):
        raise CoordinateError(f"{what} must be text or a single number, got {type(value).__name__}")
    try:
        x = float(value)
    except OverflowError as exc:
        raise CoordinateError(f"{what} {_quote(str(value))} is out of range") from exc
    except Exception as exc:  # a broken __float__ must still give a CoordinateError
        raise CoordinateError(f"{what} must be text or a single number, got {type(value).__name__}") from exc
    shown = str(value) if isinstance(value, int) and len(str(value)) < 30 else repr(x)
    if not math.isfinite(x):
        lo, hi = ("-90", "90") if what == "latitude" else ("-180", "360")
        raise CoordinateError(f"{what} {shown} is not a finite number: give degrees from {lo} to {hi}")
    return _Raw(x, None, shown)


def _raw_text(text: str, what: str) -> _Raw:
    if not text.strip():
        raise CoordinateError(f"{what} is missing (empty text): {_forms(what)}")
    try:
        tokens = _tokenize(text)
        for tok in tokens:
            if tok.kind == "sep":
                raise _Bad(f"{tok.text!r} separates latitude from longitude and cannot appear "
                           f"inside one {what} (use '.' for decimals)")
        parsed = _parse_tokens(tokens)
        value = _evaluate(parsed)
    except _Bad as bad:
        raise CoordinateError(_cannot(what, text, bad, _forms(what))) from bad
    return _Raw(value, parsed.letter, _quote(text))


def _raw_side(tokens: list[_Tok], text: str) -> _Raw:
    """One side of a point, read with errors naming both it and the point."""
    side = text[tokens[0].start:tokens[-1].end]
    try:
        parsed = _parse_tokens(tokens)
        value = _evaluate(parsed)
    except _Bad as bad:
        raise CoordinateError(_cannot(f"{_quote(side)} in point", text, bad, _POINT_FORMS)) from bad
    return _Raw(value, parsed.letter, _quote(side))
