"""aiogram's line per update and per answered tap is off at INFO and back with LOG_LEVEL=DEBUG."""

import logging
import sys
import threading
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging

PER_UPDATE = ("aiogram.event", "aiogram.middlewares")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in (*PER_UPDATE, "apscheduler")}
    hooks = sys.excepthook, threading.excepthook
    yield
    root.handlers[:], root.level = handlers, level
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)
    sys.excepthook, threading.excepthook = hooks


@pytest.mark.parametrize(
    ("level", "per_update"),
    [("INFO", logging.WARNING), ("WARNING", logging.WARNING), ("ERROR", logging.ERROR), ("DEBUG", logging.DEBUG)],
)
def test_per_update_lines_follow_the_level(level: str, per_update: int) -> None:
    configure_logging(level, "123:token")
    for name in PER_UPDATE:
        assert logging.getLogger(name).getEffectiveLevel() == per_update
    assert logging.getLogger("aiogram.dispatcher").getEffectiveLevel() == logging.getLevelName(level)
