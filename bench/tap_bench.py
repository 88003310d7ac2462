"""Checklist answer taps per second: the real bot against a bare aiogram bot (prints figures; not a test).

`python -m bench.tap_bench [--users 100] [--answers 20] [--rounds 3] [--no-send-budget]`

In one run, on 127.0.0.1 only, two Bot API stand-ins (`devtools/botapi_stub.py`, one per bot, so neither bot's
long poll ends the other's) serve two bot processes that poll them as in production:

- bare: an aiogram Dispatcher with one callback handler that edits the tapped message into the next question and
  answers the tap (the same two Bot API calls as the real bot), no storage, no middleware, no callback-data filter;
  its screens are the real question screens, built once at start, so both bots send the same bytes;
- real: the bot's own Dispatcher (`bot.factory.create_dispatcher`, with its middlewares, FSM storage on SQLite and
  event isolation) and Bot (`create_bot` with the flood gate and the send budget, as `bot.app.run_bot` builds
  them; `--no-send-budget` leaves the budget out, so replies never wait for room in the overall message rate), on
  a fresh SQLite file, logging as in production (`LOG_LEVEL`, default INFO).

Each round, for each bot, `--users` new people (heads of sales with a team, seeded in the database before the bot
starts) open the longest checklist through the bot's own screens (/checklists, open, start), then answer in a
closed loop: each person taps an answer on the question shown as soon as the previous tap's edit and its
callback answer both arrived, `--answers` times. Taps per second = all taps / wall time of the loop. The two
bots take turns (bare first in even rounds, real first in odd ones), so both see the same machine noise.
The users and the stand-ins run in this process (one core); each bot in its own process (the other core).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from devtools.botapi_stub import BotApiStub
    from devtools.botapi_types import ChatEvent, SentMessage

REPO = Path(__file__).resolve().parents[1]
FIRST_USER = 700_000
TARGET_RATIO = 0.7
START_TIMEOUT_S = 60.0
TAP_TIMEOUT_S = 30.0


# --- the bot processes ----------------------------------------------------------------------------------------


def _question_screens(run_id: int) -> tuple[str, list[tuple[str, object]]]:
    """The longest checklist's key and every question screen of a run, as the real bot renders them."""
    from bot.views import checklists as views
    from content import load_content

    content = load_content("ru")
    checklist = max(content.checklists.values(), key=lambda c: len(c.items))
    screens = [views.question(content, checklist, run_id, index, None, False) for index in range(len(checklist.items))]
    return checklist.key, [(screen.text, screen.markup) for screen in screens]


async def serve_bare(api_url: str, token: str) -> None:
    """The baseline: poll, edit the message into the next question, answer the tap."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.default import DefaultBotProperties
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.enums import ParseMode
    from aiogram.filters import CommandStart
    from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

    _, screens = _question_screens(1)

    async def start(message: Message) -> None:
        text, markup = screens[0]
        await message.answer(text, reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None)

    async def tap(callback: CallbackQuery) -> None:
        index = int((callback.data or "a:0:0:0").split(":")[2])
        text, markup = screens[(index + 1) % len(screens)]
        if isinstance(callback.message, Message):
            await callback.message.edit_text(
                text, reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None
            )
        await callback.answer()

    dispatcher = Dispatcher()
    dispatcher.message.register(start, CommandStart())
    dispatcher.callback_query.register(tap)
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    try:
        await dispatcher.start_polling(bot, allowed_updates=dispatcher.resolve_used_update_types())
    finally:
        await bot.session.close()


async def serve_real(api_url: str, token: str, db_path: Path, log_level: str, send_budget: bool) -> None:
    """The real bot's Dispatcher and Bot as `bot.app.run_bot` builds them, without the analysis pool and the
    reminder engine (a tap uses neither)."""
    from bot.config import Settings
    from bot.delivery import FloodGate, SendBudget
    from bot.factory import create_bot, create_dispatcher
    from bot.logs import configure_logging
    from content import load_content
    from domain.clock import SystemClock
    from storage import open_store

    settings = Settings(
        bot_token=token,  # type: ignore[arg-type]
        telegram_api_url=api_url,
        database_path=db_path,
        log_level=log_level,
    )
    configure_logging(settings.log_level, token)
    content = load_content(settings.locale)
    clock = SystemClock()
    store = await open_store(settings.database_path)
    gate = FloodGate(clock)
    budget = SendBudget(clock, rate_per_s=settings.send_rate) if send_budget else None
    bot = create_bot(settings, store, clock, gate, budget)
    dispatcher = create_dispatcher(settings, store, content, clock)
    try:
        await dispatcher.start_polling(bot, allowed_updates=dispatcher.resolve_used_update_types())
    finally:
        await bot.session.close()
        await store.close()


@dataclass
class BotChild:
    kind: str
    stub: BotApiStub
    log_path: Path
    process: asyncio.subprocess.Process | None = None

    async def start(self, extra: list[str]) -> None:
        from devtools.botapi_stub import TEST_TOKEN

        argv = [sys.executable, "-m", "bench.tap_bench", "--serve", self.kind, "--api", self.stub.base_url]
        env = dict(os.environ, PYTHONUNBUFFERED="1", BENCH_BOT_TOKEN=TEST_TOKEN)
        log: IO[bytes] = self.log_path.open("wb")
        try:
            self.process = await asyncio.create_subprocess_exec(
                *argv, *extra, cwd=REPO, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
            )
        finally:
            log.close()
        polled = asyncio.ensure_future(self.stub.wait_for_request("getUpdates", 0, START_TIMEOUT_S))
        exited = asyncio.ensure_future(self.process.wait())
        done, _ = await asyncio.wait({polled, exited}, return_when=asyncio.FIRST_COMPLETED)
        for task in (polled, exited):
            if task not in done:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, AssertionError):
                    await task
        if exited in done or polled.exception() is not None:
            raise RuntimeError(f"the {self.kind} bot did not start polling:\n{self.output()}")

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"the {self.kind} bot is not running")
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # aiogram's polling stops gracefully on it
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


# --- the simulated people ---------------------------------------------------------------------------------------


class ChatWatch:
    """Futures for "the next edit in this chat" and "the answer to this tap", fed by the stand-in's events
    (`wait_for` rescans the whole event log for every waiter: too slow for 100 people in a closed loop)."""

    def __init__(self, stub: BotApiStub) -> None:
        self._edits: dict[int, asyncio.Future[SentMessage]] = {}
        self._answers: dict[str, asyncio.Future[None]] = {}
        self._answered: set[str] = set()
        stub.add_listener(self._on_event)

    def _on_event(self, event: ChatEvent) -> None:
        if event.kind in ("edit", "new") and event.message is not None and event.message.by_bot:
            edit = self._edits.pop(event.chat_id, None)
            if edit is not None and not edit.done():
                edit.set_result(event.message)
        elif event.kind == "answer" and event.answer is not None:
            query = event.answer.callback_query_id
            answer = self._answers.pop(query, None)
            if answer is None:
                self._answered.add(query)
            elif not answer.done():
                answer.set_result(None)

    def next_message(self, chat_id: int) -> asyncio.Future[SentMessage]:
        future: asyncio.Future[SentMessage] = asyncio.get_running_loop().create_future()
        self._edits[chat_id] = future
        return future

    def answer(self, query_id: str) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if query_id in self._answered:
            self._answered.discard(query_id)
            future.set_result(None)
        else:
            self._answers[query_id] = future
        return future


def _answer_data(message: SentMessage) -> list[str]:
    return [data for data in message.callback_data if data.startswith("a:")]


async def _open_question(
    stub: BotApiStub, watch: ChatWatch, user_id: int, kind: str, checklist_key: str
) -> SentMessage:
    """Until the first question is on screen: /start for the bare bot; /checklists, open, start for the real one."""
    stub.add_user(user_id, f"Руководитель {user_id}")
    shown = watch.next_message(user_id)
    await stub.send_text(user_id, "/start" if kind == "bare" else "/checklists")
    message = await asyncio.wait_for(shown, TAP_TIMEOUT_S)
    if kind == "real":
        for action in ("open", "start"):
            shown = watch.next_message(user_id)
            await stub.click(user_id, message.message_id, f"cl:{action}:{checklist_key}")
            message = await asyncio.wait_for(shown, TAP_TIMEOUT_S)
    if not _answer_data(message):
        raise RuntimeError(f"no question on screen for {user_id}:\n{stub.transcript(user_id)}")
    return message


async def _answer_loop(
    stub: BotApiStub, watch: ChatWatch, user_id: int, message: SentMessage, answers: int, latencies: list[float]
) -> None:
    """Closed loop: tap, wait for the edit and the callback answer, tap the next question at once."""
    for number in range(answers):
        options = _answer_data(message)
        if not options:
            raise RuntimeError(f"no answer buttons after {number} taps:\n{stub.transcript(user_id)}")
        data = options[(user_id + number) % len(options)]
        shown = watch.next_message(user_id)
        began = time.perf_counter()
        query = await stub.click_raw(user_id, message.message_id, data)
        try:
            message, _ = await asyncio.wait_for(asyncio.gather(shown, watch.answer(query)), TAP_TIMEOUT_S)
        except TimeoutError:
            transcript = stub.transcript(user_id)
            raise RuntimeError(f"tap {number + 1} of {user_id} got no edit or answer:\n{transcript}") from None
        latencies.append(time.perf_counter() - began)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Pass:
    kind: str
    taps: int
    seconds: float
    p50_ms: float
    p95_ms: float
    cpu_ms: float  # the bot process's CPU time per tap: less sensitive to other load than the rate
    calls_per_tap: dict[str, float]  # Bot API calls the bot made per tap, by method (polls included)

    @property
    def rate(self) -> float:
        return self.taps / self.seconds


async def one_pass(
    stub: BotApiStub, watch: ChatWatch, kind: str, pid: int, user_ids: list[int], answers: int, checklist_key: str
) -> Pass:
    messages = await asyncio.gather(*(_open_question(stub, watch, u, kind, checklist_key) for u in user_ids))
    await asyncio.sleep(0.5)  # let the set-up's last callback answers and log lines settle
    latencies: list[float] = []
    calls_before = len(stub.calls)
    cpu_before = cpu_seconds(pid)
    began = time.perf_counter()
    await asyncio.gather(
        *(_answer_loop(stub, watch, u, m, answers, latencies) for u, m in zip(user_ids, messages, strict=True))
    )
    seconds = time.perf_counter() - began
    cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / len(latencies)
    made = Counter(call.method for call in stub.calls[calls_before:])
    calls = {method: count / len(latencies) for method, count in sorted(made.items())}
    cuts = statistics.quantiles(latencies, n=20)
    return Pass(kind, len(latencies), seconds, statistics.median(latencies) * 1000, cuts[18] * 1000, cpu_ms, calls)


# --- the run ----------------------------------------------------------------------------------------------------


async def seed(db_path: Path, user_ids: list[int]) -> None:
    """Heads of sales with a team each, written before the bot starts (as if they had onboarded)."""
    from datetime import UTC, datetime, timedelta

    from domain.models import Role
    from services.teams import create_team
    from storage import open_store

    store = await open_store(db_path)
    now = datetime.now(UTC)
    try:
        for user_id in user_ids:
            await store.users.upsert_seen(user_id, f"Руководитель {user_id}", None, now)
            await store.users.set_chosen_role(user_id, Role.HEAD)
            await create_team(store, user_id, f"Отдел {user_id}", "Europe/Moscow", timedelta(days=14), now)
    finally:
        await store.close()


async def bench(args: argparse.Namespace) -> dict[str, float | int]:
    from devtools.botapi_stub import TEST_TOKEN, BotApiStub

    checklist_key, screens = _question_screens(1)
    if not 1 <= args.answers < len(screens):
        raise SystemExit(f"--answers must be 1..{len(screens) - 1} (the longest checklist has {len(screens)})")
    stubs = {kind: BotApiStub(TEST_TOKEN) for kind in ("bare", "real")}
    passes: list[Pass] = []
    with tempfile.TemporaryDirectory(prefix="tap_bench_") as tmp_name:
        tmp = Path(tmp_name)
        db_path = tmp / "coach.db"
        rounds = [
            {
                kind: [FIRST_USER + (2 * r + k) * args.users + u for u in range(args.users)]
                for k, kind in enumerate(stubs)
            }
            for r in range(args.rounds)
        ]
        await seed(db_path, [u for r in rounds for u in r["real"]])
        children = {kind: BotChild(kind, stub, tmp / f"{kind}.log") for kind, stub in stubs.items()}
        try:
            for stub in stubs.values():
                await stub.start()
            watches = {kind: ChatWatch(stub) for kind, stub in stubs.items()}
            await children["bare"].start([])
            extra = ["--db", str(db_path), "--log-level", args.log_level]
            await children["real"].start(extra + ([] if args.send_budget else ["--no-send-budget"]))
            for number, users in enumerate(rounds):
                order = ("bare", "real") if number % 2 == 0 else ("real", "bare")
                for kind in order:
                    pid = children[kind].pid
                    done = await one_pass(
                        stubs[kind], watches[kind], kind, pid, users[kind], args.answers, checklist_key
                    )
                    passes.append(done)
                    print(
                        f"round {number + 1} {kind:<4}: {done.rate:6.1f} taps/s  ({done.taps} taps in "
                        f"{done.seconds:5.2f} s; latency p50 {done.p50_ms:5.1f} ms, p95 {done.p95_ms:5.1f} ms; "
                        f"bot CPU {done.cpu_ms:.2f} ms/tap; Bot API calls per tap: "
                        + ", ".join(f"{method} {count:.2f}" for method, count in done.calls_per_tap.items())
                        + ")",
                        flush=True,
                    )
        except BaseException:
            for child in children.values():
                if child.process is not None:
                    print(f"--- {child.kind} bot output ---\n{child.output()}", file=sys.stderr)
            raise
        finally:
            for child in children.values():
                await child.stop()
            for stub in stubs.values():
                await stub.stop()
    return summary(args, passes)


def summary(args: argparse.Namespace, passes: list[Pass]) -> dict[str, float | int]:
    bare = [p for p in passes if p.kind == "bare"]
    real = [p for p in passes if p.kind == "real"]
    ratios = [r.rate / b.rate for b, r in zip(bare, real, strict=True)]
    bare_rate = statistics.median(p.rate for p in bare)
    real_rate = statistics.median(p.rate for p in real)
    ratio = statistics.median(ratios)
    print(f"machine: {os.cpu_count()} cores; {args.users} users x {args.answers} answers, {args.rounds} rounds")
    wiring = "with the SendBudget, as run_bot" if args.send_budget else "without the SendBudget (--no-send-budget)"
    print(f"real bot: create_dispatcher + create_bot {wiring}, LOG_LEVEL={args.log_level}")
    for kind, chosen in (("bare", bare), ("real", real)):
        rates = ", ".join(f"{p.rate:.0f}" for p in chosen)
        print(
            f"{kind}: median {statistics.median(p.rate for p in chosen):.1f} taps/s (rounds: {rates}); latency "
            f"p50 {statistics.median(p.p50_ms for p in chosen):.1f} ms, "
            f"p95 {statistics.median(p.p95_ms for p in chosen):.1f} ms; "
            f"bot CPU {statistics.median(p.cpu_ms for p in chosen):.2f} ms/tap"
        )
    verdict = "OK" if ratio >= TARGET_RATIO else "MISSED"
    print(
        f"ratio real/bare: median {ratio:.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)}); "
        f"target >= {TARGET_RATIO}: {verdict}"
    )
    result: dict[str, float | int] = {
        "bare_taps_per_s": round(bare_rate, 1),
        "bot_taps_per_s": round(real_rate, 1),
        "ratio": round(ratio, 3),
        "users": args.users,
        "answers": args.answers,
    }
    print(json.dumps(result))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="each round measures both bots (default 3)")
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"), help="the real bot's LOG_LEVEL")
    parser.add_argument(
        "--no-send-budget",
        dest="send_budget",
        action="store_false",
        help="build the real bot without the shared SendBudget (its replies then never wait for room in the "
        "overall message rate); default: as bot.app.run_bot builds it",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--serve", choices=("bare", "real"), help=argparse.SUPPRESS)  # a bot process of the bench
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        token = os.environ["BENCH_BOT_TOKEN"]
        if args.serve == "bare":
            serve = serve_bare(args.api, token)
        else:
            serve = serve_real(args.api, token, args.db, args.log_level, args.send_budget)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve)
        return 0
    if args.users < 1 or args.rounds < 1:
        parser.error("--users and --rounds must be at least 1")

    async def bounded() -> None:
        await asyncio.wait_for(bench(args), args.timeout)

    asyncio.run(bounded())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
