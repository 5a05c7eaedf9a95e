"""Writes cli/sample_raid.jsonl, the log behind ``spamguard replay --sample``.

Run ``python tests/cli/make_sample_log.py`` after changing it; a test checks the shipped
file is exactly what :func:`build` makes. Against the default policy the log holds: quiet
regulars, a bot and a moderator (both exempt), an excited member just under the message
limit, a flooder (max_messages), and a raid of new accounts posting invites
(max_invites), mass mentions (max_mentions), image dumps (max_attachments) and a
repeated @everyone bait (max_duplicates), plus one DM and a redelivered message.
"""

from __future__ import annotations

import datetime
import json
import pathlib

START = datetime.datetime(2024, 5, 4, 18, 0, tzinfo=datetime.UTC)
EPOCH_MS = 1_420_070_400_000
GUILD = 811_204_623_918_563_328
GENERAL = 811_204_624_401_027_092
MEMES = 811_204_624_891_744_256
TARGET = pathlib.Path(__file__).resolve().parents[2] / "cli" / "sample_raid.jsonl"

USERS = {
    "mia": 402_118_377_051_226_113,
    "noah": 402_118_377_051_226_114,
    "lena": 402_118_377_051_226_115,
    "jules": 402_118_377_051_226_116,
    "zed": 402_118_377_051_226_117,
    "mod_sam": 402_118_377_051_226_118,
    "Carl-bot": 235_148_962_103_951_360,
    "nitro_drop_1": 1_236_771_019_201_773_601,
    "nitro_drop_2": 1_236_771_019_201_773_602,
    "nitro_drop_3": 1_236_771_019_201_773_603,
    "nitro_drop_4": 1_236_771_019_201_773_604,
    "pingstorm": 1_236_771_019_201_773_605,
    "img_dumper": 1_236_771_019_201_773_606,
    "everyone_bait": 1_236_771_019_201_773_607,
}


def _line(
    t: float, who: str, content: str, *, channel: int = GENERAL, **extra: object
) -> dict[str, object]:
    when = START + datetime.timedelta(seconds=t)
    return {
        "t": t,
        "guild_id": GUILD,
        "channel_id": channel,
        "author_id": USERS[who],
        "author_name": who,
        "channel_name": "general" if channel == GENERAL else "memes",
        "content": content,
        "created_at": when.isoformat().replace("+00:00", "Z"),
        **extra,
    }


def build() -> list[dict[str, object]]:
    """Every line of the sample log, in the order the bot received them."""
    lines: list[dict[str, object]] = []
    chatter = [
        (0.0, "mia", "evening all"),
        (3.2, "noah", "hey mia, did the patch land?"),
        (7.9, "mia", "yes, 2.4 is out: https://example.com/patch-notes"),
        (12.5, "lena", "finally \N{PARTY POPPER}"),
        (18.1, "noah", "queueing for ranked, anyone?"),
        (21.7, "lena", "give me 5 min"),
        (27.3, "mia", "same"),
        (33.0, "noah", "ok, lobby is up"),
        (39.8, "lena", "joining"),
        (46.4, "mia", "gg that was quick"),
        (55.0, "noah", "brb"),
    ]
    for t, who, text in chatter:
        lines.append(_line(t, who, text))
    lines.append(_line(30.0, "Carl-bot", "Reminder: read #rules", author_is_bot=True))
    lines.append(_line(90.0, "Carl-bot", "Reminder: read #rules", author_is_bot=True))
    # An excited member: 7 messages in 4 seconds, one under max_messages (8 in 5s).
    for i, text in enumerate(
        ["WAIT", "did you see", "that play", "no way", "clip it", "CLIP IT", "lol"]
    ):
        lines.append(_line(41.0 + i * 0.6, "jules", text, channel=MEMES))
    # A flooder: 9 different messages in 4 seconds; the 8th reaches max_messages.
    flood = [
        "hello??",
        "anyone here",
        "answer me",
        "HELLO",
        "why is nobody talking",
        "ok",
        "fine",
        "I'll wait",
        "bye",
    ]
    for i, text in enumerate(flood):
        lines.append(_line(48.0 + i * 0.5, "zed", text))
    # The raid: new accounts posting invites, each stopped at its 3rd invite.
    invite = "Free Nitro for everyone! claim here: discord.gg/fr33n1tro"
    for round_ in range(3):
        for n in range(1, 5):
            text = invite if round_ != 1 else invite.replace("everyone!", "everyone!!")
            channel = GENERAL if (n + round_) % 2 else MEMES  # across channels: user scope
            lines.append(
                _line(60.0 + round_ * 4.0 + n * 0.7, f"nitro_drop_{n}", text, channel=channel)
            )
    mentioned = [USERS[name] for name in ("mia", "noah", "lena", "jules")]
    pings = [*mentioned, *range(402_118_377_051_226_200, 402_118_377_051_226_208)]
    lines.append(
        _line(63.3, "pingstorm", "yo " + " ".join(f"<@{u}>" for u in pings), mention_ids=pings)
    )
    for i in range(4):
        lines.append(_line(64.0 + i * 2.0, "img_dumper", "", channel=MEMES, attachment_count=3))
    for i in range(5):
        lines.append(_line(66.0 + i * 3.0, "everyone_bait", "@everyone check this out"))
    # A moderator cleaning up: many quick messages, exempt (manage messages).
    for i in range(9):
        lines.append(
            _line(
                75.0 + i * 0.4,
                "mod_sam",
                f"!ban nitro_drop_{i % 4 + 1}",
                author_can_manage_messages=True,
            )
        )
    lines.append(_line(80.0, "mia", "what was THAT"))
    lines.append(_line(80.0, "mia", "what was THAT"))  # the gateway redelivered it
    lines.append(_line(84.5, "noah", "raid, mods got it"))
    lines.append({**_line(86.0, "lena", "sent you the clip"), "guild_id": None})  # a DM
    lines.append(_line(95.0, "lena", "back to ranked?"))
    lines.append(_line(101.0, "noah", "yep"))
    lines.sort(key=lambda line: float(line["t"]))  # type: ignore[arg-type]
    counters: dict[int, int] = {}
    out = []
    for line in lines:
        ms = int(START.timestamp() * 1000 + float(line.pop("t")) * 1000)  # type: ignore[arg-type]
        seq = counters[ms] = counters.get(ms, 0) + 1
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous["content"] == line["content"]
            and previous["author_id"] == line["author_id"]
            and previous["created_at"] == line["created_at"]
        ):
            line = {"id": previous["id"], **line}  # noqa: PLW2901 - the redelivery keeps its id
        else:
            line = {"id": ((ms - EPOCH_MS) << 22) | (seq << 12) | 1, **line}  # noqa: PLW2901
        out.append(line)
    return out


def render() -> str:
    """The file's text."""
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in build())


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
