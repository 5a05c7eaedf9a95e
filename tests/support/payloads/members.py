"""Builders of the member gateway events (GUILD_MEMBER_ADD, GUILD_MEMBER_REMOVE) and of
the members a raid brings (`newcomer`: a fresh account joining now)."""

from __future__ import annotations

__all__ = ("guild_member_add", "guild_member_remove", "newcomer")

import datetime
import typing

from .values import Member, User, snowflake

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

    from .values import JSON


def guild_member_add(member: Member, *, guild_id: int) -> JSON:
    """GUILD_MEMBER_ADD: the full guild member object (with ``user``) plus ``guild_id``."""
    return member.payload() | {"guild_id": str(guild_id)}


def guild_member_remove(user: User | Member, *, guild_id: int) -> JSON:
    """GUILD_MEMBER_REMOVE (a leave, a kick or a ban): ``guild_id`` and the user object."""
    account = user.user if isinstance(user, Member) else user
    return {"guild_id": str(guild_id), "user": account.payload()}


def newcomer(
    username: str,
    *,
    joined_at: datetime.datetime,
    account_age: datetime.timedelta = datetime.timedelta(hours=1),
    global_name: str | None = None,
    avatar: str | None = None,
    bot: bool = False,
    role_ids: Iterable[int] = (),
) -> Member:
    """A member joining at ``joined_at`` whose account was created ``account_age`` before.

    The user id is the snowflake of the account's creation (the process-wide increment
    keeps accounts made in the same millisecond, a raid's, apart).
    """
    user = User(
        id=snowflake(joined_at - account_age),
        username=username,
        global_name=global_name,
        avatar=avatar,
        bot=bot,
    )
    return Member(user=user, joined_at=joined_at, role_ids=tuple(role_ids))
