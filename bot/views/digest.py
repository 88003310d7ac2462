"""The owners' weekly digest as a message: the full form, the short form of a quiet week, the head's preview,
the settings screen, and the heads' nudge. Aggregates and hygiene only: no export rows, no client names."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from analytics.digest_chart import revenue_vs_plan_chart
from analytics.render_format import MINUS, Fmt, group
from bot.callbacks import DigestAction, DigestCb
from bot.views.checklist_table import signed
from bot.views.common import Screen
from bot.views.onboarding import timezone_label
from bot.views.schedule_words import clock_time, describe_moment, describe_rule
from content import Content
from domain.digest import (
    ALERT_CHOICES,
    ALERTS_TIME,
    DEFAULT_PLAN_BELOW_PCT,
    NO_EXPORT_DAYS,
    PLAN_ALERT_DAY,
    Alerts,
    AlertSettings,
    ClientsChange,
    Digest,
    ManagersVsPlan,
    MoneyVsPlan,
    MonthVsMonth,
    ReminderCounts,
    RitualHygiene,
    ShareChange,
    SharedScore,
)
from domain.reminders import Reminder, ReminderState
from scheduling.sender import Outgoing

TIME_CHOICES = (time(8, 0), time(9, 0), time(10, 0), time(12, 0), time(18, 0), time(20, 0))


def _signed(value: float, decimals: int = 0) -> str:
    """+3, −2, 0 (typographic minus, no «+0»)."""
    text = group(value, decimals)
    if decimals and text.endswith(",0"):
        text = text[:-2]
    return text if text.startswith(MINUS) or round(value, decimals) == 0 else "+" + text


def _date(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d.%m.%Y")


def digest_text(
    content: Content, digest: Digest, timezone: str, late: bool = False, preview: bool = False, nudged: bool = False
) -> str:
    """The whole digest as HTML (Telegram's 4096 characters are far away: a dozen short lines). `nudged`: the
    heads were just sent the nudge of a quiet week."""
    start = _date(digest.period.start, timezone)
    end = _date(digest.period.end - timedelta(microseconds=1), timezone)
    lines: list[str] = []
    if preview:
        lines += [content.t("digest.preview_note"), ""]
    if digest.quiet:
        last = (
            content.t("digest.quiet_last_none")
            if digest.last_upload_at is None
            else _date(digest.last_upload_at, timezone)
        )
        lines.append(content.t("digest.quiet", team=escape(digest.team_name), start=start, end=end, last=last))
        if nudged:
            lines.append(content.t("digest.quiet_nudged"))
        if late:
            lines += ["", content.t("digest.late_note")]
        return "\n".join(lines)
    lines.append(content.t("digest.title", team=escape(digest.team_name), start=start, end=end))
    if late:
        lines.append(content.t("digest.late_note"))
    f = Fmt(content.t, digest.currency)
    if not digest.has_data:
        lines += ["", content.t("digest.no_data")]
    else:
        assert digest.last_upload_at is not None
        lines.append("")
        if digest.uploads_in_week:
            lines.append(content.plural("digest.uploads_week", digest.uploads_in_week))
        else:
            lines.append(content.t("digest.no_uploads_week"))
        lines.append(
            content.t(
                "digest.data_until", date=f.date(digest.data_until), uploaded=_date(digest.last_upload_at, timezone)
            )
        )
        lines += _money(content, f, digest.money, digest.margin, digest.margin_share)
        if digest.month is not None:
            lines += _month(content, f, digest.month)
        if digest.conversions:
            lines += ["", content.t("digest.funnel.header"), *(_share(content, f, c) for c in digest.conversions)]
        if digest.clients is not None:
            lines += _clients(content, digest.clients)
        if digest.managers is not None:
            lines += _managers(content, f, digest.managers)
    lines += _diagnostics(content, digest.shares, timezone)
    lines += _hygiene(content, digest.reminders, digest.rituals)
    return "\n".join(lines)


def _money(
    content: Content, f: Fmt, money: MoneyVsPlan | None, margin: float | None, margin_share: float | None
) -> list[str]:
    lines = ["", content.t("digest.money.header")]
    if money is not None:
        month = None if money.month is None else f.month(money.month)
        if money.plan is None:
            key = "digest.money.revenue_period" if month is None else "digest.money.revenue_month"
            lines.append(content.t(key, month=month, revenue=f.money(money.revenue)))
        else:
            key = "digest.money.vs_plan_period" if month is None else "digest.money.vs_plan_month"
            lines.append(
                content.t(
                    key,
                    month=month,
                    revenue=f.money(money.revenue),
                    plan=f.money(money.plan),
                    attainment=f.pct(money.attainment),
                )
            )
            assert money.over_plan is not None
            if money.shortfall is not None:
                lines.append(content.t("digest.money.short", amount=f.money(money.shortfall)))
            elif round(money.over_plan) > 0:
                lines.append(content.t("digest.money.over", amount=f.money(money.over_plan)))
            else:
                lines.append(content.t("digest.money.exact"))
    if margin is not None:
        lines.append(content.t("digest.money.margin", margin=f.money(margin), share=f.pct(margin_share)))
    return lines if len(lines) > 2 else []


def _month(content: Content, f: Fmt, month: MonthVsMonth) -> list[str]:
    grade = content.t(f"digest.month.grades.{month.grade.value}")
    last, previous = f.month(month.last_month), f.month(month.previous_month)
    if month.change is None:
        line = content.t(
            "digest.month.line_no_previous",
            last=last,
            previous=previous,
            last_revenue=f.money(month.last_revenue),
            grade=grade,
        )
    else:
        line = content.t(
            "digest.month.line",
            last=last,
            previous=previous,
            last_revenue=f.money(month.last_revenue),
            previous_revenue=f.money(month.previous_revenue),
            change=f.pct(month.change, signed=True),
            grade=grade,
        )
    return ["", content.t("digest.month.header"), line]


def _share(content: Content, f: Fmt, share: ShareChange) -> str:
    change = "" if share.change_pp is None else content.t("digest.funnel.change", change=_signed(share.change_pp, 1))
    return content.t(
        f"digest.funnel.{share.key}", value=f.pct(share.value), change=change, stage=escape(share.stage or "")
    )


def _clients(content: Content, clients: ClientsChange) -> list[str]:
    def change(value: int | None) -> str:
        return "" if value is None else content.t("digest.clients.change", change=_signed(value))

    now, delta = clients.now, clients.change
    line = content.t(
        "digest.clients.line",
        active=group(now.active),
        sleeping=group(now.sleeping),
        churned=group(now.churned),
        active_change=change(None if delta is None else delta.active),
        sleeping_change=change(None if delta is None else delta.sleeping),
        churned_change=change(None if delta is None else delta.churned),
    )
    return ["", content.t("digest.clients.header"), line]


def _managers(content: Content, f: Fmt, managers: ManagersVsPlan) -> list[str]:
    lines = ["", content.t("digest.managers.header")]
    best = managers.best
    if managers.worst is None:
        lines.append(content.t("digest.managers.only", name=escape(best.name), attainment=f.pct(best.attainment)))
        return lines
    lines.append(content.t("digest.managers.best", name=escape(best.name), attainment=f.pct(best.attainment)))
    worst = managers.worst
    over = worst.over_plan
    if over is None:
        lines.append(content.t("digest.managers.worst", name=escape(worst.name), attainment=f.pct(worst.attainment)))
    else:
        key = "digest.managers.worst_short" if over < 0 else "digest.managers.worst_over"
        lines.append(
            content.t(key, name=escape(worst.name), attainment=f.pct(worst.attainment), amount=f.money(abs(over)))
        )
    if managers.spread_pp is not None:
        lines.append(content.t("digest.managers.spread", spread=group(managers.spread_pp)))
    if managers.below_plan:
        lines.append(content.plural("digest.managers.below", managers.below_plan, total=managers.with_plan))
    return lines


def _diagnostics(content: Content, shares: tuple[SharedScore, ...], timezone: str) -> list[str]:
    """The results the head shared in the week: checklist, score, zone and the change against the previous shared
    result of that checklist. Nothing at all (no heading) when none was shared; never the answers."""
    if not shares:
        return []
    lines = ["", content.t("digest.diagnostics.header")]
    for share in shares:
        checklist = content.checklists.get(share.checklist_key)
        title = share.checklist_key if checklist is None else checklist.title
        zones = {} if checklist is None else {zone.key: zone.title for zone in checklist.zones}
        change = ""
        if share.previous is not None and share.change is not None:
            change = content.t(
                "digest.diagnostics.change",
                date=_date(share.previous.shared_at, timezone),
                previous=share.previous.score,
                change=signed(share.change),
            )
        lines.append(
            content.t(
                "digest.diagnostics.line",
                title=escape(title),
                score=share.score,
                zone=escape(zones.get(share.zone, share.zone)),
                change=change,
            )
        )
    return lines


def _hygiene(content: Content, reminders: tuple[ReminderCounts, ...], rituals: tuple[RitualHygiene, ...]) -> list[str]:
    lines = ["", content.t("digest.hygiene.header")]
    for ritual in rituals:
        key = f"digest.hygiene.rituals.{ritual.key}"
        if content.has(key):
            lines.append(content.t(key, **dict(ritual.values)))
    for counts in reminders:
        kind_key = f"digest.hygiene.kinds.{counts.kind}"
        kind = content.t(kind_key if content.has(kind_key) else "digest.hygiene.kinds.unknown")
        lines.append(
            content.t(
                "digest.hygiene.line",
                kind=kind,
                count=content.plural("digest.hygiene.reminders", counts.total),
                done=counts.done,
                skipped=counts.skipped,
                missed=counts.missed,
            )
        )
    if len(lines) == 2:
        lines.append(content.t("digest.hygiene.none"))
    return lines


# --- screens ----------------------------------------------------------------------------------------------------


def settings_button(content: Content) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=content.t("digest.buttons.settings"), callback_data=DigestCb(action="settings"))
    return builder.as_markup()


def digest_screen(content: Content, digest: Digest, timezone: str, preview: bool, owners: int = 0) -> Screen:
    text = digest_text(content, digest, timezone, preview=preview)
    if preview:
        note = content.plural("digest.preview_owners", owners) if owners else content.t("digest.preview_no_owners")
        return Screen(f"{text}\n\n{note}")
    return Screen(text, settings_button(content))


def settings_screen(content: Content, reminder: Reminder, now: datetime) -> Screen:
    rule = describe_rule(content, reminder.rule)
    lines = [content.t("digest.settings.title")]
    on = reminder.state is ReminderState.ACTIVE and reminder.next_due_at is not None
    if on:
        assert reminder.next_due_at is not None
        lines.append(
            content.t(
                "digest.settings.on",
                rule=rule,
                zone=timezone_label(content, reminder.timezone, now),
                next=describe_moment(content, reminder.next_due_at, reminder.timezone, now),
            )
        )
    else:
        lines.append(content.t("digest.settings.off", rule=rule))
    lines.append(content.t("digest.settings.ask"))
    builder = InlineKeyboardBuilder()
    chosen_day = reminder.rule.weekdays[0] if reminder.rule.weekdays else -1
    for day, name in enumerate(content.items("reminders.weekdays_short")):
        builder.button(text=f"✓ {name}" if day == chosen_day else name, callback_data=DigestCb(action="day", value=day))
    for at in TIME_CHOICES:
        label = clock_time(content, at)
        builder.button(
            text=f"✓ {label}" if at == reminder.rule.at else label,
            callback_data=DigestCb(action="time", value=at.hour * 60 + at.minute),
        )
    toggle: DigestAction = "off" if on else "on"
    builder.button(text=content.t(f"digest.buttons.{toggle}"), callback_data=DigestCb(action=toggle))
    builder.button(text=content.t("digest.buttons.alerts"), callback_data=DigestCb(action="alerts"))
    builder.button(text=content.t("digest.buttons.back"), callback_data=DigestCb(action="show"))
    builder.adjust(7, 3, 3, 2, 1)
    return Screen("\n".join(lines), builder.as_markup())


def nudge_text(content: Content) -> str:
    return content.t("digest.nudge")


def delivered_digest(
    content: Content,
    chat_id: int,
    digest: Digest,
    timezone: str,
    late: bool,
    nudged: bool = False,
    chart: bytes | None = None,
) -> Outgoing:
    text = digest_text(content, digest, timezone, late=late, nudged=nudged)
    return Outgoing(chat_id=chat_id, text=text, reply_markup=settings_button(content), photo=chart)


_chart_png = lru_cache(maxsize=64)(revenue_vs_plan_chart)  # owners of one team share one chart


async def digest_chart(content: Content, digest: Digest) -> bytes | None:
    """The digest's one chart (revenue by month against the plan), drawn off the event loop; None for a quiet
    week or without revenue."""
    if digest.quiet or not digest.months:
        return None
    f = Fmt(content.t, digest.currency)
    months = tuple((f"{month[5:7]}.{month[:4]}", revenue, plan) for month, revenue, plan in digest.months)
    return await asyncio.to_thread(
        _chart_png,
        months,
        content.t("digest.chart.title"),
        f.axis("digest.chart.axis"),
        content.t("digest.chart.plan"),
        content.t("digest.chart.revenue"),
    )


def delivered_nudge(content: Content, chat_id: int) -> Outgoing:
    return Outgoing(chat_id=chat_id, text=nudge_text(content))


# --- alerts ---------------------------------------------------------------------------------------------------------


def alerts_screen(content: Content, settings: AlertSettings) -> Screen:
    """Each alert a toggle (✅ on); the plan's threshold steps through PLAN_THRESHOLDS."""

    def mark(on: bool) -> str:
        return "✅" if on else "⬜"

    pct = settings.plan_below_pct or DEFAULT_PLAN_BELOW_PCT
    builder = InlineKeyboardBuilder()
    rows = [1]
    builder.button(
        text=content.t(
            "digest.alerts.plan", mark=mark(settings.plan_below_pct is not None), pct=pct, day=PLAN_ALERT_DAY
        ),
        callback_data=DigestCb(action="alert", value=ALERT_CHOICES.index("plan")),
    )
    if settings.plan_below_pct is not None:
        builder.button(
            text=content.t("digest.alerts.threshold", pct=pct),
            callback_data=DigestCb(action="alert", value=ALERT_CHOICES.index("threshold")),
        )
        rows.append(1)
    builder.button(
        text=content.t("digest.alerts.ritual", mark=mark(settings.ritual_skips)),
        callback_data=DigestCb(action="alert", value=ALERT_CHOICES.index("ritual")),
    )
    builder.button(
        text=content.t("digest.alerts.export", mark=mark(settings.no_export), days=NO_EXPORT_DAYS),
        callback_data=DigestCb(action="alert", value=ALERT_CHOICES.index("export")),
    )
    builder.button(text=content.t("digest.buttons.alerts_back"), callback_data=DigestCb(action="settings"))
    builder.adjust(*rows, 1, 1, 1)
    return Screen(content.t("digest.alerts.title", time=clock_time(content, ALERTS_TIME)), builder.as_markup())


def alerts_text(content: Content, team_name: str, alerts: Alerts, currency: str | None) -> str:
    f = Fmt(content.t, currency)
    lines = [content.t("digest.alerts.header", team=escape(team_name))]
    if alerts.plan is not None:
        plan = alerts.plan
        lines.append(
            content.t(
                "digest.alerts.plan_line",
                month=f.month(plan.month),
                attainment=f.pct(plan.attainment),
                threshold=f.pct(plan.threshold_pct / 100),
                shortfall=f.money(plan.shortfall),
            )
        )
    if alerts.export is not None:
        if alerts.export.days is None:
            lines.append(content.t("digest.alerts.export_none"))
        else:
            days = content.plural("digest.alerts.days", alerts.export.days)
            lines.append(content.t("digest.alerts.export_line", days=days))
    if alerts.ritual is not None:
        kinds = ", ".join(content.t(f"digest.alerts.ritual_kinds.{kind}") for kind in alerts.ritual.kinds)
        lines.append(content.t("digest.alerts.ritual_line", kinds=kinds))
    return "\n".join(lines)


def delivered_alerts(content: Content, chat_id: int, team_name: str, alerts: Alerts, currency: str | None) -> Outgoing:
    return Outgoing(
        chat_id=chat_id, text=alerts_text(content, team_name, alerts, currency), reply_markup=settings_button(content)
    )
