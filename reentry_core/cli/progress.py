"""A progress bar for long file work, shown only on a terminal and for large files."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

LARGE_FILE_BYTES = 512 * 1024


@contextlib.contextmanager
def file_progress(path: Path):
    """Yield a ``progress(rows, bytes_done, bytes_total)`` callback, or ``None``."""
    if not sys.stderr.isatty() or path.stat().st_size < LARGE_FILE_BYTES:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TextColumn("{task.fields[rows]} rows"),
                  TimeRemainingColumn(), transient=True, console=None) as bar:
        task = bar.add_task(path.name, total=path.stat().st_size, rows=0)

        def progress(rows: int, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None, rows=rows)

        yield progress
