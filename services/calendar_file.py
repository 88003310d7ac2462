"""The head's calendar: the person's active reminders as an .ics file (domain/calendar_file.py writes it)."""

from __future__ import annotations

from datetime import datetime

from domain.calendar_file import CalendarTexts, build_calendar
from storage import Store
from storage.calendar import calendar_reminders


async def rituals_calendar(
    store: Store, actor_id: int, texts: CalendarTexts, now: datetime
) -> tuple[bytes, int] | None:
    """The file and how many events it holds; None when the person has no active reminder (nothing to show)."""
    reminders = await calendar_reminders(store.db, actor_id)
    if not reminders:
        return None
    return build_calendar(reminders, texts, now), len(reminders)
