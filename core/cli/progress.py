"""Progress of long commands, on standard error only.

On a terminal, a rich progress bar (or a spinner when the amount of work is unknown).
Elsewhere (cron, a container's log, a pipe) nothing: the scripts that read the
command get its result on standard output and, on failure, the single error line on
standard error, as before. Standard output never carries progress.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class Step:
    """One step of a job: ``update(done, total)`` or ``advance(n)`` as work is done."""

    def __init__(self, bar: Progress | None, task: TaskID | None) -> None:
        self._bar, self._task = bar, task

    def update(self, done: int, total: int | None = None) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, amount)


class Steps:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Progress | None = None
        if stream.isatty():
            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=stream),
            )

    @contextmanager
    def step(self, label: str, total: int | None = None) -> Iterator[Step]:
        if self.bar is None:
            yield Step(None, None)
            return
        task = self.bar.add_task(label, total=total)
        try:
            yield Step(self.bar, task)
        finally:
            # A finished step shows full, whatever the job reported.
            final = self.bar.tasks[task].total
            self.bar.update(task, completed=final if final is not None else 1, total=final or 1)


@contextmanager
def progress(stream: TextIO | None = None) -> Iterator[Steps]:
    steps = Steps(stream or sys.stderr)
    if steps.bar is None:
        yield steps
        return
    with steps.bar:
        yield steps
