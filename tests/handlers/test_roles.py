"""Every role sees what it can do: /help, /menu, the command menu per chat, refusals, switching teams."""

from __future__ import annotations

import pytest
from aiogram.methods import SetMyCommands
from aiogram.types import BotCommandScopeChat, BotCommandScopeDefault

from bot.app import register_profile
from bot.callbacks import JoinCb, MenuCb, SettingsCb, TeamCb
from bot.commands import GROUP_COMMANDS, HOME_ACTIONS, commands_for
from domain.models import Role
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, STRANGER, onboard_head

OTHER_HEAD = 505


def chat_commands(tg: FakeTelegram, chat_id: int) -> list[str] | None:
    """The command menu the bot last set for this chat (None: never set)."""
    for request in reversed(tg.session.requests):
        scope = request.scope if isinstance(request, SetMyCommands) else None
        if isinstance(request, SetMyCommands) and isinstance(scope, BotCommandScopeChat) and scope.chat_id == chat_id:
            return [command.command for command in request.commands]
    return None


async def _team_of_three(tg: FakeTelegram) -> None:
    owner_code, member_code = await onboard_head(tg)
    await tg.send(OWNER, f"/start {owner_code}", name="Олег")
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")


async def _current(tg: FakeTelegram, user_id: int) -> tuple[int, Role] | None:
    membership = await tg.store.teams.current_membership(user_id)
    return None if membership is None else (membership.team_id, membership.role)


# --- /help, /menu and the command menu -----------------------------------------------------------------------


async def test_help_lists_what_works_for_each_role(tg: FakeTelegram) -> None:
    await _team_of_three(tg)
    await tg.send(STRANGER, "/help")
    for user_id, key in ((HEAD, "help.head"), (OWNER, "help.owner"), (MEMBER, "help.member"), (STRANGER, "help.none")):
        await tg.send(user_id, "/help")
        assert tg.last_text(user_id) == tg.content.t(key)
    for role in Role:  # each command of the role is in its help, and its help names no other command
        text = tg.content.t(f"help.{role.value}")
        named = {word[1:].rstrip(",.—") for word in text.split() if word.startswith("/")}
        assert set(commands_for(role)) - {"help"} <= named
        extras = named - set(commands_for(role)) - set(GROUP_COMMANDS)  # group commands: sent in the group
        assert extras <= {"remind", "template"}, extras  # a phrase form of /reminders; the export example
    assert "/checklists" in tg.content.t("help.owner") and "/checklists" not in tg.content.t("help.member")
    assert "/my_plan" in tg.content.t("help.member") and "/upload" not in tg.content.t("help.owner")


@pytest.mark.parametrize(
    ("user_id", "role"), [(HEAD, Role.HEAD), (OWNER, Role.OWNER), (MEMBER, Role.MEMBER)], ids=lambda v: str(v)
)
async def test_menu_shows_the_roles_buttons(tg: FakeTelegram, user_id: int, role: Role) -> None:
    await _team_of_three(tg)
    await tg.send(user_id, "/menu")
    expected = [(tg.content.t(f"menu.buttons.{action}"), MenuCb(action=action).pack()) for action in HOME_ACTIONS[role]]
    assert tg.buttons(user_id) == expected


async def test_owner_and_member_menus_hold_no_head_screens(tg: FakeTelegram) -> None:
    await _team_of_three(tg)
    await tg.send(OWNER, "/menu")
    assert [data for _, data in tg.buttons(OWNER)] == [
        MenuCb(action=a).pack() for a in ("digest", "checklists", "history", "reminders", "settings")
    ]
    await tg.send(MEMBER, "/menu")
    assert [data for _, data in tg.buttons(MEMBER)] == [  # /strategy: only the milestones the member owns
        MenuCb(action=a).pack() for a in ("learn", "cases", "my_plan", "strategy", "reminders", "settings")
    ]


async def test_a_member_opens_their_milestones_from_the_menu(tg: FakeTelegram) -> None:
    """«Открыть веху» on a reminder is not the only way in: /menu has «Стратегия», and the member's screen is theirs."""
    await _team_of_three(tg)
    await tg.send(MEMBER, "/menu")
    await tg.tap(MEMBER, tg.button(MEMBER, tg.content.t("menu.buttons.strategy")))
    assert tg.last_text(MEMBER).startswith(tg.content.t("strategy.intro_member"))
    assert tg.content.t("strategy.no_milestones") in tg.last_text(MEMBER)  # none of theirs yet
    await tg.send(MEMBER, "/strategy")
    assert tg.last_text(MEMBER).startswith(tg.content.t("strategy.intro_member"))


async def test_the_default_command_menu_is_start_menu_help(tg: FakeTelegram) -> None:
    await register_profile(tg.bot, tg.content)
    requests = [r for r in tg.session.requests if isinstance(r, SetMyCommands)]
    defaults = [r for r in requests if isinstance(r.scope, BotCommandScopeDefault)]  # groups have their own
    assert len(defaults) == 1
    assert isinstance(defaults[0].scope, BotCommandScopeDefault)
    assert [c.command for c in defaults[0].commands] == ["start", "menu", "help"]
    assert all(c.description for c in defaults[0].commands)


async def test_each_chat_gets_its_roles_commands_on_onboarding_and_joining(tg: FakeTelegram) -> None:
    await tg.send(STRANGER, "/start")
    assert chat_commands(tg, STRANGER) == ["start", "help"]
    owner_code, member_code = await onboard_head(tg)
    head = chat_commands(tg, HEAD)
    assert head is not None
    assert head == list(commands_for(Role.HEAD))
    assert head[0] == "menu" and "checklists" in head and head[-1] == "help"
    await tg.send(OWNER, f"/start {owner_code}")
    assert chat_commands(tg, OWNER) == ["menu", "digest", "checklists", "history", "reminders", "settings", "help"]
    await tg.send(MEMBER, f"/start {member_code}")
    member_menu = ["menu", "learn", "cases", "my_plan", "strategy", "reminders", "settings", "help"]
    assert chat_commands(tg, MEMBER) == member_menu
    descriptions = {
        (request.scope.chat_id, command.command): command.description
        for request in tg.session.requests
        if isinstance(request, SetMyCommands) and isinstance(request.scope, BotCommandScopeChat)
        for command in request.commands
    }
    # The same command reads the same for everyone, but a member's /strategy: only the milestones they own.
    member_strategy = tg.content.t("commands.by_role.member.strategy")
    assert descriptions[(MEMBER, "strategy")] == member_strategy != tg.content.t("commands.strategy")
    assert descriptions[(HEAD, "strategy")] == tg.content.t("commands.strategy")
    assert all(
        text == tg.content.t(f"commands.{name}")
        for (chat, name), text in descriptions.items()
        if (chat, name) != (MEMBER, "strategy")
    )


async def test_leaving_the_last_team_leaves_start_and_help(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.tap(MEMBER, SettingsCb(action="leave_yes").pack())
    assert chat_commands(tg, MEMBER) == ["start", "help"]


@pytest.mark.parametrize("command", ["/checklists", "/tasks", "/upload", "/plans", "/history"])
async def test_a_head_only_command_tells_owner_and_member_what_they_can_do(tg: FakeTelegram, command: str) -> None:
    await _team_of_three(tg)
    if command not in {"/checklists", "/history"}:  # an owner takes two checklists about their head (issue 8)
        await tg.send(OWNER, command)
        assert tg.last_text(OWNER) == tg.content.t("errors.access_denied_for.owner")
        assert "/digest" in tg.last_text(OWNER)
    await tg.send(MEMBER, command)
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied_for.member")
    assert "/learn" in tg.last_text(MEMBER)


async def test_a_head_only_button_tells_the_owner_in_its_alert(tg: FakeTelegram) -> None:
    await _team_of_three(tg)
    await tg.tap(OWNER, MenuCb(action="tasks").pack())
    answer = tg.session.callback_answers()[-1]
    assert (answer.text, answer.show_alert) == (tg.content.t("errors.access_denied_for.owner"), True)
    assert len(tg.content.t("errors.access_denied_for.owner")) <= 200  # an alert's limit
    assert len(tg.content.t("errors.access_denied_for.member")) <= 200


# --- several teams ------------------------------------------------------------------------------------------


async def test_a_head_is_asked_before_another_teams_link_moves_them(tg: FakeTelegram) -> None:
    await onboard_head(tg, HEAD, "Альфа")
    alpha = await _current(tg, HEAD)
    _, beta_member_code = await onboard_head(tg, OTHER_HEAD, "Бета")
    beta = await _current(tg, OTHER_HEAD)
    assert alpha is not None and beta is not None

    await tg.send(HEAD, f"/start {beta_member_code}")
    assert "«Альфа»" in tg.last_text(HEAD) and "«Бета»" in tg.last_text(HEAD)
    assert await _current(tg, HEAD) == alpha  # nothing joined yet
    assert await tg.store.teams.role_of(HEAD, beta[0]) is None
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("team_move.buttons.no")))
    assert tg.last_text(HEAD) == tg.content.t("team_move.stayed", current="Альфа")
    assert await _current(tg, HEAD) == alpha and await tg.store.teams.role_of(HEAD, beta[0]) is None
    await tg.tap(HEAD, JoinCb(action="yes").pack())  # the question was answered: an old button is stale
    assert tg.last_callback_answer() == tg.content.t("errors.stale_button")
    assert await tg.store.teams.role_of(HEAD, beta[0]) is None

    await tg.send(HEAD, f"/start {beta_member_code}")
    await tg.tap(HEAD, tg.button(HEAD, tg.content.t("team_move.buttons.yes")))
    assert await _current(tg, HEAD) == (beta[0], Role.MEMBER)
    assert await tg.store.teams.role_of(HEAD, alpha[0]) is Role.HEAD  # their own team stays theirs
    assert tg.last_text(HEAD) == tg.content.t("start.joined.member", team="Бета")
    assert chat_commands(tg, HEAD) == list(commands_for(Role.MEMBER))


async def test_a_non_head_and_a_head_already_in_the_team_are_not_asked(tg: FakeTelegram) -> None:
    _, alpha_member_code = await onboard_head(tg, HEAD, "Альфа")
    _, beta_member_code = await onboard_head(tg, OTHER_HEAD, "Бета")
    await tg.send(MEMBER, f"/start {alpha_member_code}")
    await tg.send(MEMBER, f"/start {beta_member_code}")  # a manager in two teams: joins at once
    assert tg.last_text(MEMBER) == tg.content.t("start.joined.member", team="Бета")
    await tg.send(HEAD, f"/start {alpha_member_code}")  # their own team's link: nothing moves, nothing asked
    assert JoinCb(action="yes").pack() not in [data for _, data in tg.buttons(HEAD)]
    assert (await _current(tg, HEAD) or (0, None))[1] is Role.HEAD


async def test_a_person_in_several_teams_switches_between_them(tg: FakeTelegram) -> None:
    _, alpha_member_code = await onboard_head(tg, HEAD, "Альфа")
    alpha = await _current(tg, HEAD)
    beta_owner_code, _ = await onboard_head(tg, OTHER_HEAD, "Бета")
    beta = await _current(tg, OTHER_HEAD)
    assert alpha is not None and beta is not None
    await tg.send(OWNER, f"/start {alpha_member_code}")
    await tg.send(OWNER, "/settings")  # one team: nothing to switch
    assert SettingsCb(action="teams").pack() not in [data for _, data in tg.buttons(OWNER)]
    await tg.send(OWNER, f"/start {beta_owner_code}")
    assert await _current(tg, OWNER) == (beta[0], Role.OWNER)

    await tg.send(OWNER, "/settings")
    await tg.tap(OWNER, tg.button(OWNER, tg.content.t("settings.buttons.teams")))
    member, owner = tg.content.t("roles.member"), tg.content.t("roles.owner")
    assert [text for text, _ in tg.buttons(OWNER)] == [
        tg.content.t("settings.team_choice", team="Альфа", role=member),
        tg.content.t("settings.team_choice_current", team="Бета", role=owner),
        tg.content.t("settings.buttons.back"),
    ]
    await tg.tap(OWNER, TeamCb(team=alpha[0]).pack())
    assert await _current(tg, OWNER) == (alpha[0], Role.MEMBER)
    assert tg.last_callback_answer() == tg.content.t("settings.team_switched", team="Альфа", role=member)
    assert "«Альфа»" in tg.last_text(OWNER)
    assert [data for _, data in tg.buttons(OWNER)] == [MenuCb(action=a).pack() for a in HOME_ACTIONS[Role.MEMBER]]
    assert chat_commands(tg, OWNER) == list(commands_for(Role.MEMBER))
    await tg.send(OWNER, "/help")
    assert tg.last_text(OWNER) == tg.content.t("help.member")


async def test_switching_to_a_team_one_is_not_in_changes_nothing(tg: FakeTelegram) -> None:
    await onboard_head(tg, HEAD, "Альфа")
    alpha = await _current(tg, HEAD)
    await onboard_head(tg, OTHER_HEAD, "Бета")
    beta = await _current(tg, OTHER_HEAD)
    assert alpha is not None and beta is not None
    await tg.tap(HEAD, TeamCb(team=beta[0]).pack())  # forged: another team's id
    assert tg.last_callback_answer() == tg.content.t("errors.not_found")
    assert await _current(tg, HEAD) == alpha
    assert await tg.store.teams.role_of(HEAD, beta[0]) is None
