"""``/spamguard`` on discord.py, nextcord and disnake: spamguard.moderation's extension
loaded the library's way on a real bot, the command group registered through the
library's own sync with the REST stand-in, INTERACTION_CREATE fed through the library's
gateway parser, and the answers read from the stand-in's interaction routes."""

from __future__ import annotations

import contextlib
import importlib
import typing

import pytest
from support import payloads
from support.dpy_harness import dpy_bot, finish

from spamguard.moderation import Moderation
from spamguard.moderation.command_group import COMMAND, DRY_RUN_CHOICES, SUBCOMMANDS, Refusal
from spamguard.moderation.dpy_commands import NOT_PROTECTED

from .dpy_world import ADAPTER, LIBRARY, adapter, make_policy

if typing.TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from support.discord_api.interactions import InteractionResponse
    from support.dpy_harness import DpyHarness

    from spamguard.adapters.runtime import Protection

EXTENSION: typing.Final = f"spamguard.moderation.{ADAPTER}"
NAMES: typing.Final = [subcommand.name for subcommand in SUBCOMMANDS]

# How each library registers its application commands with Discord: discord.py when
# the bot syncs its tree, nextcord on connect (here: its sync, called as on_connect
# does), disnake on its own once the bot is ready.
_REGISTER: typing.Final[dict[str, Callable[[typing.Any], Awaitable[object]] | None]] = {
    "discord": lambda bot: bot.tree.sync(),
    "nextcord": lambda bot: bot.sync_all_application_commands(),
    "disnake": None,
}

NO_MENTIONS: typing.Final = {"parse": []}
EPHEMERAL: typing.Final = 64
OPTIONS: typing.Final[dict[str, dict[str, typing.Any]]] = {
    "status": {},
    "explain": {"message": "1234567890123456789"},
    "cases": {"member": "alice"},
    "case": {"number": 1},
    "pardon": {"member": "alice"},
    "dryrun": {"on": "on"},
    "reload": {},
}


class Commands(typing.NamedTuple):
    harness: DpyHarness
    protection: Protection | None
    command_id: int

    @property
    def world(self) -> payloads.GuildWorld:
        return self.harness.world

    async def invoke(
        self, subcommand: str, invoker: payloads.Member | None = None, **options: typing.Any
    ) -> tuple[dict[str, typing.Any], tuple[InteractionResponse, ...]]:
        """Run ``/spamguard subcommand`` as ``invoker`` (default: the admin); the answer
        message as it ends and the responses that made it."""
        members = {"alice": self.world.alice, "bob": self.world.bob}
        values = {k: members.get(v, v) if isinstance(v, str) else v for k, v in options.items()}
        payload = self.world.slash_command(
            subcommand, command_id=self.command_id, invoker=invoker, **values
        )
        await self.harness.interact(payload)
        interactions = self.harness.api.interactions
        message = await interactions.answered(int(payload["id"]))
        return message, interactions.of(int(payload["id"]))


@contextlib.asynccontextmanager
async def commands_bot(*, protected: bool = True) -> AsyncIterator[Commands]:
    """A ready bot with spamguard attached (unless not ``protected``) and
    ``spamguard.moderation.<library>`` loaded as the library loads an extension."""
    attached: list[Protection] = []

    async def before_login(bot: typing.Any) -> None:
        if protected:
            attached.append(adapter().attach(bot, policy=make_policy(), load_entrypoints=False))
        await finish(bot.load_extension(EXTENSION))

    async with dpy_bot(LIBRARY, payloads.build_world(), before_login=before_login) as h:
        register = _REGISTER[LIBRARY]
        if register is not None:
            await register(h.bot)
        (command,) = [
            c for scope in h.api.commands.values() for c in scope.values() if c["name"] == COMMAND
        ]
        try:
            yield Commands(h, attached[0] if attached else None, int(command["id"]))
        finally:
            if attached:
                await attached[0].detach()


def _shape(option: dict[str, typing.Any]) -> tuple[str, int, tuple[str, ...]]:
    choices = tuple(c["value"] for c in option.get("choices") or ())
    return option["name"], option["type"], choices


async def test_the_group_is_registered_for_manage_server_in_guilds_only() -> None:
    async with commands_bot() as bot:
        (command,) = [c for s in bot.harness.api.commands.values() for c in s.values()]

        assert command["name"] == "spamguard"
        assert int(command["default_member_permissions"]) == payloads.Permission.MANAGE_GUILD
        # Guild only: contexts [GUILD] (nextcord 3, disnake) or dm_permission false.
        assert command.get("contexts") == [0] or (
            command.get("contexts") is None and command["dm_permission"] is False
        )
        subcommands = {o["name"]: o for o in command["options"]}
        assert list(subcommands) == NAMES
        assert all(o["type"] == 1 for o in subcommands.values())
        shapes = {
            name: [_shape(o) for o in s.get("options") or ()] for name, s in subcommands.items()
        }
        assert shapes == {
            "status": [],
            "explain": [("message", 3, ())],
            "cases": [("member", 6, ())],
            "case": [("number", 4, ())],
            "pardon": [("member", 6, ())],
            "dryrun": [("on", 3, tuple(DRY_RUN_CHOICES))],
            "reload": [],
        }
        (number,) = subcommands["case"]["options"]
        assert number["min_value"] == 1


@pytest.mark.parametrize("subcommand", NAMES)
async def test_each_subcommand_answers_the_operation_ephemerally_without_mentions(
    subcommand: str,
) -> None:
    async with commands_bot() as bot:
        message, responses = await bot.invoke(subcommand, **OPTIONS[subcommand])

        (callback,) = responses
        assert (callback.kind, callback.type, callback.flags) == ("callback", 4, EPHEMERAL)
        assert callback.allowed_mentions == NO_MENTIONS
        assert message["flags"] == EPHEMERAL
        assert message["content"]
        assert Refusal.NOT_ALLOWED.value not in message["content"]


async def test_the_answer_is_the_operations_text() -> None:
    async with commands_bot() as bot:
        assert bot.protection is not None
        expected = await Moderation(bot.protection).case(bot.world.guild_id, 1)

        message, _ = await bot.invoke("case", number=1)

        assert message["content"] == expected.text


@pytest.mark.parametrize("invoker", ["owner", "admin"])
async def test_the_owner_and_an_administrator_may_use_the_commands(invoker: str) -> None:
    async with commands_bot() as bot:
        message, _ = await bot.invoke("status", invoker=getattr(bot.world, invoker))

        assert message["content"] not in {r.value for r in Refusal}


@pytest.mark.parametrize("subcommand", ["status", "pardon", "dryrun", "reload"])
async def test_a_member_without_manage_server_is_refused_by_our_own_check(
    subcommand: str,
) -> None:
    async with commands_bot() as bot:
        # Discord hides the command from them; a stale client (or a permission changed
        # since) can still send it, and the bot refuses it too.
        bot.harness.api.clear()
        message, responses = await bot.invoke(
            subcommand, invoker=bot.world.moderator, **OPTIONS[subcommand]
        )

        assert message["content"] == Refusal.NOT_ALLOWED.value
        assert (responses[0].flags, responses[0].allowed_mentions) == (EPHEMERAL, NO_MENTIONS)
        # Nothing was done: the only request is the answer.
        assert [r.route for r in bot.harness.api.requests] == [
            "/interactions/{interaction_id}/{interaction_token}/callback"
        ]


async def test_a_slow_operation_is_deferred_ephemerally_then_answered() -> None:
    async with commands_bot() as bot:
        cog = bot.harness.bot.get_cog("SpamGuardCommands")
        cog.moderation_commands.answer_within = 0.0

        message, responses = await bot.invoke("status")

        defer, edit = responses
        assert (defer.kind, defer.type, defer.flags) == ("callback", 5, EPHEMERAL)
        assert (edit.kind, edit.allowed_mentions) == ("edit_original", NO_MENTIONS)
        assert edit.content == message["content"]
        assert message["flags"] == EPHEMERAL


async def test_without_spamguard_attached_the_command_says_what_to_load() -> None:
    async with commands_bot(protected=False) as bot:
        message, _ = await bot.invoke("status")

        assert message["content"] == NOT_PROTECTED.format(adapter=ADAPTER)
        assert f"spamguard.adapters.{ADAPTER}" in message["content"]


async def test_the_extension_unloads_with_its_cog() -> None:
    async with commands_bot() as bot:
        assert bot.harness.bot.get_cog("SpamGuardCommands") is not None

        await finish(bot.harness.bot.unload_extension(EXTENSION))

        assert bot.harness.bot.get_cog("SpamGuardCommands") is None
        assert importlib.import_module(EXTENSION).COMMANDS.library is adapter().FLAVOUR


async def test_pardon_lifts_the_timeout_spamguard_gave() -> None:
    async with commands_bot() as bot:
        world, api = bot.world, bot.harness.api
        member = f"/guilds/{world.guild_id}/members/{world.alice.id}"
        for _ in range(3):
            await bot.harness.send_message(author=world.alice, content="buy now")
        (timeout,) = await api.wait_for("PATCH", member)
        assert timeout.json["communication_disabled_until"] is not None
        api.clear()

        message, responses = await bot.invoke("pardon", member="alice")

        # One request lifts the timeout (JSON null), then the answer; nothing else.
        (lift,) = api.find("PATCH", "/guilds/{g}/members/{u}")
        assert (lift.path, lift.json) == (member, {"communication_disabled_until": None})
        assert [r.route for r in api.requests][-1] == (
            "/interactions/{interaction_id}/{interaction_token}/callback"
        )
        assert api.members[(world.guild_id, world.alice.id)]["communication_disabled_until"] is None
        assert (responses[0].flags, responses[0].allowed_mentions) == (EPHEMERAL, NO_MENTIONS)
        assert message["content"]


async def test_pardon_of_a_member_with_no_case_says_so_and_sends_nothing() -> None:
    async with commands_bot() as bot:
        api = bot.harness.api
        api.clear()

        message, _ = await bot.invoke("pardon", member="bob")

        assert api.find("PATCH", "/guilds/{g}/members/{u}") == ()
        assert api.find("DELETE", "/guilds/{g}/bans/{u}") == ()
        assert bot.protection is not None
        expected = await Moderation(bot.protection).pardon(
            bot.world.guild_id, bot.world.bob.id, moderator_id=bot.world.admin.id
        )
        assert not expected.ok
        assert message["content"] == expected.text


async def test_explain_of_a_message_spamguard_never_saw_is_a_clear_answer() -> None:
    async with commands_bot() as bot:
        link = f"https://discord.com/channels/{bot.world.guild_id}/{bot.world.general.id}/1234567890123456789"

        message, _ = await bot.invoke("explain", message=link)

        assert "no decision on message 1234567890123456789" in message["content"]
        assert "never saw" in message["content"]


async def test_explain_of_a_punished_message_gives_the_checks_counts() -> None:
    async with commands_bot() as bot:
        world, api = bot.world, bot.harness.api
        sent = [
            await bot.harness.send_message(author=world.alice, content="buy now") for _ in range(3)
        ]
        await api.wait_for("PATCH", f"/guilds/{world.guild_id}/members/{world.alice.id}")

        message, _ = await bot.invoke("explain", message=sent[-1]["id"])

        assert bot.protection is not None
        expected = await Moderation(bot.protection).explain(world.guild_id, sent[-1]["id"])
        assert expected.ok
        assert message["content"] == expected.text
