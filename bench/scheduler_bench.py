"""The reminder engine under load (prints figures; not a test): `python -m bench.scheduler_bench`.

Options: `--reminders 100000 --users 10000 --burst 1000 --broadcast 1000 --rate 30` (the defaults);
`--rate` is the SendBudget rate of the broadcast phase (30: issue 6's target), `--burst-rate` that of the burst
phase (25, the production SEND_RATE), `--taps`.

Everything real: domain.clock.SystemClock, APSchedulerAdapter, ReminderEngine, Sender, create_bot (RetryingDelivery
with the shared FloodGate and SendBudget), create_dispatcher polling the stand-in; all traffic on 127.0.0.1 to
devtools.botapi_stub.BotApiStub enforcing 30 messages/s overall and 1/s per chat (429 with retry_after 1).
The database lives in a temporary folder and is removed at the end.

1. Startup: `--reminders` active reminders of `--users` people, due over the next three weeks, are written to the
   database; then a FRESH child process (`--startup-child`) imports the bot, and is timed from `open_store` to the
   end of `engine.start()` (the wiring of bot.app.run_bot: store, Bot, Sender, engine, Dispatcher, scheduler, the
   first tick). Its VmRSS / VmHWM are read from /proc/self/status.
2. Burst: `--burst` reminders of distinct people fall due at the same moment; lateness = the moment the stand-in
   stores each message (time.time()) minus the due moment.
3. Broadcast: one team reminder to `--broadcast` members (role audience), sent at `--rate`; throughput from the
   stand-in's receive times; every delivery must be sent exactly once, and the stand-in must answer no 429.
4. Meanwhile recipients tap "done" on their reminders (`--taps`, spread over the broadcast): each tap is timed by
   the stand-in from the callback query to its answerCallbackQuery (the handler edits the message first).

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher

    from bot.config import Settings
    from content import Content
    from devtools.botapi_stub import BotApiStub
    from devtools.botapi_types import ChatEvent
    from scheduling.engine import ReminderEngine
    from scheduling.scheduler import APSchedulerAdapter
    from storage import Store

REPO = Path(__file__).resolve().parents[1]
FIRST_USER = 500_000_001  # Telegram ids of the bench's people: FIRST_USER .. FIRST_USER + users - 1
ZONES = ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Europe/Kaliningrad")
STARTUP_TARGET_S = 3.0
RSS_TARGET_MB = 300.0
FIRST_LATE_TARGET_S = 1.0
THROUGHPUT_TARGET = 28.5
TAP_TARGET_S = 1.0
TAP_AFTER_SEND_S = 1.3  # the stand-in allows one sending call per chat per second: the edit must wait that long


class SkippedRuns(logging.Handler):
    """Counts APScheduler's "skipped: maximum number of running instances reached": a wake-up that came while
    the same job's previous tick still ran. A skipped date job never runs; the next safety tick catches up."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "maximum number of running instances" in record.getMessage():
            self.count += 1


SKIPPED = SkippedRuns()


class Pauses(logging.Handler):
    """Counts bot.delivery's "429 on ...: the bot pauses" lines (one per new bot-wide pause)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "the bot pauses" in record.getMessage():
            self.count += 1
        else:
            print(f"  [bot.delivery] {record.getMessage()}")


PAUSES = Pauses()


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def proc_status_mb(field_name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- data ---------------------------------------------------------------------------------------------------


async def fill_database(store: Store, reminders: int, users: int, seed: int = 6) -> None:
    """`users` people and `reminders` active personal reminders, due over the next three weeks."""
    from domain.schedules import Frequency, Rule, next_occurrence
    from storage.db import to_db_time

    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = to_db_time(now)
    today = now.date()
    people = [(FIRST_USER + n, f"Менеджер {n}", f"m{n}", ZONES[n % len(ZONES)], stamp) for n in range(users)]
    first_due: dict[tuple[str, str], str] = {}  # many reminders share a rule and a zone: compute each once
    rows = []
    for n in range(reminders):
        user_id, _, _, zone, _ = people[n % users]
        start = today + timedelta(days=rng.randint(1, 21))
        at = dtime(rng.choice((8, 9, 10, 11, 12, 14, 15, 16, 17, 18)), rng.choice((0, 15, 30, 45)))
        kind = n % 5
        if kind == 0:
            rule = Rule(Frequency.ONCE, at=at, start=start)
        elif kind == 1:
            rule = Rule(Frequency.DAILY, at=at, start=start)
        elif kind == 2:
            rule = Rule(Frequency.WEEKLY, at=at, start=start, weekdays=tuple(sorted(rng.sample(range(5), 2))))
        elif kind == 3:
            rule = Rule(Frequency.MONTHLY, at=at, start=start, month_day=rng.randint(1, 31))
        else:
            rule = Rule(Frequency.LAST_WORKDAY, at=at, start=start)
        text = rule.to_json()
        key = (text, zone)
        if key not in first_due:
            due = next_occurrence(rule, zone, now)
            assert due is not None
            first_due[key] = to_db_time(due)
        rows.append((user_id, "custom", f"Позвонить клиенту №{n}", text, zone, first_due[key], user_id, stamp))
    async with store.db.transaction():
        await store.db.executemany(
            "INSERT INTO users(id, display_name, username, timezone, created_at) VALUES (?, ?, ?, ?, ?)", people
        )
        await store.db.executemany(
            "INSERT INTO reminders(user_id, kind, title, rule, timezone, next_due_at, state, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            rows,
        )


def daily_rule_at(moment: datetime, zone: str) -> str:
    """A daily rule at `moment`'s local minute: due at `moment` now, then tomorrow."""
    from zoneinfo import ZoneInfo

    from domain.schedules import Frequency, Rule

    local = moment.astimezone(ZoneInfo(zone))
    return Rule(Frequency.DAILY, at=dtime(local.hour, local.minute), start=local.date()).to_json()


async def add_burst(store: Store, user_ids: list[int], due: datetime) -> None:
    from storage.db import to_db_time

    zone = "Europe/Moscow"
    stamp = to_db_time(datetime.now(UTC))
    rule = daily_rule_at(due, zone)
    rows = [(u, "custom", "Планёрка: отчёт за вчера", rule, zone, to_db_time(due), u, stamp) for u in user_ids]
    async with store.db.transaction():
        await store.db.executemany(
            "INSERT INTO reminders(user_id, kind, title, rule, timezone, next_due_at, state, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            rows,
        )


async def add_broadcast(store: Store, user_ids: list[int], due: datetime) -> int:
    """A team of `user_ids` (members) with one reminder to the whole member audience; returns its id."""
    from storage.db import to_db_time

    zone = "Europe/Moscow"
    stamp = to_db_time(datetime.now(UTC))
    head = user_ids[0]
    async with store.db.transaction():
        team_id = await store.db.insert(
            "INSERT INTO teams(name, timezone, created_by, created_at) VALUES (?, ?, ?, ?)",
            ("Отдел продаж", zone, head, stamp),
        )
        await store.db.executemany(
            "INSERT INTO memberships(team_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?)",
            [(team_id, u, stamp) for u in user_ids],
        )
        return await store.db.insert(
            "INSERT INTO reminders(team_id, audience_role, kind, title, rule, timezone, next_due_at, state, "
            "created_by, created_at) VALUES (?, 'member', 'custom', ?, ?, ?, ?, 'active', ?, ?)",
            (team_id, "Итоги недели: заполните план", daily_rule_at(due, zone), zone, to_db_time(due), head, stamp),
        )


# --- the bot as bot.app.run_bot wires it ----------------------------------------------------------------------


@dataclass
class Rig:
    store: Store
    bot: Bot
    dispatcher: Dispatcher | None
    engine: ReminderEngine
    scheduler: APSchedulerAdapter
    polling: asyncio.Task[None] | None = None
    settings: Settings | None = None
    timings: dict[str, float] = field(default_factory=dict)


def build_rig(
    store: Store, api_url: str, db_path: Path, rate: float, content: Content, dispatcher: bool
) -> Rig:
    """bot.app.run_bot's wiring, minus the analysis pool and the profile calls; the Dispatcher (its handlers
    and their imports) only if asked."""
    from bot.app import create_reminder_engine
    from bot.config import Settings
    from bot.delivery import FloodGate, SendBudget
    from bot.factory import create_bot
    from domain.clock import SystemClock
    from scheduling.scheduler import APSchedulerAdapter

    settings = Settings(
        bot_token="123456:TEST-token",  # type: ignore[arg-type]
        telegram_api_url=api_url,
        database_path=db_path,
        send_rate=rate,
        log_level="WARNING",
        _env_file=None,  # type: ignore[call-arg]
    )
    clock = SystemClock()
    gate = FloodGate(clock)
    budget = SendBudget(clock, rate_per_s=settings.send_rate)
    bot = create_bot(settings, store, clock, gate, budget)
    scheduler = APSchedulerAdapter()
    engine = create_reminder_engine(settings, store, content, bot, clock, gate, budget, scheduler)
    rig = Rig(store, bot, None, engine, scheduler)
    if dispatcher:
        add_dispatcher(rig, settings, content)
    return rig


def add_dispatcher(rig: Rig, settings: Settings, content: Content) -> None:
    from bot.factory import create_dispatcher
    from domain.clock import SystemClock

    rig.settings = settings
    rig.dispatcher = create_dispatcher(settings, rig.store, content, SystemClock(), reminder_engine=rig.engine)


async def start_rig(rig: Rig, poll: bool) -> None:
    rig.scheduler.start()
    began = time.perf_counter()
    await rig.engine.start()
    rig.timings["engine.start"] = time.perf_counter() - began
    if poll:
        assert rig.dispatcher is not None
        rig.polling = asyncio.create_task(
            rig.dispatcher.start_polling(
                rig.bot, handle_signals=False, allowed_updates=rig.dispatcher.resolve_used_update_types()
            )
        )


async def stop_rig(rig: Rig) -> None:
    rig.scheduler.shutdown()
    await rig.engine.drain()
    await rig.engine.stop()
    if rig.polling is not None and rig.dispatcher is not None:
        with contextlib.suppress(RuntimeError):
            await rig.dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(rig.polling, 15)
    await rig.bot.session.close()


# --- phase 1 in a fresh process ------------------------------------------------------------------------------


def startup_child(db_path: str, api_url: str) -> None:
    """Runs in a fresh interpreter; prints one JSON line. Timed: open_store, the engine's objects (Bot with its
    delivery middleware, FloodGate, SendBudget, Sender, ReminderEngine, APSchedulerAdapter), scheduler.start()
    and engine.start() with its first tick. Not timed but reported: imports, content, the Dispatcher."""
    began = time.perf_counter()
    import aiogram  # noqa: F401  (what the bot process imports before anything runs)

    import bot.factory  # noqa: F401
    import scheduling.engine
    import scheduling.scheduler  # noqa: F401
    import storage  # noqa: F401
    from content import load_content

    imports_s = time.perf_counter() - began
    began = time.perf_counter()
    content = load_content("ru")
    content_s = time.perf_counter() - began
    rss_before = proc_status_mb("VmRSS")

    async def main() -> dict[str, Any]:
        from storage import open_store

        t0 = time.perf_counter()
        store = await open_store(db_path)
        t_store = time.perf_counter() - t0
        rig = build_rig(store, api_url, Path(db_path), 25.0, content, dispatcher=False)
        t_built = time.perf_counter() - t0
        await start_rig(rig, poll=False)
        startup_s = time.perf_counter() - t0
        rss_engine = proc_status_mb("VmRSS")
        t1 = time.perf_counter()
        assert rig.settings is None
        from bot.config import Settings

        settings = Settings(
            bot_token="123456:TEST-token",  # type: ignore[arg-type]
            telegram_api_url=api_url,
            database_path=Path(db_path),
            _env_file=None,  # type: ignore[call-arg]
        )
        add_dispatcher(rig, settings, content)  # imports every handler module (openpyxl among them)
        dispatcher_s = time.perf_counter() - t1
        counts = await store.db.fetchone(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT user_id) AS u, MIN(next_due_at) AS first FROM reminders "
            "WHERE state = 'active'"
        )
        assert counts is not None
        deliveries = await store.reminder_queue.count_by_status()
        result = {
            "imports_s": imports_s,
            "content_s": content_s,
            "open_store_s": t_store,
            "built_s": t_built,
            "engine_start_s": rig.timings["engine.start"],
            "startup_s": startup_s,
            "dispatcher_s": dispatcher_s,
            "rss_before_mb": rss_before,
            "rss_engine_mb": rss_engine,
            "rss_mb": proc_status_mb("VmRSS"),
            "hwm_mb": proc_status_mb("VmHWM"),
            "active": counts["n"],
            "people": counts["u"],
            "first_due": counts["first"],
            "deliveries": deliveries,
        }
        await stop_rig(rig)
        await store.close()
        return result

    print(json.dumps(asyncio.run(main())), flush=True)


def run_startup_child(db_path: Path, api_url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.scheduler_bench", "--startup-child", str(db_path), api_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"startup child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- what the stand-in receives ----------------------------------------------------------------------------------


class Arrivals:
    """Wall-clock time of every bot message the stand-in stores, by chat."""

    def __init__(self, stub: BotApiStub) -> None:
        self.sent: dict[int, list[tuple[float, int]]] = {}  # chat -> [(time.time(), message_id)]
        stub.add_listener(self._on_event)

    def _on_event(self, event: ChatEvent) -> None:
        if event.kind == "new" and event.message is not None and event.message.by_bot:
            self.sent.setdefault(event.chat_id, []).append((time.time(), event.message.message_id))

    def got(self, chats: list[int]) -> int:
        return sum(1 for chat in chats if chat in self.sent)

    async def wait_all(self, chats: list[int], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.got(chats) < len(chats):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True


def sends_429(stub: BotApiStub, since: int) -> int:
    return sum(1 for call in stub.calls[since:] if call.error is not None and "Too Many Requests" in call.error)


def print_counts(counts: dict[str, int]) -> None:
    print("  deliveries by status: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


# --- phases 2 to 4 -----------------------------------------------------------------------------------------------


async def burst_phase(
    stub: BotApiStub,
    store: Store,
    db_path: Path,
    arrivals: Arrivals,
    people: list[int],
    rate: float,
    content: Content,
) -> dict[str, Any]:
    rig = build_rig(store, stub.base_url, db_path, rate, content, dispatcher=True)
    calls_before = len(stub.calls)
    await start_rig(rig, poll=True)
    print(f"  engine.start() in this process (warm): {rig.timings['engine.start']:.3f} s")
    # As when people make reminders while the bot runs: rows written, then the engine is woken for their moment.
    due = (datetime.now(UTC) + timedelta(seconds=4)).replace(microsecond=0)
    await add_burst(store, people, due)
    rig.engine.wake_at(due)
    print(f"  {len(people):,} reminders added, due at {due:%H:%M:%S}")
    expected_s = len(people) / rate
    complete = await arrivals.wait_all(people, timeout=max(0.0, due.timestamp() - time.time()) + expected_s + 60)
    await rig.engine.drain()
    await asyncio.sleep(0.5)
    counts = await store.reminder_queue.count_by_status()
    await stop_rig(rig)
    lateness = sorted(arrivals.sent[c][0][0] - due.timestamp() for c in people if c in arrivals.sent)
    dupes = sum(max(0, len(arrivals.sent.get(c, [])) - 1) for c in people)
    first = lateness[0] if lateness else float("nan")
    last = lateness[-1] if lateness else float("nan")
    target_last = len(people) / rate + 5
    print(f"  received {len(lateness):,} / {len(people):,}{'' if complete else ' (TIMED OUT)'}, duplicates {dupes}")
    print(f"  first sent {first:.3f} s late (target <= {FIRST_LATE_TARGET_S}: {verdict(first <= FIRST_LATE_TARGET_S)})")
    print(
        f"  last sent {last:.3f} s late (target <= {len(people)}/{rate:g} + 5 = {target_last:.1f}: "
        f"{verdict(last <= target_last)})"
    )
    if len(lateness) > 1:
        print(
            f"  median lateness {statistics.median(lateness):.2f} s; "
            f"rate {(len(lateness) - 1) / (last - first):.2f} messages/s"
        )
    phase_429 = sends_429(stub, calls_before)
    print(
        f"  429 answered by the stand-in during the burst: {phase_429} ({PAUSES.count} bot-wide pauses); "
        f"wake-ups skipped by APScheduler: {SKIPPED.count}"
    )
    PAUSES.count = SKIPPED.count = 0
    print_counts(counts)
    return {"first_late_s": first, "last_late_s": last, "burst_429": phase_429, "burst_received": len(lateness)}


async def broadcast_phase(
    stub: BotApiStub,
    store: Store,
    db_path: Path,
    arrivals: Arrivals,
    people: list[int],
    rate: float,
    taps: int,
    content: Content,
) -> dict[str, Any]:
    await asyncio.sleep(1.5)  # the stand-in's one-second window forgets the burst
    rig = build_rig(store, stub.base_url, db_path, rate, content, dispatcher=True)
    calls_before = len(stub.calls)
    accepted_before = stub.messages_accepted
    await start_rig(rig, poll=True)
    due = (datetime.now(UTC) + timedelta(seconds=4)).replace(microsecond=0)
    reminder_id = await add_broadcast(store, people, due)
    rig.engine.wake_at(due)
    print(
        f"  one team reminder to {len(people):,} members due at {due:%H:%M:%S}, SendBudget rate {rate:g}"
    )
    expected_s = len(people) / rate
    tapped: set[int] = set()
    latencies: list[float] = []
    failures: list[str] = []

    async def tap_one() -> None:
        now = time.time()
        ready = [
            c
            for c in people
            if c in arrivals.sent and c not in tapped and now - arrivals.sent[c][-1][0] >= TAP_AFTER_SEND_S
        ]
        if not ready:
            failures.append("no message old enough to tap")
            return
        chat = ready[-1]  # the most recent one: the broadcast is still going on around it
        tapped.add(chat)
        message_id = arrivals.sent[chat][0][1]
        message = stub.state.message(chat, message_id)
        assert message is not None
        data = next(d for d in message.callback_data if d.endswith(":done"))
        query_id = await stub.click(chat, message_id, data)
        try:
            answer = await stub.wait_for_answer(query_id, timeout=15)
        except AssertionError:
            failures.append(f"tap in chat {chat} not answered within 15 s")
            return
        latencies.append(answer.latency)

    async def tapping() -> None:
        start = due.timestamp() + TAP_AFTER_SEND_S + 0.5
        span = max(1.0, expected_s - TAP_AFTER_SEND_S - 2.0)
        tasks = []
        for n in range(taps):
            await asyncio.sleep(max(0.0, start + span * n / max(1, taps - 1) - time.time()))
            tasks.append(asyncio.create_task(tap_one()))
        await asyncio.gather(*tasks)

    tapper = asyncio.create_task(tapping())
    complete = await arrivals.wait_all(people, timeout=max(0.0, due.timestamp() - time.time()) + expected_s + 60)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(tapper, 30)
    await rig.engine.drain()
    await asyncio.sleep(1.0)
    counts = await store.reminder_queue.count_by_status()
    rows = await store.db.fetchall(
        "SELECT status, COUNT(*) AS n FROM deliveries WHERE reminder_id = ? GROUP BY status", (reminder_id,)
    )
    await stop_rig(rig)
    of_broadcast = {r["status"]: int(r["n"]) for r in rows}
    times = sorted(t for c in people for t, _ in arrivals.sent.get(c, []))
    dupes = sum(max(0, len(arrivals.sent.get(c, [])) - 1) for c in people)
    received = arrivals.got(people)
    lost = len(people) - min(received, of_broadcast.get("sent", 0))
    sent_per_s = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else float("nan")
    phase_429 = sends_429(stub, calls_before)
    accepted = stub.messages_accepted - accepted_before
    print(
        f"  received {received:,} / {len(people):,}{'' if complete else ' (TIMED OUT)'}, duplicates {dupes}; "
        f"stand-in accepted {accepted:,} sending calls (the broadcast + {len(latencies)} edits by taps)"
    )
    print(f"  first {times[0] - due.timestamp():.3f} s, last {times[-1] - due.timestamp():.3f} s after the due moment")
    print(
        f"  throughput first..last message: {sent_per_s:.2f} messages/s (target >= {THROUGHPUT_TARGET}: "
        f"{verdict(sent_per_s >= THROUGHPUT_TARGET)}); from the due moment: "
        f"{len(times) / (times[-1] - due.timestamp()):.2f} messages/s"
    )
    print("  this broadcast's deliveries: " + ", ".join(f"{k} {v}" for k, v in sorted(of_broadcast.items())))
    print(f"  lost {lost} (target 0: {verdict(lost == 0 and dupes == 0)})")
    print(
        f"  429 answered by the stand-in: {phase_429} (target 0: {verdict(phase_429 == 0)}), {PAUSES.count} "
        f"bot-wide pauses; wake-ups skipped by APScheduler: {SKIPPED.count}"
    )
    print_counts(counts)
    if stub.flood is not None:
        print(f"  429 reasons so far (stand-in): {stub.flood.refusals}")
    p95 = quantile(latencies, 0.95)
    if latencies:
        print(
            f"  taps answered: {len(latencies)} / {taps}; reply time median {statistics.median(latencies):.3f} s, "
            f"p95 {p95:.3f} s, max {max(latencies):.3f} s (target p95 <= {TAP_TARGET_S}: "
            f"{verdict(p95 <= TAP_TARGET_S)})"
        )
    for failure in failures:
        print(f"  tap failure: {failure}")
    return {
        "sent_per_s": sent_per_s,
        "lost": lost,
        "duplicates": dupes,
        "flood_429": phase_429,
        "tap_reply_p95_s": p95,
        "taps_answered": len(latencies),
    }


def quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile (p95 of 20 taps is the 19th fastest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from content import load_content
    from devtools.botapi_flood import FloodLimits
    from devtools.botapi_stub import TEST_TOKEN, BotApiStub
    from storage import open_store

    if args.burst + args.broadcast > args.users:
        raise SystemExit("--burst + --broadcast must not exceed --users (each phase has its own people)")
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="scheduler-bench-") as tmp:
        db_path = Path(tmp) / "coach.db"
        stub = BotApiStub(TEST_TOKEN, flood=FloodLimits(per_second=30, per_chat_per_second=1.0, retry_after=1))
        await stub.start()
        try:
            print(f"1. startup: {args.reminders:,} active reminders of {args.users:,} people")
            began = time.perf_counter()
            store = await open_store(db_path)
            await fill_database(store, args.reminders, args.users)
            await store.close()
            print(
                f"  database written in {time.perf_counter() - began:.1f} s ({db_path.stat().st_size / 2**20:.1f} MiB)"
            )
            child = run_startup_child(db_path, stub.base_url)
            print(
                f"  fresh process: imports {child['imports_s']:.2f} s, content {child['content_s']:.2f} s "
                f"(before the timer), RSS then {child['rss_before_mb']:.0f} MB"
            )
            print(
                f"  open_store {child['open_store_s']:.3f} s; + Bot, FloodGate, SendBudget, Sender, engine, "
                f"scheduler {child['built_s'] - child['open_store_s']:.3f} s; scheduler.start() + engine.start() "
                f"(first tick) {child['engine_start_s']:.3f} s"
            )
            print(
                f"  startup {child['startup_s']:.3f} s (target <= {STARTUP_TARGET_S}: "
                f"{verdict(child['startup_s'] <= STARTUP_TARGET_S)}); {child['active']:,} active reminders of "
                f"{child['people']:,} people, first due {child['first_due']}, deliveries {child['deliveries']}"
            )
            print(f"  then the Dispatcher (all handlers imported) {child['dispatcher_s']:.2f} s")
            print(
                f"  RSS with the engine running {child['rss_engine_mb']:.0f} MB; with the Dispatcher too "
                f"{child['rss_mb']:.0f} MB, peak (VmHWM) {child['hwm_mb']:.0f} MB (target <= {RSS_TARGET_MB:.0f}: "
                f"{verdict(child['hwm_mb'] <= RSS_TARGET_MB)})"
            )

            people = [FIRST_USER + n for n in range(args.users)]
            for user_id in people[: args.burst + args.broadcast]:
                stub.add_user(user_id, f"Менеджер {user_id - FIRST_USER}", username=f"m{user_id - FIRST_USER}")
            arrivals = Arrivals(stub)
            content = load_content("ru")
            store = await open_store(db_path)
            try:
                print(
                    f"2. burst: {args.burst:,} reminders of distinct people due at the same moment, "
                    f"rate {args.burst_rate:g}"
                )
                burst = await burst_phase(
                    stub, store, db_path, arrivals, people[: args.burst], args.burst_rate, content
                )
                print(f"3+4. broadcast: {args.broadcast:,} messages at rate {args.rate:g}, {args.taps} taps meanwhile")
                broadcast = await broadcast_phase(
                    stub,
                    store,
                    db_path,
                    arrivals,
                    people[args.burst : args.burst + args.broadcast],
                    args.rate,
                    args.taps,
                    content,
                )
            finally:
                await store.close()
        finally:
            await stub.stop()
    return {
        "reminders": args.reminders,
        "users": args.users,
        "startup_s": round(child["startup_s"], 3),
        "rss_mb": round(child["hwm_mb"], 1),
        "burst": args.burst,
        "first_late_s": round(burst["first_late_s"], 3),
        "last_late_s": round(burst["last_late_s"], 3),
        "broadcast": args.broadcast,
        "rate": args.rate,
        "sent_per_s": round(broadcast["sent_per_s"], 2),
        "lost": broadcast["lost"],
        "flood_429": broadcast["flood_429"],
        "tap_reply_p95_s": round(broadcast["tap_reply_p95_s"], 3),
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--startup-child":
        logging.basicConfig(level=logging.WARNING)
        startup_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--broadcast", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=30.0, help="SendBudget rate of the broadcast phase")
    parser.add_argument("--burst-rate", type=float, default=25.0, help="SendBudget rate of the burst phase")
    parser.add_argument("--taps", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=600.0, help="the whole run stops after this")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="  [%(levelname)s %(name)s] %(message)s")
    # Counted and summed up per phase instead of one line each: APScheduler's skipped runs, the bot's 429 pauses.
    logging.getLogger("apscheduler").addHandler(SKIPPED)
    logging.getLogger("apscheduler").propagate = False
    logging.getLogger("bot.delivery").addHandler(PAUSES)
    logging.getLogger("bot.delivery").propagate = False
    figures = asyncio.run(asyncio.wait_for(run(args), args.timeout))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
