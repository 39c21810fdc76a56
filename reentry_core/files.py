"""Writing a file whole or not at all: exports and reports go to a temporary file beside
the target and replace it only when everything was written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import InvalidInput
from .i18n import _


@contextlib.contextmanager
def written_whole(path: Path) -> Iterator[str]:
    """Yield a temporary file name beside ``path``; on success it becomes ``path``, on any
    error it is removed and ``path`` is left as it was."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(_("cannot write {file}: the folder {folder} does not exist").format(
            file=str(path), folder=str(folder)))
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        yield temp
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
