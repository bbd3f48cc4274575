"""One MQTT subscription fanned out to every open page, as server-sent events.

A pump on the server's event loop takes the class state's changes every :data:`FLUSH` seconds and
puts one batch into each page's queue. A queue holds at most :data:`QUEUE_BATCHES` batches: a page
that cannot keep up (a projector laptop asleep, a slow network) is not buffered for without end; its
queue is emptied and it gets a fresh snapshot instead (``resync``).
"""

from __future__ import annotations

import asyncio
import json

from .state import ClassState

FLUSH = 0.05            # seconds between batches (bounds publish-to-screen latency, and the work per message)
STALE_CHECK = 1.0       # seconds between looks for kits that stopped reporting
QUEUE_BATCHES = 100     # batches a page may lag behind before it is sent a snapshot instead
HEARTBEAT = 15.0        # seconds: a comment line keeps proxies and the browser from closing an idle stream
RESYNC = object()


class Subscriber:
    def __init__(self, class_id: str | None):
        self.class_id = class_id
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_BATCHES)


class Hub:
    def __init__(self, state: ClassState):
        self.state = state
        self.subscribers: set[Subscriber] = set()
        self.closing = asyncio.Event()
        self.status: dict = {"broker": True}
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._pump())

    def end_streams(self) -> None:
        """End every page's stream (on the hub's loop): the web server can then stop at once."""
        self.closing.set()
        for sub in list(self.subscribers):
            self._offer(sub, None)

    async def stop(self) -> None:
        self.end_streams()
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _pump(self) -> None:
        loop = asyncio.get_running_loop()
        next_stale = loop.time()
        while not self.closing.is_set():
            await asyncio.sleep(FLUSH)
            if loop.time() >= next_stale:
                next_stale = loop.time() + STALE_CHECK
                self.state.check_stale()
            changes = self.state.take_changes()
            if changes:
                self.broadcast(changes)

    def broadcast(self, changes: list[dict]) -> None:
        everyone = None
        for sub in list(self.subscribers):
            if sub.class_id is None:
                everyone = everyone or json.dumps({"tiles": changes}, ensure_ascii=False, separators=(",", ":"))
                self._offer(sub, everyone)
            else:
                mine = [c for c in changes if c["id"].startswith(sub.class_id + "/")]
                if mine:
                    self._offer(sub, json.dumps({"tiles": mine}, ensure_ascii=False, separators=(",", ":")))

    def notice(self, **status) -> None:
        """Tell every page about the server itself (``broker=False`` while the broker is away)."""
        self.status.update(status)
        text = json.dumps({"server": self.status})
        for sub in list(self.subscribers):
            self._offer(sub, text)

    @staticmethod
    def _offer(sub: Subscriber, item) -> None:
        try:
            sub.queue.put_nowait(item)
        except asyncio.QueueFull:
            while not sub.queue.empty():
                sub.queue.get_nowait()
            sub.queue.put_nowait(RESYNC if item is not None else None)

    def _snapshot(self, sub: Subscriber) -> str:
        return json.dumps({"snapshot": self.state.snapshot(sub.class_id), "server": self.status},
                          ensure_ascii=False, separators=(",", ":"))

    async def stream(self, class_id: str | None):
        """The text of one page's event stream: a snapshot, then batches of changes."""
        sub = Subscriber(class_id)
        self.subscribers.add(sub)
        try:
            yield "retry: 1000\n\n"
            yield f"data: {self._snapshot(sub)}\n\n"
            while not self.closing.is_set():
                try:
                    item = await asyncio.wait_for(sub.queue.get(), HEARTBEAT)
                except asyncio.TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if item is None:
                    return
                yield f"data: {self._snapshot(sub) if item is RESYNC else item}\n\n"
        finally:
            self.subscribers.discard(sub)
