"""VK JSON → our types.

Ids: a post is ``"<owner_id>_<post_id>"`` (VK's own ``wall-1_2`` notation without ``wall``), a comment
``"<owner_id>_<post_id>_<comment_id>"`` — the post is needed to answer it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.types import AccountInfo, AccountRef, ItemKind, Metrics, PublishResult, RemoteItem


def post_id(owner_id: int | str, post: int | str) -> str:
    return f"{owner_id}_{post}"


def split_id(value: str) -> tuple[int, ...]:
    """``"-1_2"`` → ``(-1, 2)``; ``"-1_2_3"`` → ``(-1, 2, 3)``; ValueError otherwise."""
    parts = tuple(int(part) for part in value.split("_"))
    if len(parts) not in (2, 3):
        raise ValueError(f"not a VK post or comment id: {value!r}")
    return parts


def post_url(owner_id: int | str, post: int | str, comment: int | str | None = None) -> str:
    url = f"https://vk.com/wall{owner_id}_{post}"
    return f"{url}?reply={comment}" if comment else url


def timestamp(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def group_info(group: Mapping[str, Any]) -> AccountInfo:
    screen_name = group.get("screen_name") or f"club{group['id']}"
    return AccountInfo(
        external_id=str(group["id"]),
        handle=screen_name,
        name=group.get("name", ""),
        url=f"https://vk.com/{screen_name}",
        avatar_url=group.get("photo_200", ""),
        followers_count=group.get("members_count"),
    )


def authors(extended: Mapping[str, Any]) -> dict[int, AccountRef]:
    """Authors from an ``extended=1`` answer: users by id, communities by negative id."""
    refs: dict[int, AccountRef] = {}
    for profile in extended.get("profiles") or ():
        refs[profile["id"]] = AccountRef(
            id=str(profile["id"]),
            handle=profile.get("screen_name", ""),
            name=" ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if p),
            url=f"https://vk.com/id{profile['id']}",
        )
    for group in extended.get("groups") or ():
        refs[-group["id"]] = AccountRef(
            id=str(-group["id"]), handle=group.get("screen_name", ""), name=group.get("name", ""),
            url=f"https://vk.com/club{group['id']}",
        )  # fmt: skip
    return refs


def _author(from_id: int, refs: Mapping[int, AccountRef]) -> AccountRef:
    prefix = "club" if from_id < 0 else "id"
    return refs.get(from_id) or AccountRef(id=str(from_id), url=f"https://vk.com/{prefix}{abs(from_id)}")


def comment_to_item(
    comment: Mapping[str, Any], *, owner_id: int, post: int, refs: Mapping[int, AccountRef]
) -> RemoteItem:
    thread = post_id(owner_id, post)
    answered = comment.get("reply_to_comment")
    return RemoteItem(
        external_id=f"{thread}_{comment['id']}",
        kind=ItemKind.COMMENT,
        text=comment.get("text", ""),
        created_at=timestamp(comment["date"]),
        author=_author(comment["from_id"], refs),
        url=post_url(owner_id, post, comment["id"]),
        parent_id=f"{thread}_{answered}" if answered else thread,
        thread_id=thread,
    )


def flatten_comments(items: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Top-level comments and the thread replies VK includes under them, oldest (lowest id) first."""
    flat: list[Mapping[str, Any]] = []
    for comment in items:
        flat.append(comment)
        flat.extend((comment.get("thread") or {}).get("items") or ())
    return sorted(flat, key=lambda comment: comment["id"])


def wall_post_to_mention(post: Mapping[str, Any], refs: Mapping[int, AccountRef]) -> RemoteItem:
    return RemoteItem(
        external_id=post_id(post["owner_id"], post["id"]),
        kind=ItemKind.MENTION,
        text=post.get("text", ""),
        created_at=timestamp(post["date"]),
        author=_author(post.get("from_id", post["owner_id"]), refs),
        url=post_url(post["owner_id"], post["id"]),
    )


def publish_result(owner_id: int, post: int) -> PublishResult:
    return PublishResult(remote_id=post_id(owner_id, post), url=post_url(owner_id, post))


def metrics(post: Mapping[str, Any], collected_at: datetime) -> Metrics:
    def count(key: str) -> int | None:
        value = post.get(key)
        return value.get("count") if isinstance(value, Mapping) else None

    return Metrics(
        remote_id=post_id(post["owner_id"], post["id"]),
        collected_at=collected_at,
        likes=count("likes"),
        reposts=count("reposts"),
        replies=count("comments"),
        views=count("views"),
    )
