"""The two threads of the fast path: the next block read and parsed while COPY sends the previous one."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator


class Ahead:
    """An iterator run in a thread, at most `ahead` items in advance; its exception is raised by
    `next` (and kept in `error`). polars and the codecs release the GIL or run between the other
    thread's waits, so the two threads work at once. `close` stops it and waits for it."""

    _END = object()

    def __init__(self, items: Iterator, ahead: int, name: str):
        self.queue: queue.Queue = queue.Queue(maxsize=ahead)
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.done = False
        self.thread = threading.Thread(target=self._produce, args=(items,), name=name, daemon=True)
        self.thread.start()

    def _produce(self, items: Iterator) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consuming thread
            self.error = exc
            self._put(self._END)
            return
        finally:
            if hasattr(items, "close"):
                items.close()  # a generator's own clean-up (an Ahead inside it) runs now, not at GC
        self._put(self._END)

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self):
        return self

    def __next__(self):
        if self.done:
            raise StopIteration
        item = self.queue.get()
        if item is self._END:
            self.done = True
            if self.error is not None:
                raise self.error
            raise StopIteration
        return item

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


class BlockReader:
    """A file-like view of the blocks for psycopg2's copy_expert, which reads it in small pieces.

    The blocks are computed in a thread while COPY sends the previous one, at most `ahead` of them
    waiting: memory stays flat."""

    def __init__(self, blocks: Iterator[bytes], ahead: int = 2):
        self.blocks = Ahead(blocks, ahead, "columnar-csv")
        self.block = b""
        self.offset = 0

    @property
    def error(self) -> BaseException | None:
        return self.blocks.error

    def read(self, size: int = -1) -> bytes:
        while self.offset >= len(self.block):
            block = next(self.blocks, None)
            if block is None:
                return b""
            self.block, self.offset = block, 0
        end = len(self.block) if size < 0 else self.offset + size
        out = self.block[self.offset : end]
        self.offset += len(out)
        return out

    def close(self) -> None:
        """Stop the producer (after an error on the COPY side) and wait for it."""
        self.blocks.close()


class Meanwhile:
    """A call run in a thread while the caller goes on; `result()` waits for it and gives its value, or
    `default` if it raised (the caller has another way to learn what went wrong)."""

    def __init__(self, function, *args, default=None):
        self.value = default
        self.thread = threading.Thread(target=self._run, args=(function, args), name="meanwhile", daemon=True)
        self.thread.start()

    def _run(self, function, args) -> None:
        with contextlib.suppress(Exception):
            self.value = function(*args)

    def result(self):
        self.thread.join()
        return self.value
