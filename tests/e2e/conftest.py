"""E2E fixtures: the Bot API stand-in, and the real bot as a subprocess talking to it.

On a failure the report gets the bot's output and the stand-in's last calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator
from pathlib import Path

import pytest

from devtools.botapi_stub import TEST_TOKEN, BotApiStub
from tests.e2e.harness import REPO, BotProcess

_PROCESSES = pytest.StashKey[list[BotProcess]]()
_STUBS = pytest.StashKey[list[BotApiStub]]()

MakeBot = Callable[..., BotProcess]


@pytest.fixture
async def stub(request: pytest.FixtureRequest) -> AsyncIterator[BotApiStub]:
    api = BotApiStub(TEST_TOKEN)
    await api.start()
    request.node.stash.setdefault(_STUBS, []).append(api)
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def make_bot(stub: BotApiStub, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[MakeBot]:
    """Build (not start) bot processes on the stand-in; every one is stopped at teardown."""
    made = request.node.stash.setdefault(_PROCESSES, [])

    def build(
        argv: list[str] | None = None,
        db_path: Path | None = None,
        token: str = TEST_TOKEN,
        extra_env: dict[str, str] | None = None,
    ) -> BotProcess:
        process = BotProcess(
            stub=stub,
            db_path=db_path or tmp_path / "coach.db",
            log_path=tmp_path / f"bot{len(made) + 1}.log",
            token=token,
            extra_env=extra_env or {},
        )
        if argv is not None:
            process.argv = argv
        made.append(process)
        return process

    yield build
    for process in made:
        await process.stop()


@pytest.fixture
async def bot_process(make_bot: MakeBot) -> BotProcess:
    """The real bot (`python main.py` in the repo root) polling the stand-in, with a fresh database."""
    if not (REPO / "main.py").exists():
        pytest.skip("main.py is not written yet")
    process = make_bot()
    await process.start()
    return process


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    if getattr(report, "failed", False):
        sections: list[tuple[str, str]] = report.sections  # type: ignore[attr-defined]
        processes: list[BotProcess] = item.stash.get(_PROCESSES, [])
        for n, process in enumerate(processes, 1):
            sections.append((f"bot process {n} output ({process.log_path})", process.output()))
        stubs: list[BotApiStub] = item.stash.get(_STUBS, [])
        for api in stubs:
            calls = [f"{c.method}{' -> ' + c.error if c.error else ''}" for c in api.calls[-40:]]
            sections.append(("Bot API stand-in: last calls", "\n".join(calls) or "(none)"))
    return report
