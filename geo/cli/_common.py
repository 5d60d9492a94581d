"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any

import click

from ..coords import wrap_lon

#: Negative numbers are ordinary input (``eezmap where -33.9 18.4``), not options.
CONTEXT = {"help_option_names": ["-h", "--help"], "ignore_unknown_options": True}


def fail_line(message: str) -> None:
    """One line on stderr (newlines folded)."""
    click.echo(" ".join(str(message).split("\n")), err=True)


def error_line(exc: BaseException | str) -> str:
    """The one line the CLI prints for a library error (the service's ``{"error": ...}`` too)."""
    return " ".join(f"eezmap: error: {_flags(str(exc))}".split("\n"))


#: Library messages name parameters in backticks (`page_size`); the command line names its flags.
_FLAGS = {name: "--" + name.replace("_", "-") for name in
          ("bbox", "sovereign", "world", "page_size", "timeout", "source_layer")} | {"layer_id": "--id"}


def _flags(text: str) -> str:
    """*text* with each backticked library parameter (`page_size`) named as its flag (--page-size)."""
    return re.sub(r"`(\w+)`", lambda m: _FLAGS.get(m[1], m[0]), text)


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")(f)


def indent_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--indent", type=click.IntRange(0, 8), default=None,
                        help="Indent JSON output by this many spaces.")(f)


def layer_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--layer", "layers", multiple=True, metavar="ID",
                        help="Zone layer to answer with (repeat for precedence; default: "
                             "mr-v12-eez-nw-pacific, then the coarse mr-v10-eez-world).")(f)


def print_json(obj: Any, indent: int | None = None) -> None:
    sys.stdout.write(json.dumps(obj, indent=indent, ensure_ascii=False) + "\n")


def reject_unknown_options(values: tuple[str, ...] | list[str]) -> None:
    """With ignore_unknown_options, a mistyped option reaches the arguments: say so."""
    for v in values:
        if v.startswith("--") or (v.startswith("-") and len(v) > 1 and v[1].isalpha()):
            raise click.UsageError(f"no such option: {v}")


def progress_choice(flag: bool | None) -> bool | None:
    """``--progress/--no-progress`` as given; not given: none under ``-q``, else the default (None)."""
    from ._log import quiet

    return flag if flag is not None else (False if quiet() else None)


def given(ctx: click.Context, name: str) -> bool:
    """Whether the user typed option *name* (not a default)."""
    return ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE


def refuse_unless(ctx: click.Context, condition: bool, why: str, *names: str) -> None:
    """Refuse an option that would be silently ignored: *names* given, *condition* false.

    The message is ``--flag why``, e.g. ``--indent needs --json``.
    """
    if condition:
        return
    for name in names:
        if given(ctx, name):
            param = next(p for p in ctx.command.params if p.name == name)
            flag = max(param.opts, key=len) if param.opts else name
            if isinstance(param, click.Option) and param.secondary_opts and not ctx.params.get(name):
                flag = max(param.secondary_opts, key=len)
            raise click.UsageError(f"{flag} {why}", ctx)


def refuse_indent_without_json(ctx: click.Context) -> None:
    refuse_unless(ctx, bool(ctx.params.get("as_json")), "needs --json (it indents the JSON output)", "indent")


#: names said with "the" ("the Philippines", "the United States", "the Marshall Islands")
_THE_WORDS = {"Islands", "Republic", "Kingdom", "States", "Emirates", "Federation", "Netherlands",
              "Philippines", "Bahamas", "Maldives", "Seychelles", "Comores", "Comoros", "Gambia"}
#: plural names, whose possessive is a bare apostrophe ("the Philippines' EEZ")
_PLURAL_WORDS = {"Islands", "States", "Emirates", "Netherlands", "Philippines", "Bahamas", "Maldives",
                 "Seychelles", "Comores", "Comoros"}


def with_article(name: str) -> str:
    """The name as said inside a sentence: Japan, the Philippines, the United States."""
    return f"the {name}" if _THE_WORDS & set(name.split()) else name


def possessive(name: str) -> str:
    """Japan's, France's, the Philippines', the Marshall Islands'."""
    words = name.split()
    plural = bool(words) and words[-1] in _PLURAL_WORDS
    return with_article(name) + ("'" if plural else "'s")


def fmt_lat(lat: float) -> str:
    return f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'}"


def fmt_lon(lon: float) -> str:
    lon = wrap_lon(lon)
    return f"{abs(lon):.5f}°{'E' if lon >= 0 else 'W'}"


# --- library parameter names -> this command line's flags ----------------------------------------

def translate(exc: BaseException) -> str:
    """The message of a library error with its parameter names said as this CLI's flags.

    Library messages name Python parameters (```page_size` must be at least 1``); the command
    line says ``--page-size must be at least 1``.  Translated: names in backticks that are
    parameters of a loaded command, and the names in the error's ``param`` attribute (a name
    or a tuple of names) wherever they stand.  A bare word is never rewritten otherwise: a
    path or a column name that happens to spell a parameter (``lat_col.csv``) is the user's
    and is quoted as given.  ``name=value`` and ``name='value'`` become ``--flag value``.
    """
    text = str(exc)
    flags = param_flags()
    named = getattr(exc, "param", None)
    wanted = set((named,) if isinstance(named, str) else (named or ()))
    for name, flag in sorted(flags.items(), key=lambda kv: -len(kv[0])):
        text = _say_flag(text, name, flag) if name in wanted else _say_quoted(text, name, flag)
    return text


def _say_quoted(text: str, name: str, flag: str) -> str:
    return re.sub(rf"`{re.escape(name)}`", flag, text)


def _say_flag(text: str, name: str, flag: str) -> str:
    word = rf"(?<![\w./-]){re.escape(name)}(?![\w/-]|\.\w)"
    text = re.sub(word + r"\s*=\s*'([^']*)'", lambda m: f"{flag} {m.group(1)}", text)
    text = re.sub(word + r"\s*=\s*(?=\S)", f"{flag} ", text)
    return re.sub(r"`?" + word + r"`?", flag, text)


def param_flags() -> dict[str, str]:
    """Parameter name -> its long flag, over the subcommands imported so far (the one that ran)."""
    flags: dict[str, str] = {}
    todo: list[click.Command] = []
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith(f"{__package__}.") and isinstance(getattr(module, "command", None),
                                                                      click.Command):
            todo.append(module.command)
    while todo:
        cmd = todo.pop()
        if isinstance(cmd, click.Group):
            todo.extend(cmd.commands.values())
        for p in cmd.params:
            if isinstance(p, click.Option) and p.name and p.opts:
                flags.setdefault(p.name, max(p.opts, key=len))
    return flags
