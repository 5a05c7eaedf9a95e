"""discord-anti-spam 1.9.1's documented examples, with only the import prefix changed, run on
a real bot of the library under test against the REST stand-in (see
``antispam_examples/README.md``): what each example's bot does to Discord."""

from __future__ import annotations

import ast
import inspect
import pathlib
import typing

import pytest
from adapter_contract.conftest import LIBRARY
from adapter_contract.wire import ids, timeout_until

if typing.TYPE_CHECKING:
    from support.library_harness import BotHarness, LibraryHarness
    from support.payloads import GuildWorld

EXAMPLES = pathlib.Path(__file__).with_name("antispam_examples")
SPAM = "free nitro at example dot com"

DPY_FAMILY = {"nextcord", "disnake", "discordpy"}
MODULES = {"nextcord": "nextcord", "disnake": "disnake", "discordpy": "discord"}


def _is_bot_construction(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["bot"]
        and isinstance(node.value, ast.Call)
    )


def _is_run(node: ast.stmt) -> bool:
    if isinstance(node, ast.If):
        return "__main__" in ast.unparse(node.test)
    return isinstance(node, ast.Expr) and ast.unparse(node.value).startswith("bot.run(")


class _ReadDiscordAs(ast.NodeTransformer):
    """discord.py examples on nextcord and disnake: ``discord`` is that library's module."""

    def __init__(self, module: str) -> None:
        self.module = module

    def visit_Import(self, node: ast.Import) -> ast.Import:
        for alias in node.names:
            if alias.name == "discord":
                alias.asname, alias.name = "discord", self.module
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.ImportFrom:
        if node.module is not None and node.module.split(".")[0] == "discord":
            node.module = self.module + node.module.removeprefix("discord")
        return node


async def run_example(name: str, bot: typing.Any) -> dict[str, typing.Any]:
    """Execute example ``name`` with ``bot`` as its bot: every statement but the bot's
    construction and ``bot.run(...)``; an extension's ``setup(bot)`` is called. Returns
    the example's namespace."""
    tree = ast.parse((EXAMPLES / f"{name}.py").read_text(encoding="utf-8"))
    tree.body = [n for n in tree.body if not (_is_bot_construction(n) or _is_run(n))]
    module = MODULES.get(LIBRARY)
    if module is not None and module != "discord":
        tree = _ReadDiscordAs(module).visit(tree)
    namespace: dict[str, typing.Any] = {"__name__": f"antispam_example_{name}", "bot": bot}
    exec(compile(ast.fix_missing_locations(tree), name, "exec"), namespace)
    setup = namespace.get("setup")
    if setup is not None:
        result = setup(bot)
        if inspect.isawaitable(result):
            await result
    return namespace


def examples_for(*libraries: str) -> pytest.MarkDecorator:
    """The test runs for ``libraries`` only: deselected for the others (a skip would fail
    CI, where a suite that should run must run)."""
    return pytest.mark.only_for_libraries(*libraries)


# The docs' Cog example has a synchronous setup() written before discord.py 2, where
# add_cog is a coroutine and an extension's setup async: it cannot add its Cog there.
BASIC_EXAMPLES = ["basic_bot"] if LIBRARY == "discordpy" else ["basic_bot", "cog_bot"]


async def spam(h: BotHarness, count: int, content: str = SPAM) -> list[dict[str, typing.Any]]:
    return [await h.send_message(content=content) for _ in range(count)]


def assert_timed_out_once(h: BotHarness, world: GuildWorld, sent: list[dict[str, typing.Any]]):
    """1.9.1's default punishment: a DM to the member, then a 5-minute timeout."""
    [timeout] = h.api.find("PATCH", "/guilds/{g}/members/{u}")
    assert timeout.path.endswith(f"/members/{world.alice.user.id}")
    assert timeout.json == {"communication_disabled_until": timeout_until(sent[4], 300)}
    [dm] = h.api.find("POST", "/users/@me/channels")
    assert int(dm.json["recipient_id"]) == world.alice.user.id
    # No log channel: nothing is posted in the guild, nothing deleted (delete_spam is off).
    dm_channel = h.api.find("POST", "/channels/{c}/messages")
    assert len(dm_channel) == 1
    assert "you are being timed out from" in dm_channel[0].json["content"]
    assert h.api.find("POST", "/channels/{c}/messages/bulk-delete") == ()


@examples_for("discordpy")
async def test_the_readme_bot_times_spammers_out(library: LibraryHarness, world) -> None:
    async with library.bot(world) as h:
        await run_example("readme_bot", h.bot)
        sent = await spam(h, 5)
        assert_timed_out_once(h, world, sent)


@examples_for("nextcord", "disnake")
async def test_the_fork_example_bot_times_spammers_out(library: LibraryHarness, world) -> None:
    async with library.bot(world) as h:
        await run_example(f"{LIBRARY}_bot", h.bot)
        sent = await spam(h, 5)
        assert_timed_out_once(h, world, sent)


@examples_for("hikari", "lightbulb")
async def test_the_hikari_example_bot_times_spammers_out(library: LibraryHarness, world) -> None:
    async with library.bot(world) as h:
        await run_example("hikari_bot", h.bot)
        sent = await spam(h, 5)
        assert_timed_out_once(h, world, sent)


@examples_for(*DPY_FAMILY)
@pytest.mark.parametrize("example", BASIC_EXAMPLES)
async def test_the_basic_and_cog_examples_warn_and_delete_as_0x_did(
    library: LibraryHarness, world, example: str
) -> None:
    # These examples pass no Library (1.9.1's docs kept 0.x's form): 0.x's defaults apply.
    async with library.bot(world) as h:
        await run_example(example, h.bot)
        sent = await spam(h, 5)
        [warning] = h.api.find("POST", "/channels/{c}/messages")
        assert warning.json["content"] == (
            f"Hey <@{world.alice.user.id}>, please stop spamming/sending duplicate messages."
        )
        (bulk,) = h.api.find("POST", "/channels/{c}/messages/bulk-delete")
        assert ids(bulk.json["messages"]) == ids(m["id"] for m in sent)
        assert h.api.find("PATCH", "/guilds/{g}/members/{u}") == ()


@examples_for(*DPY_FAMILY)
@pytest.mark.parametrize(
    ("example", "field"),
    [("template_string_bot", "ban_message"), ("template_embed_bot", "guild_warn_message")],
)
async def test_the_templating_examples_fail_as_in_1_9_1(
    library: LibraryHarness, world, example: str, field: str
) -> None:
    # 1.9.1's Options has no such field (the page predates it): Options(...) raises
    # TypeError there and here, naming the field.
    async with library.bot(world) as h:
        with pytest.raises(TypeError, match=field):
            await run_example(example, h.bot)


@examples_for(*DPY_FAMILY)
async def test_the_custom_punishment_example_reports_on_the_seventh_message(
    library: LibraryHarness, world, capsys: pytest.CaptureFixture[str]
) -> None:
    async with library.bot(world) as h:
        namespace = await run_example("custom_punishment_bot", h.bot)
        await spam(h, 6)
        assert "You spammer" not in capsys.readouterr().out
        [seventh] = await spam(h, 1)
        assert capsys.readouterr().out == "You spammer\n"
        # no_punish: the handler reports, the bot does the punishing; nothing was sent.
        assert h.api.find("POST", "/channels/{c}/messages") == ()
        assert h.api.find("PATCH") == ()
        assert await namespace["bot"].tracker.get_member_count(await _last_message(h, seventh)) == 0


async def _last_message(h: BotHarness, created: dict[str, typing.Any]) -> typing.Any:
    """The library's message object of ``created`` (from the bot's own cache)."""
    for message in reversed(list(getattr(h.bot, "cached_messages", ()))):
        if message.id == int(created["id"]):
            return message
    raise LookupError(created["id"])
