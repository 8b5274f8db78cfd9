"""A backend's lifecycle events, numbered, for WatchEvents and the
`compute-event-seq` header (compute.proto)."""

import collections
import threading

# How many events a log keeps for late watchers (as the Rust server).
KEPT_EVENTS = 4096


class EventLog:
    """Events in emission order, each with its sequence number (from 1)."""

    def __init__(self):
        self._events = collections.deque(maxlen=KEPT_EVENTS)
        self._last = 0
        self._closed = False
        self._changed = threading.Condition()

    def push(self, event):
        """Records `event` (a compute.v1 LifecycleEvent); returns its number."""
        with self._changed:
            self._last += 1
            self._events.append((self._last, event))
            self._changed.notify_all()
            return self._last

    def close(self):
        """Ends every watch of this log (its backend was dropped)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def closed(self):
        """Whether the log was closed."""
        with self._changed:
            return self._closed

    def last_seq(self):
        """The number of the last event recorded (0: none yet)."""
        with self._changed:
            return self._last

    def after(self, seq, wait_seconds):
        """The events numbered above `seq`, waiting up to `wait_seconds` for one."""
        with self._changed:
            if self._last <= seq and not self._closed:
                self._changed.wait(wait_seconds)
            return [(n, e) for n, e in self._events if n > seq]
