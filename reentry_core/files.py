"""Files with personal data: created owner-only (0600, like the database itself), and
exports and reports written whole or not at all (a temporary file beside the target
replaces it only when everything was written)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import InvalidInput
from .i18n import _

#: Read and write for the owner, nothing for the group or other users of the machine.
PRIVATE = 0o600


def create_private(path: Path) -> None:
    """Create ``path`` as an empty owner-only file unless it exists (then leave it as it is)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))


@contextlib.contextmanager
def written_whole(path: Path) -> Iterator[str]:
    """Yield a temporary file name beside ``path``; on success it becomes ``path``
    (owner-only, whatever the writer did to the temporary file), on any error it is
    removed and ``path`` is left as it was."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(_("cannot write {file}: the folder {folder} does not exist").format(
            file=str(path), folder=str(folder)))
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")  # 0600
    os.close(handle)
    try:
        yield temp
        os.chmod(temp, PRIVATE)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
