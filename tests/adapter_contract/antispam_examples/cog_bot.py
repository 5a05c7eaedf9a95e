from discord.ext import commands
from spamguard.contrib.antispam import AntiSpamHandler

class AntiSpamCog(commands.Cog):
    def __init__(self, bot):
        self.bot = bot
        self.bot.handler = AntiSpamHandler(self.bot)

    @commands.Cog.listener()
    async def on_ready(self):
        print("AntiSpamCog is ready!\n-----\n")

    @commands.Cog.listener()
    async def on_message(self, message):
        await self.bot.handler.propagate(message)

def setup(bot):
    bot.add_cog(AntiSpamCog(bot))
