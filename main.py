"""Entry point: `python main.py` runs the bot; `python main.py analyze FILE ...` analyses a CRM export offline."""

from __future__ import annotations

import asyncio
import contextlib
import sys

from pydantic import ValidationError


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "analyze":
        from analytics.cli import main as analyze

        return analyze(args[1:])

    from bot.app import run_bot
    from bot.config import Settings
    from bot.logs import configure_logging
    from content import load_content

    try:
        settings = Settings()  # type: ignore[call-arg]  # values come from the environment
    except ValidationError as error:
        content = load_content()
        missing_token = any(item["loc"] == ("bot_token",) for item in error.errors())
        if missing_token:
            print(content.t("cli.missing_token"), file=sys.stderr)
        else:
            fields = ", ".join(".".join(str(part) for part in item["loc"]).upper() for item in error.errors())
            print(content.t("cli.bad_settings", fields=fields), file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.bot_token.get_secret_value())
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_bot(settings))
    except Exception as error:  # one clear line instead of a traceback that may carry the token
        return _stopped_by(error, settings.telegram_api_url)
    return 0


def _stopped_by(error: Exception, api_url: str) -> int:
    """Say in one line, through the logger (its filter removes the token), why the bot stopped. A Bot API that
    refuses the token is a setting to fix (exit code 2); an unexpected error keeps its traceback, redacted."""
    import logging

    from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError

    from content import load_content

    logger = logging.getLogger("main")
    try:
        content = load_content()
    except Exception:  # the content itself is what broke the start
        logger.critical("the bot stopped: %s: %s", type(error).__name__, error, exc_info=error)
        return 1
    if isinstance(error, TelegramUnauthorizedError):
        logger.critical(content.t("cli.unauthorized"))
        return 2
    if isinstance(error, TelegramAPIError):  # the Bot API failed or cannot be reached at that URL
        logger.critical(content.t("cli.bot_api_failed", url=api_url, error=error.message))
        return 1
    logger.critical(content.t("cli.crashed", error=f"{type(error).__name__}: {error}"), exc_info=error)
    return 1


if __name__ == "__main__":
    sys.exit(main())
