"""File names from clients are untrusted: strip directories, traversal and control characters.

The stored object key never uses the client's name directly; the sanitised name is kept for display and to
pick a parser by extension.
"""

from __future__ import annotations

import re
import unicodedata

from tuneline.data.processing.errors import UnsafeFileNameError

_MAX_NAME_CHARS = 200
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._ ()+-]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def sanitize_filename(name: str) -> str:
    """Reduce a client-supplied file name to a safe base name, or raise naming why it is unusable.

    Both separators count as directory separators (a Windows client sends backslashes), so
    ``..\\..\\etc\\passwd`` and ``../../etc/passwd`` both become ``passwd``.
    """
    if not isinstance(name, str):
        raise UnsafeFileNameError("file name must be a string")
    normalized = unicodedata.normalize("NFKC", name)
    normalized = "".join(ch for ch in normalized if unicodedata.category(ch)[0] != "C")
    base = re.split(r"[\\/]", normalized)[-1].strip()
    base = _UNSAFE_CHARS.sub("_", base)
    base = base.lstrip(".")  # no hidden files, no "..", no ".htaccess"-style names
    base = re.sub(r"_+", "_", base).strip(" _")
    if not base or not re.search(r"[A-Za-z0-9]", base):
        raise UnsafeFileNameError(f"file name {name!r} has no usable characters after sanitising")
    stem, dot, ext = base.rpartition(".")
    if (stem if dot else base).upper() in _WINDOWS_RESERVED:
        base = "_" + base
    if len(base) > _MAX_NAME_CHARS:
        keep_ext = ext if dot and len(ext) <= 10 else ""
        base = base[: _MAX_NAME_CHARS - len(keep_ext) - 1].rstrip(".") + ("." + keep_ext if keep_ext else "")
    return base


def file_extension(name: str) -> str:
    """Lower-case extension without the dot ('' when there is none)."""
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""
