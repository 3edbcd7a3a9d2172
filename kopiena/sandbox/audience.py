"""A simulated audience for the sandbox: people who follow, favourite, boost, reply and mention the
brand in Latvian, Russian and English, on a timer, so a demo shows comments coming back within a
minute of posting. Deterministic with a ``seed`` (tests call :meth:`SimulatedAudience.tick`)."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kopiena.sandbox.phrases import INTENT_WEIGHTS, PHRASES

if TYPE_CHECKING:
    from kopiena.sandbox.server import SandboxServer
    from kopiena.sandbox.state import Account

# (username, display name, language). The last two are the noisy ones.
PEOPLE: tuple[tuple[str, str, str], ...] = (
    ("anna_berzina", "Anna Bērziņa", "lv"),
    ("janis_kalnins", "Jānis Kalniņš", "lv"),
    ("liga_ozola", "Līga Ozola", "lv"),
    ("olga_petrova", "Ольга Петрова", "ru"),
    ("dmitry_riga", "Дмитрий Соколов", "ru"),
    ("sarah_travels", "Sarah Miller", "en"),
    ("tom_espresso", "Tom Evans", "en"),
)
ACTION_WEIGHTS = {"reply": 40, "mention": 20, "favourite": 22, "reblog": 8, "follow": 10}


@dataclass(frozen=True)
class Action:
    kind: str
    actor: str  # username
    status_id: str = ""
    text: str = ""


class SimulatedAudience:
    """``start()`` acts every ``interval_seconds`` (first after ``first_delay_seconds``) until ``stop()``."""

    def __init__(
        self,
        sandbox: SandboxServer,
        *,
        interval_seconds: float = 12.0,
        first_delay_seconds: float = 3.0,
        seed: int | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.interval_seconds = interval_seconds
        self.first_delay_seconds = first_delay_seconds
        self.random = random.Random(seed)
        self.people: list[Account] = [
            sandbox.state.account_by_username(u) or sandbox.add_person(u, n, lang) for u, n, lang in PEOPLE
        ]
        self.log: list[Action] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SimulatedAudience:
        self._thread = threading.Thread(target=self._run, name="kopiena-sandbox-audience", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = self.first_delay_seconds
        while not self._stop.wait(delay):
            self.tick()
            self.sandbox.save()
            delay = self.interval_seconds

    def tick(self) -> Action:
        """Do one thing now and return what was done."""
        posts = [s for s in self.sandbox.brand_statuses() if not s.in_reply_to_id]  # not our replies
        person = self.random.choice(self.people)
        unanswered = [p for p in posts if not self._has_replies(p.id)]
        if unanswered:
            # A new post gets its first comment on the next tick: the demo shows one within a minute.
            status = self.sandbox.comment(unanswered[-1].id, self.say(person.language), author=person)
            action = Action("reply", person.username, status.id, status.text)
            self.log.append(action)
            return action
        kind = self.random.choices(list(ACTION_WEIGHTS), weights=list(ACTION_WEIGHTS.values()))[0]
        if kind in ("reply", "favourite", "reblog") and not posts:
            kind = self.random.choice(("mention", "follow"))
        action = self._act(kind, person, posts)
        self.log.append(action)
        return action

    def _has_replies(self, status_id: str) -> bool:
        with self.sandbox.state.lock:
            return any(s.in_reply_to_id == status_id for s in self.sandbox.state.statuses.values())

    def _act(self, kind: str, person: Account, posts: list) -> Action:
        state = self.sandbox.state
        if kind == "follow":
            state.follow(person.id, self.sandbox.account.id)
            return Action(kind, person.username)
        # Newer posts get most of the attention, as on a real timeline.
        target = (
            posts[-1]
            if posts and self.random.random() < 0.7
            else (self.random.choice(posts) if posts else None)
        )
        if kind == "favourite":
            state.favourite(person.id, target.id)
            return Action(kind, person.username, target.id)
        if kind == "reblog":
            state.reblog(person.id, target.id)
            return Action(kind, person.username, target.id)
        text = self.say(person.language)
        if kind == "reply":
            status = self.sandbox.comment(target.id, text, author=person)
        else:
            status = self.sandbox.mention(text, author=person)
        return Action(kind, person.username, status.id, status.text)

    def say(self, language: str) -> str:
        intent = self.random.choices(list(INTENT_WEIGHTS), weights=list(INTENT_WEIGHTS.values()))[0]
        return self.random.choice(PHRASES[language][intent])
