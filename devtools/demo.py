"""Offline demo: the real bot against the Bot API stand-in, chatted with from this terminal.

Run `python -m devtools.demo` (or `make demo`). No network and no Telegram account needed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import mimetypes
import os
import signal
import sys
import threading
from pathlib import Path

from devtools.botapi_stub import BotApiStub
from devtools.botapi_types import ChatEvent, SentMessage, StoredFile

DEMO_TOKEN = "123456:DEMO"
DEMO_USER_ID = 100001
DEMO_USER_NAME = "Демо"
REPO = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 60.0

HEADER = """\
ROP coach demo: the bot runs offline against a local Telegram stand-in ({url}).
You are user {user_id} "{name}". Type a message and press Enter; try /start.
  N          press button [N] of the latest message with buttons
  /file PATH send a file (e.g. a CRM export)
  \\TEXT      send TEXT as it is (e.g. \\5 sends "5", \\/file sends "/file")
  /quit      stop the bot and exit
Bot log: {log}   database: {db}   files from the bot: {files}
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devtools.demo", description=__doc__)
    parser.add_argument("--db", type=Path, default=REPO / "data" / "demo.db", help="database file of the bot")
    parser.add_argument("--reset", action="store_true", help="delete the demo database first")
    parser.add_argument("--main", type=Path, default=REPO / "main.py", help="the bot's entry script")
    return parser.parse_args(argv)


def render(msg: SentMessage, kind: str) -> list[str]:
    """Lines printed for a bot message: its text without HTML, then numbered inline buttons."""
    head = "bot" if kind == "new" else f"bot (edited #{msg.message_id})"
    body = msg.plain.splitlines()
    for label, stored in (("file", msg.document), ("photo", msg.photo)):
        if stored is not None:
            body.insert(0, f"[{label} {stored.filename}, {stored.size} bytes]")
    lines = [f"{head}: {line}" if i == 0 else f"     {line}" for i, line in enumerate(body)] or [f"{head}:"]
    number = 0
    for row in msg.markup:
        cells = []
        for text, _ in row:
            number += 1
            cells.append(f"[{number}] {text}")
        lines.append("     " + "   ".join(cells))
    if msg.keyboard:
        lines.append("     keyboard: " + " | ".join(text for row in msg.keyboard for text in row))
    return lines


class Terminal:
    """Prints what happens in the demo chat and keeps the prompt usable."""

    def __init__(self, files_dir: Path) -> None:
        self.files_dir = files_dir
        self.tty = sys.stdout.isatty() and sys.stdin.isatty()
        self.prompting = threading.Event()  # set while the reader thread sits in input()

    @property
    def prompt(self) -> str:
        return "> " if self.tty else ""

    def say(self, *lines: str) -> None:
        # Print over the prompt line, then put the prompt back if input() is still waiting.
        waiting = self.tty and self.prompting.is_set()
        text = "\n".join(lines) + "\n"
        sys.stdout.write(("\r\033[K" + text + self.prompt) if waiting else text)
        sys.stdout.flush()

    def on_event(self, event: ChatEvent) -> None:
        if event.chat_id != DEMO_USER_ID:
            return
        if event.kind in ("new", "edit") and event.message is not None and event.message.by_bot:
            lines = render(event.message, event.kind)
            for stored in (event.message.document, event.message.photo):
                if stored is not None and event.kind == "new":
                    lines.append(f"     saved to {self._save(event.message.message_id, stored)}")
            self.say(*lines)
        elif event.kind == "delete" and event.message is not None:
            self.say(f"(the bot deleted message #{event.message.message_id})")
        elif event.kind == "answer" and event.answer is not None and event.answer.text:
            self.say(f"({'alert' if event.answer.show_alert else 'popup'}: {event.answer.text})")

    def _save(self, message_id: int, stored: StoredFile) -> Path:
        # Small files on a developer's machine: writing synchronously keeps the output in order.
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / f"{message_id}_{Path(stored.filename).name}"
        path.write_bytes(stored.data)
        return path


def start_stdin_reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None], term: Terminal) -> None:
    """Read lines in a daemon thread, so a pending input() never keeps the demo from exiting."""

    def worker() -> None:
        while True:
            term.prompting.set()
            try:
                line: str | None = input(term.prompt)
            except (EOFError, KeyboardInterrupt):
                line = None
            term.prompting.clear()
            try:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            except RuntimeError:  # the loop is already closed
                return
            if line is None or line.strip() == "/quit":
                return

    threading.Thread(target=worker, name="demo-stdin", daemon=True).start()


async def start_bot(stub: BotApiStub, args: argparse.Namespace, log_path: Path) -> asyncio.subprocess.Process:
    env = dict(os.environ)
    env.update(
        BOT_TOKEN=DEMO_TOKEN,
        TELEGRAM_API_URL=stub.base_url,
        DATABASE_PATH=str(args.db),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(args.main), cwd=REPO, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
    ready = asyncio.ensure_future(stub.wait_for_request("getUpdates", 0, READY_TIMEOUT))
    exited = asyncio.ensure_future(process.wait())
    await asyncio.wait({ready, exited}, return_when=asyncio.FIRST_COMPLETED)
    for task in (ready, exited):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, AssertionError):
            await task
    if process.returncode is not None or stub.request_count("getUpdates") == 0:
        await stop_bot(process)
        raise RuntimeError("the bot did not start polling; the end of its log:\n" + log_tail(log_path))
    return process


async def stop_bot(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)  # aiogram stops polling cleanly on SIGTERM
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def handle_line(line: str, stub: BotApiStub, term: Terminal) -> bool:
    """Act on one typed line; False means quit."""
    text = line.strip()
    if not text:
        return True
    if text == "/quit":
        return False
    if text.startswith("\\"):
        await stub.send_text(DEMO_USER_ID, text[1:])
    elif text.startswith("/file"):
        await send_file(text.removeprefix("/file").strip(), stub, term)
    elif text.isdigit():
        await press(int(text), stub, term)
    else:
        await stub.send_text(DEMO_USER_ID, text)
    return True


def log_tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def read_file(raw_path: str) -> tuple[str, bytes] | None:
    path = Path(raw_path.strip("'\"")).expanduser()
    return (path.name, path.read_bytes()) if raw_path and path.is_file() else None


async def send_file(raw_path: str, stub: BotApiStub, term: Terminal) -> None:
    found = await asyncio.to_thread(read_file, raw_path)
    if found is None:
        term.say(f"no such file: {raw_path or '(none given)'}")
        return
    name, data = found
    await stub.send_document(DEMO_USER_ID, name, data, mimetypes.guess_type(name)[0])
    term.say(f"(sent {name}, {len(data)} bytes)")


async def press(number: int, stub: BotApiStub, term: Terminal) -> None:
    with_buttons = [m for m in stub.messages(DEMO_USER_ID) if m.markup]
    if not with_buttons:
        term.say("no message with buttons yet")
        return
    msg = with_buttons[-1]
    buttons = [button for row in msg.markup for button in row]
    if not 1 <= number <= len(buttons):
        term.say(f"the latest message with buttons has buttons 1..{len(buttons)}")
        return
    text, target = buttons[number - 1]
    if target in msg.callback_data:
        term.say(f"(pressed [{number}] {text})")
        await stub.click(DEMO_USER_ID, msg.message_id, target)
    else:
        term.say(f"(a link: {target})")


def prepare(args: argparse.Namespace) -> bool:
    """Files before the loop starts: the data folder, and a clean database on --reset."""
    if not args.main.exists():
        print(f"{args.main} not found: the bot is not there yet", file=sys.stderr)
        return False
    args.db = args.db.resolve()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    if args.reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    return True


async def run(args: argparse.Namespace) -> int:
    log_path = args.db.with_suffix(".log")
    term = Terminal(args.db.parent / "demo_files")
    async with BotApiStub(DEMO_TOKEN) as stub:
        stub.add_user(DEMO_USER_ID, DEMO_USER_NAME, username="demo_user")
        print("Starting the bot (a few seconds)...", flush=True)
        try:
            process = await start_bot(stub, args, log_path)
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
        try:
            print(HEADER.format(url=stub.base_url, user_id=DEMO_USER_ID, name=DEMO_USER_NAME, log=log_path,
                                db=args.db, files=term.files_dir), flush=True)  # fmt: skip
            stub.add_listener(term.on_event)
            lines: asyncio.Queue[str | None] = asyncio.Queue()
            start_stdin_reader(asyncio.get_running_loop(), lines, term)
            watcher = asyncio.create_task(watch_bot(process, term, lines, log_path))
            while (line := await lines.get()) is not None and await handle_line(line, stub, term):
                pass
            watcher.cancel()
            return 0 if process.returncode is None else 1
        finally:
            print("\nStopping the bot...", flush=True)
            await stop_bot(process)


async def watch_bot(
    process: asyncio.subprocess.Process, term: Terminal, lines: asyncio.Queue[str | None], log_path: Path
) -> None:
    """End the demo when the bot dies, instead of leaving the user typing into nothing."""
    code = await process.wait()
    term.prompting.clear()
    term.say(f"the bot exited with code {code}; see {log_path}")
    lines.put_nowait(None)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not prepare(args):
        sys.exit(1)
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
