"""What the `gridgis` commands share: the consoles, failing with a message, a progress bar,
and the database URL the main callback resolved."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console()
errors = Console(stderr=True)


def url_of(ctx: typer.Context) -> str:
    """The database URL the main callback resolved (and migrated) for this command."""
    root = ctx.find_root()
    url: str = root.obj
    return url


def fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


@contextlib.contextmanager
def bar() -> Iterator[Progress]:
    columns = (
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        yield progress


def shown(url: str) -> str:
    """A URL fit for a screen: its password replaced."""
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)
