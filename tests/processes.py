"""The process tree under a pid, read from /proc (Linux): what must not outlive a killed bot."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path

Process = tuple[int, str]  # pid and start time: a pid reused by a new process is not the one we saw


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat from the state on (the command name may hold spaces and brackets)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def descendants(root: int) -> set[Process]:
    children: dict[int, list[Process]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found: set[Process] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child[0])
    return found


def alive(process: Process) -> bool:
    fields = _stat(process[0])
    return fields is not None and fields[19] == process[1] and fields[0] != "Z"  # a zombie has exited


def maps_mention(pid: int, needle: str) -> bool:
    """Whether the process has a file mapped whose path holds `needle` (e.g. pandas' compiled modules)."""
    try:
        return needle in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


async def survivors(processes: set[Process], within_s: float = 10.0) -> set[Process]:
    """Those still alive after `within_s`; they are killed then, so a failing test leaves nothing behind."""
    deadline = time.monotonic() + within_s
    left = {p for p in processes if alive(p)}
    while left and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        left = {p for p in left if alive(p)}
    for pid, _ in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left
