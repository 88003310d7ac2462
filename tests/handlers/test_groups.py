"""Group chats bound to a team, through the real Dispatcher: /bind and /unbind in the group, who is refused, the
bot removed or the group migrated, /settings, and posting to the team's group (bot/group_posts.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramMigrateToChat, TelegramRetryAfter
from aiogram.methods import SendMessage, SetMyCommands, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BotCommandScopeAllGroupChats,
    Chat,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    Update,
    User,
)

from bot.app import register_profile
from bot.callbacks import GroupCb, MenuCb, SettingsCb
from bot.delivery import RetryingDelivery
from bot.group_posts import Posted, post_to_team_group
from storage import Store
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, STRANGER, onboard_head
from tests.handlers.recording import RecordingSession

GROUP = -1001
OTHER_GROUP = -1002
SUPERGROUP = -1001234567890
OTHER_HEAD = 505
ADMIN = 506  # administers the group, is in no team
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def _team(tg: FakeTelegram) -> int:
    owner_code, member_code = await onboard_head(tg)
    await tg.send(OWNER, f"/start {owner_code}", name="Олег")
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")
    membership = await tg.store.teams.current_membership(HEAD)
    assert membership is not None
    return membership.team_id


async def _bound_team(tg: FakeTelegram, chat_id: int = GROUP) -> int:
    team_id = await _team(tg)
    tg.session.group_admins.add((chat_id, HEAD))
    await tg.send_group(chat_id, HEAD, "/bind@rop_coach_bot")
    assert await tg.store.groups.bound_chat_id(team_id) == chat_id
    return team_id


def _sent_to(tg: FakeTelegram, chat_id: int) -> list[SendMessage]:
    return [r for r in tg.session.requests if isinstance(r, SendMessage) and r.chat_id == chat_id]


# --- /bind -----------------------------------------------------------------------------------------------------


async def test_a_head_who_administers_the_group_binds_it(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    assert tg.last_text(GROUP) == tg.content.t("groups.bind.done", team="Альфа")
    group = await tg.store.groups.of_chat(GROUP)
    assert group is not None and (group.team_id, group.title, group.bound_by) == (team_id, "Отдел продаж", HEAD)
    assert await tg.store.groups.team_for_chat(GROUP) == team_id
    await tg.send_group(GROUP, HEAD, "/bind")  # again: nothing changes
    assert tg.last_text(GROUP) == tg.content.t("groups.bind.already", team="Альфа")


async def test_a_head_binds_the_teams_first_group_without_being_its_admin(tg: FakeTelegram) -> None:
    team_id = await _team(tg)
    await tg.send_group(GROUP, HEAD, "/bind")
    assert await tg.store.groups.bound_chat_id(team_id) == GROUP


async def test_a_member_an_owner_and_a_stranger_are_refused(tg: FakeTelegram) -> None:
    team_id = await _team(tg)
    for user_id in (MEMBER, OWNER, STRANGER):
        tg.session.group_admins.add((GROUP, user_id))  # administering the group is not enough
        await tg.send_group(GROUP, user_id, "/bind@rop_coach_bot")
        assert tg.last_text(GROUP) == tg.content.t("groups.bind.not_head")
    assert await tg.store.groups.bound_chat_id(team_id) is None
    assert all("Альфа" not in text for text in tg.texts(GROUP))


async def test_moving_the_binding_needs_an_admin_and_the_heads_confirmation(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    await tg.send_group(OTHER_GROUP, HEAD, "/bind", title="Новая группа")  # not an admin there
    assert tg.last_text(OTHER_GROUP) == tg.content.t("groups.bind.not_admin")
    assert await tg.store.groups.bound_chat_id(team_id) == GROUP

    tg.session.group_admins.add((OTHER_GROUP, HEAD))
    await tg.send_group(OTHER_GROUP, HEAD, "/bind", title="Новая группа")
    assert tg.last_text(OTHER_GROUP) == tg.content.t("groups.bind.confirm", team="Альфа", old="Отдел продаж")
    move = GroupCb(action="move", team=team_id).pack()
    assert move in [data for _, data in tg.buttons(OTHER_GROUP)]

    await tg.tap_group(OTHER_GROUP, MEMBER, move, title="Новая группа")  # anyone in a group can press it
    assert tg.last_callback_answer() == tg.content.t("groups.not_yours")
    await tg.tap_group(OTHER_GROUP, STRANGER, move, title="Новая группа")
    assert tg.last_callback_answer() == tg.content.t("groups.not_yours")
    assert await tg.store.groups.bound_chat_id(team_id) == GROUP

    await tg.tap_group(OTHER_GROUP, HEAD, move, title="Новая группа")
    assert await tg.store.groups.bound_chat_id(team_id) == OTHER_GROUP
    assert await tg.store.groups.team_for_chat(GROUP) is None
    assert tg.last_text(OTHER_GROUP) == tg.content.t("groups.bind.moved", team="Альфа", old="Отдел продаж")
    assert tg.last_text(GROUP) == tg.content.t("groups.unbind.done")  # the previous group is told


async def test_cancelling_a_move_keeps_the_binding(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    tg.session.group_admins.add((OTHER_GROUP, HEAD))
    await tg.send_group(OTHER_GROUP, HEAD, "/bind")
    await tg.tap_group(OTHER_GROUP, HEAD, GroupCb(action="cancel", team=team_id).pack())
    assert tg.last_text(OTHER_GROUP) == tg.content.t("groups.bind.cancelled")
    assert await tg.store.groups.bound_chat_id(team_id) == GROUP


async def test_a_group_serving_another_team_is_refused_without_naming_it(tg: FakeTelegram) -> None:
    await onboard_head(tg, OTHER_HEAD, "Бета")
    await tg.send_group(GROUP, OTHER_HEAD, "/bind")
    team_id = await _team(tg)
    tg.session.group_admins.add((GROUP, HEAD))
    await tg.send_group(GROUP, HEAD, "/bind")
    assert tg.last_text(GROUP) == tg.content.t("groups.bind.taken")
    assert "Бета" not in tg.last_text(GROUP)
    assert await tg.store.groups.bound_chat_id(team_id) is None


async def test_an_anonymous_admin_is_asked_to_write_as_themselves(tg: FakeTelegram) -> None:
    await _team(tg)
    anonymous = User(id=1087968824, is_bot=True, first_name="Group")
    chat = Chat(id=GROUP, type="supergroup", title="Отдел продаж")
    entities = [{"type": "bot_command", "offset": 0, "length": 5}]
    message = Message(
        message_id=7, date=NOW, chat=chat, from_user=anonymous, sender_chat=chat, text="/bind", entities=entities
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=9999, message=message))
    assert tg.last_text(GROUP) == tg.content.t("groups.anonymous")


async def test_bind_in_a_private_chat_says_where_to_send_it(tg: FakeTelegram) -> None:
    await _team(tg)
    for command in ("/bind", "/unbind"):
        await tg.send(HEAD, command)
        assert tg.last_text(HEAD) == tg.content.t("groups.private_only")


# --- /unbind, the bot removed, migration ----------------------------------------------------------------------


async def test_the_head_unbinds_and_a_member_cannot(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    await tg.send_group(GROUP, MEMBER, "/unbind")
    assert tg.last_text(GROUP) == tg.content.t("groups.unbind.not_allowed")
    assert await tg.store.groups.bound_chat_id(team_id) == GROUP
    await tg.send_group(GROUP, HEAD, "/unbind@rop_coach_bot")
    assert tg.last_text(GROUP) == tg.content.t("groups.unbind.done")
    assert await tg.store.groups.bound_chat_id(team_id) is None
    await tg.send_group(GROUP, HEAD, "/unbind")
    assert tg.last_text(GROUP) == tg.content.t("groups.unbind.not_bound")


async def test_a_group_admin_outside_the_team_unbinds_and_the_head_is_told(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    tg.session.group_admins.add((GROUP, ADMIN))
    await tg.send_group(GROUP, ADMIN, "/unbind")
    assert tg.last_text(GROUP) == tg.content.t("groups.unbind.done")
    assert await tg.store.groups.bound_chat_id(team_id) is None
    assert tg.last_text(HEAD) == tg.content.t("groups.notices.unbound_by_admin", title="Отдел продаж", team="Альфа")


async def test_the_bot_removed_from_the_group_unbinds_it_and_tells_the_head(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    await tg.bot_membership(GROUP, by_user=MEMBER, joined=False)
    assert await tg.store.groups.bound_chat_id(team_id) is None
    assert tg.last_text(HEAD) == tg.content.t("groups.notices.removed", title="Отдел продаж", team="Альфа")
    assert tg.texts(MEMBER)[-1] != tg.last_text(HEAD)  # only heads hear it
    remover = await tg.store.users.get(MEMBER)
    assert remover is not None and remover.blocked_at is None  # removing the bot from a group is no block


async def test_a_block_in_a_private_chat_is_still_a_block(tg: FakeTelegram) -> None:
    await _team(tg)
    bot_user = await tg.bot.me()
    update = ChatMemberUpdated(
        chat=Chat(id=MEMBER, type="private"),
        from_user=tg.user(MEMBER),
        date=NOW,
        old_chat_member=ChatMemberMember(user=bot_user),
        new_chat_member=ChatMemberBanned(user=bot_user, until_date=0),
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=9997, my_chat_member=update))
    member = await tg.store.users.get(MEMBER)
    assert member is not None and member.blocked_at is not None


async def test_the_bot_added_to_a_group_says_how_to_bind_it(tg: FakeTelegram) -> None:
    await _team(tg)
    await tg.bot_membership(OTHER_GROUP, by_user=HEAD, joined=True)
    assert tg.last_text(OTHER_GROUP) == tg.content.t("groups.added")
    head = await tg.store.users.get(HEAD)
    assert head is not None and head.blocked_at is None


async def test_a_group_that_becomes_a_supergroup_keeps_its_binding(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    await tg.send_group(GROUP, HEAD, "", migrate_to_chat_id=SUPERGROUP)
    assert await tg.store.groups.bound_chat_id(team_id) == SUPERGROUP
    # the supergroup's own service message, after the first: changes nothing more
    await tg.send_group(SUPERGROUP, HEAD, "", kind="supergroup", migrate_from_chat_id=GROUP)
    assert await tg.store.groups.bound_chat_id(team_id) == SUPERGROUP
    await tg.send_group(SUPERGROUP, HEAD, "/bind", kind="supergroup")
    assert tg.last_text(SUPERGROUP) == tg.content.t("groups.bind.already", team="Альфа")


async def test_only_the_supergroups_message_is_enough_too(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    # Telegram sends it on behalf of the group (GroupAnonymousBot): no person behind it, still handled
    chat = Chat(id=SUPERGROUP, type="supergroup", title="Отдел продаж")
    anonymous = User(id=1087968824, is_bot=True, first_name="Group")
    message = Message(
        message_id=1, date=NOW, chat=chat, from_user=anonymous, sender_chat=chat, migrate_from_chat_id=GROUP
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=9998, message=message))
    assert await tg.store.groups.bound_chat_id(team_id) == SUPERGROUP


async def test_a_renamed_group_is_shown_by_its_new_title(tg: FakeTelegram) -> None:
    await _bound_team(tg)
    await tg.send_group(GROUP, HEAD, "", new_chat_title="Продажи Север")
    group = await tg.store.groups.of_chat(GROUP)
    assert group is not None and group.title == "Продажи Север"


async def test_writing_in_a_group_does_not_unblock_a_person_who_blocked_the_bot(tg: FakeTelegram) -> None:
    await _team(tg)
    await tg.store.users.mark_blocked(MEMBER, NOW)
    await tg.send_group(GROUP, MEMBER, "/bind")
    member = await tg.store.users.get(MEMBER)
    assert member is not None and member.blocked_at is not None  # their private chat may still be closed
    await tg.send(MEMBER, "/help")  # writing to the bot privately: reachable again
    member = await tg.store.users.get(MEMBER)
    assert member is not None and member.blocked_at is None


# --- personal screens stay private; group help and commands -----------------------------------------------------


async def test_personal_screens_do_not_open_in_a_group(tg: FakeTelegram) -> None:
    await _bound_team(tg)
    before = len(_sent_to(tg, GROUP))
    for command in ("/menu@rop_coach_bot", "/tasks@rop_coach_bot", "/settings@rop_coach_bot", "/start@rop_coach_bot"):
        await tg.send_group(GROUP, HEAD, command)
    assert len(_sent_to(tg, GROUP)) == before
    await tg.tap_group(GROUP, MEMBER, MenuCb(action="tasks").pack())
    assert tg.last_callback_answer() == tg.content.t("groups.not_yours")
    await tg.tap_group(GROUP, HEAD, MenuCb(action="tasks").pack())
    assert tg.last_callback_answer() == tg.content.t("groups.stale")
    assert len(_sent_to(tg, GROUP)) == before


async def test_help_in_a_group_is_the_groups_help(tg: FakeTelegram) -> None:
    await tg.send_group(GROUP, STRANGER, "/help@rop_coach_bot")
    assert tg.last_text(GROUP) == tg.content.t("groups.help")


async def test_groups_get_their_own_command_menu(tg: FakeTelegram) -> None:
    await register_profile(tg.bot, tg.content)
    scoped = [
        r
        for r in tg.session.requests
        if isinstance(r, SetMyCommands) and isinstance(r.scope, BotCommandScopeAllGroupChats)
    ]
    assert len(scoped) == 1
    assert [c.command for c in scoped[0].commands] == ["bind", "unbind", "help"]
    assert all(c.description for c in scoped[0].commands)


# --- /settings ----------------------------------------------------------------------------------------------------


async def test_settings_show_the_group_and_unbind_it(tg: FakeTelegram) -> None:
    team_id = await _team(tg)
    await tg.send(HEAD, "/settings")
    assert tg.content.t("groups.settings.none") in tg.last_text(HEAD)
    assert SettingsCb(action="unbind").pack() not in [data for _, data in tg.buttons(HEAD)]

    await tg.send_group(GROUP, HEAD, "/bind")
    await tg.send(HEAD, "/settings")
    assert tg.content.t("groups.settings.line", title="Отдел продаж") in tg.last_text(HEAD)
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("groups.settings.button")))
    assert tg.last_text(HEAD) == tg.content.t("groups.settings.unbind_confirm", title="Отдел продаж")
    assert await tg.store.groups.bound_chat_id(team_id) == GROUP  # asked, not done
    await tg.tap(HEAD, SettingsCb(action="unbind_yes").pack())
    assert tg.last_text(HEAD) == tg.content.t("groups.settings.unbound", title="Отдел продаж")
    assert await tg.store.groups.bound_chat_id(team_id) is None
    assert tg.last_text(GROUP) == tg.content.t("groups.unbind.done")  # the group hears it
    await tg.tap(HEAD, SettingsCb(action="unbind_yes").pack())  # a second tap: nothing more
    assert tg.last_text(HEAD) == tg.content.t("groups.settings.not_bound")


async def test_members_settings_show_no_group_and_cannot_unbind(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    await tg.send(MEMBER, "/settings")
    assert "Отдел продаж" not in tg.last_text(MEMBER)
    await tg.tap(MEMBER, SettingsCb(action="unbind_yes").pack())  # forged
    assert await tg.store.groups.bound_chat_id(team_id) == GROUP


# --- post_to_team_group ---------------------------------------------------------------------------------------


class FailingSession(RecordingSession):
    """Answers like RecordingSession, except that sends to chats in `fail` raise the given error."""

    def __init__(self) -> None:
        super().__init__()
        self.fail: dict[int, type[Exception]] = {}

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> Any:
        chat_id = getattr(method, "chat_id", None)
        if isinstance(method, SendMessage) and isinstance(chat_id, int) and chat_id in self.fail:
            self.requests.append(method)
            error = self.fail[chat_id]
            if error is TelegramRetryAfter:
                raise TelegramRetryAfter(method, "Too Many Requests: retry after 30", 30)
            if error is TelegramMigrateToChat:
                raise TelegramMigrateToChat(method, "Bad Request: group chat was upgraded", SUPERGROUP)
            raise TelegramForbiddenError(method, "Forbidden: bot was kicked from the group chat")
        return await super().make_request(bot, method, timeout)


def _bot_with_recording(store: Store, session: FailingSession) -> Bot:
    """The production wiring of failures: the delivery middleware records them (bot/factory.py)."""

    async def record(chat_id: int | None, method: str, error: str, unreachable: bool) -> None:
        await store.failures.record(chat_id, method, error, NOW)

    session.middleware(RetryingDelivery(record, clock=FakeClock(NOW)))
    return Bot(token="42:TEST", session=session)


async def test_post_to_team_group_sends_to_the_bound_group(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    assert await post_to_team_group(tg.bot, tg.store, team_id, "Повестка разбора", NOW) is Posted.SENT
    assert tg.last_text(GROUP) == "Повестка разбора"
    assert await post_to_team_group(tg.bot, tg.store, team_id + 1, "Повестка", NOW) is Posted.NO_GROUP


async def test_post_to_a_group_the_bot_was_removed_from_is_recorded_and_unbinds(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    session = FailingSession()
    session.fail[GROUP] = TelegramForbiddenError
    bot = _bot_with_recording(tg.store, session)
    assert await post_to_team_group(bot, tg.store, team_id, "Повестка", NOW) is Posted.GONE  # never raises
    failures = await tg.store.failures.recent()
    assert [(f.chat_id, f.method) for f in failures] == [(GROUP, "sendMessage")]
    assert "kicked" in failures[0].error
    assert await tg.store.groups.bound_chat_id(team_id) is None


async def test_a_429_on_a_group_post_is_recorded_and_keeps_the_binding(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    session = FailingSession()
    session.fail[GROUP] = TelegramRetryAfter
    bot = Bot(token="42:TEST", session=session)  # a 429 that reaches the caller (the middleware waits these out)
    assert await post_to_team_group(bot, tg.store, team_id, "Повестка", NOW) is Posted.FAILED
    failures = await tg.store.failures.recent()
    assert [(f.chat_id, f.method) for f in failures] == [(GROUP, "sendMessage")]
    assert await tg.store.groups.bound_chat_id(team_id) == GROUP


async def test_a_post_to_a_migrated_group_follows_it(tg: FakeTelegram) -> None:
    team_id = await _bound_team(tg)
    session = FailingSession()
    session.fail[GROUP] = TelegramMigrateToChat
    bot = Bot(token="42:TEST", session=session)
    assert await post_to_team_group(bot, tg.store, team_id, "Повестка", NOW) is Posted.SENT
    assert session.sent_texts(SUPERGROUP) == ["Повестка"]
    assert await tg.store.groups.bound_chat_id(team_id) == SUPERGROUP
