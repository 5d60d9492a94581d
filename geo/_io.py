"""Atomic file output shared by every writer (user outputs and cache files alike).

What is at the output path is respected:

- a **regular file** (or a new name) is replaced atomically: the output is
  written to a temporary file beside it and renamed into place only when
  complete; the new file keeps the permissions of the file it replaces;
- a **symlink** is written through: the temporary file goes beside the
  link's target and is renamed onto the target; the link stays;
- a **device or FIFO** (``/dev/null``, ``/dev/full``, a named pipe) is never
  replaced: the output is completed in a temporary file in the system's
  temporary directory, then copied into it (so a FIFO's reader gets the whole
  output or nothing), and a failing write (``ENOSPC`` on a full device,
  ``EPIPE``...) is an :class:`~geo.errors.OutputError`;
- an existing file with no write permission bit (``0444``), or one that the
  current user may not write, is refused (even for root, who could);
- a directory is refused (except by the writers that make one, like Dask's).

On any error, Ctrl-C or SIGTERM (see :mod:`geo.cli`) the temporary file is
removed and what was at the path is left untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from .errors import GeoError, OutputError

#: The names each kind of output may have (the suffix says what is in the file).
HTML_SUFFIXES = (".html", ".htm")
GEOJSON_SUFFIXES = (".geojson", ".json")
#: A Dask output is a directory of Parquet files: no suffix, or ``.parquet``.
PARQUET_DIRECTORY_SUFFIXES = ("", ".parquet")


#: The stop (Ctrl-C, SIGTERM, SIGHUP) a signal handler asked for, if any: no output is committed
#: after it, even when the exception the handler raised was swallowed on its way up (raised
#: inside a ``__del__`` or a weakref callback, Python prints "Exception ignored" and goes on).
_stop: list[BaseException] = []


def request_stop(exc: BaseException | None) -> None:
    """Record (or, with None, forget) a requested stop; called by the CLI's signal handler."""
    _stop[:] = [exc] if exc is not None else []


def check_stop() -> None:
    """Raise the requested stop, if any: called at every commit point."""
    if _stop:
        raise _stop[0]

def check_output(path: str | os.PathLike[str], *inputs: str | os.PathLike[str] | None,
                 suffixes: Sequence[str] | None = None, what: str = "output") -> Path:
    """Refuse an output path before anything is computed or written.

    Refused: a directory, one of the *inputs* (also through a symlink), a name
    whose suffix is not one of *suffixes* (when given; a device or FIFO is
    asked no suffix), a directory that does not exist (it is never made: one
    error line, as most Unix tools), and an existing file that may not be
    written (read-only, or not the user's to write).  Returns the path as given.
    """
    _refuse_empty(path, what)
    out = Path(path)
    target = _target(out)
    if target.is_dir():
        raise OutputError(f"{what} {out} is a directory; give a file name")
    if suffixes is not None and out.suffix.lower() not in suffixes and not _is_special(target):
        raise OutputError(f"{what} {out}: {_suffix_hint(suffixes)}")
    for i in inputs:
        if i is None or str(i) == "-":
            continue
        if _same_file(out, Path(i)):
            raise OutputError(f"{what} {out} is the input file; refusing to overwrite it")
    if not _is_special(target):
        _check_directory(out, target.parent)
    _check_replaceable(out, target)
    return out


def check_output_directory(path: str | os.PathLike[str], *inputs: str | os.PathLike[str] | None,
                           what: str = "output") -> Path:
    """Refuse an output directory of Parquet files (``engine="dask"``) before anything is computed.

    Its name has no suffix or ``.parquet``; its parent must exist.  An existing
    directory is replaced only if it holds nothing but Parquet files (an earlier
    output), never one holding the *inputs* or anything else.
    """
    _refuse_empty(path, what)
    out = Path(path)
    target = _target(out)
    if out.suffix.lower() not in PARQUET_DIRECTORY_SUFFIXES:
        err = OutputError(f"{what} {out}: engine='dask' writes a directory of Parquet files; "
                          f"{_suffix_hint(PARQUET_DIRECTORY_SUFFIXES)}")
        err.param = "engine"  # the command line says --engine dask
        raise err
    if target.exists() and not target.is_dir():
        raise OutputError(f"{what} {out}: the dask engine writes a directory of Parquet files, "
                          f"and {out} is a file")
    for i in inputs:
        if i is not None and str(i) != "-" and (_same_file(out, Path(i)) or
                                                 Path(i).resolve().is_relative_to(target.resolve())):
            raise OutputError(f"{what} {out} holds the input files; refusing to overwrite them")
    if target.is_dir():
        foreign = [p.name for p in target.iterdir()
                   if not (p.is_file() and (p.suffix == ".parquet"
                                            or p.name in ("_metadata", "_common_metadata")))]
        if foreign:
            raise OutputError(f"{what} {out} is a directory holding other files than Parquet "
                              f"({foreign[0]}, ...); "
                              "give a new directory name")
    _check_directory(out, target.parent)
    return out


def check_outputs(outputs: Sequence[tuple[str, str | os.PathLike[str] | None, Sequence[str] | None]],
                  *inputs: str | os.PathLike[str] | None) -> None:
    """Check every output of a command (``(what, path, suffixes)``) before any is written.

    Besides :func:`check_output` for each, two outputs may not be the same file.
    """
    seen: list[tuple[str, Path]] = []
    for what, path, suffixes in outputs:
        if path is None:
            continue
        out = check_output(path, *inputs, suffixes=suffixes, what=what)
        for other_what, other in seen:
            if not _is_special(_target(out)) and _same_file(out, other):
                raise OutputError(f"{what} {out} is also the {other_what}; give two different files")
        seen.append((what, out))


def _refuse_empty(path: str | os.PathLike[str], what: str) -> None:
    if not str(path).strip():
        raise OutputError(f"{what} path is empty; give a file name (or - for standard output where allowed)")


def _suffix_hint(suffixes: Sequence[str]) -> str:
    if "" in suffixes:
        named = [x for x in suffixes if x]
        return ("give a directory name" + (f" (no suffix, or {' or '.join(named)})" if named else ""))
    return f"give a {' or '.join(suffixes)} file name"


def _target(path: Path) -> Path:
    """The file a write to *path* reaches: a symlink's (final) target, else *path*.

    A link to a device or FIFO is kept as it is: opening it reaches the node
    (``/dev/stdout`` links to ``/proc/self/fd/1``, whose "target" is no path).
    """
    if not path.is_symlink() or _is_special(path) or _names_a_descriptor(path):
        return path
    return Path(os.path.realpath(path))


def _names_a_descriptor(path: Path) -> bool:
    """A link through ``/proc/*/fd`` or ``/dev/fd`` (``/dev/stdout``): an open file, written in place."""
    p = str(path)
    for _ in range(40):
        if p.startswith(("/proc/", "/dev/fd/")):
            return True
        if not os.path.islink(p):
            return False
        p = os.path.join(os.path.dirname(p), os.readlink(p))
    return False


def _is_special(target: Path) -> bool:
    """A device, FIFO or socket, or an open file (``/dev/stdout``): written in place, never replaced."""
    if target.is_symlink() and _names_a_descriptor(target):
        return True
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _check_directory(out: Path, directory: Path) -> None:
    """*directory* must exist (it is never made) and be a directory we may write in."""
    d = directory if str(directory) else Path(".")
    if d.is_symlink() and not d.exists():  # a dangling link where a directory should be
        raise OutputError(f"cannot write {out}: {d} is a broken link")
    if not d.exists():
        e = d
        while not e.parent.exists() and e != e.parent:
            e = e.parent
        if e.parent.is_dir():
            raise OutputError(f"cannot write {out}: directory {d} does not exist (create it first)")
        d = e.parent
    if not d.is_dir():
        raise OutputError(f"cannot write {out}: {d} is not a directory")
    if not _access(d, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {out}: no permission to write in {d}")


def _access(path: Path, mode: int) -> bool:
    if os.access in os.supports_effective_ids:
        return os.access(path, mode, effective_ids=True)
    return os.access(path, mode)


def _check_replaceable(out: Path, target: Path) -> None:
    """Refuse an existing file that has no write permission bit, or that we may not write."""
    try:
        st = os.stat(target)
    except OSError:
        return
    if stat.S_ISDIR(st.st_mode):
        return
    if stat.S_ISREG(st.st_mode) and not st.st_mode & 0o222:
        raise OutputError(f"output {out} is read-only (mode {stat.S_IMODE(st.st_mode):04o}); "
                          "make it writable (chmod u+w) or remove it first")
    if not _access(target, os.W_OK):
        raise OutputError(f"output {out} is not writable for you (mode {stat.S_IMODE(st.st_mode):04o}, "
                          f"owner uid {st.st_uid}); refusing to replace it")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _failed(out: Path, exc: BaseException) -> OutputError:
    return OutputError(f"cannot write {out}: {getattr(exc, 'strerror', None) or exc}")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str | None = None, *, mode: int | None = None,
                fsync: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it becomes *path* (see the module's rules).

    Parameters
    ----------
    path : path-like
        The output.  A symlink is written through to its target; a device
        or FIFO is written in place after the temporary file is complete.
    suffix : str, optional
        Suffix of the temporary file (default: *path*'s suffix + ``.tmp``).
    mode : int, optional
        Permission bits of a new file (default: those of the file replaced,
        else ``0666`` less the umask; cache files pass ``0o600``).
    fsync : bool
        Flush the file to disk before it is renamed into place.

    On any error, Ctrl-C or SIGTERM the temporary file is removed and what
    was at *path* is left untouched; an ``OSError`` becomes an
    :class:`~geo.errors.OutputError` naming *path*.
    """
    out = Path(path)
    target = _target(out)
    _check_replaceable(out, target)
    suffix = suffix if suffix is not None else target.suffix + ".tmp"
    special = _is_special(target)
    try:
        if special:
            fd, tmp = tempfile.mkstemp(prefix="eezmap-", suffix=suffix)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
        os.close(fd)
    except OSError as exc:
        raise _failed(out, exc) from exc
    tmp_path = Path(tmp)
    try:
        if not special:
            if mode is None:
                try:
                    st = os.stat(target)
                    mode = stat.S_IMODE(st.st_mode) & 0o777 if stat.S_ISREG(st.st_mode) else None
                except OSError:
                    pass
            os.chmod(tmp_path, mode if mode is not None else 0o666 & ~_umask())
        yield tmp_path
        check_stop()  # a stop asked for while writing: never commit
        if special:
            _copy_into(tmp_path, target)
        else:
            if fsync and tmp_path.is_file():
                with open(tmp_path, "rb+") as fh:
                    os.fsync(fh.fileno())
            if tmp_path.is_dir() and target.is_dir():  # an earlier output directory: swap, then remove it
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                os.replace(target, old)
                os.replace(tmp_path, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp_path, target)
    except BaseException as exc:
        if isinstance(exc, OSError) and not isinstance(exc, GeoError):
            raise _failed(out, exc) from exc
        raise
    finally:
        with contextlib.suppress(OSError):
            if tmp_path.is_dir() and not tmp_path.is_symlink():
                shutil.rmtree(tmp_path)
            elif special or tmp_path.exists():
                tmp_path.unlink()


def _copy_into(src: Path, device: Path) -> None:
    """Copy a finished output into a device or FIFO (opened for writing, never replaced)."""
    with open(src, "rb") as f, open(device, "wb") as g:
        shutil.copyfileobj(f, g, 1 << 20)


@contextlib.contextmanager
def atomic_text(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """Open a text file for writing that appears at *path* only when complete."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        yield f


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None,
                       fsync: bool = False) -> None:
    """Write *data* to *path* atomically (see :func:`atomic_path` for *mode* and *fsync*).

    The one bytes writer for cache and index files (``layers``' WKB cache,
    ``GridIndex.save``): a temporary file beside *path*, renamed into place
    when complete; cache files pass ``mode=0o600`` and ``fsync=True``.
    """
    with atomic_path(path, mode=mode, fsync=fsync) as tmp, open(tmp, "wb") as f:
        f.write(data)
