"""Messages the practice machinery sends to the screens (thread-safe via ``post_message``)."""

from __future__ import annotations

from textual.message import Message

from simulator.session.events import Event, Level, PartialText


class SessionEvent(Message):
    """One event from the practice loop or the voice pipeline, delivered on the UI thread."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event

    def can_replace(self, message: Message) -> bool:
        # A level reading or partial transcript is stale once a newer one of the same kind arrives.
        return isinstance(message, SessionEvent) and (
            (isinstance(self.event, Level) and isinstance(message.event, Level))
            or (isinstance(self.event, PartialText) and isinstance(message.event, PartialText))
        )
