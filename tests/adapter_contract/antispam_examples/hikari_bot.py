import hikari

from spamguard.contrib.antispam import AntiSpamHandler
from spamguard.contrib.antispam.enums import Library

bot = hikari.GatewayBot(
    token=file["token"],
)

handler = AntiSpamHandler(bot, library=Library.HIKARI)


@bot.listen()
async def ping(event: hikari.GuildMessageCreateEvent) -> None:
    if event.is_bot or not event.content:
        return

    await handler.propagate(event.message)


bot.run()
