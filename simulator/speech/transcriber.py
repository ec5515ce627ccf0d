"""The transcriber seam: what the voice pipeline needs from speech-to-text, and the one factory.

``make_transcriber(model=None)`` is how every part of Rapport gets a transcriber.  With
``RAPPORT_STT_URL`` set it is a :class:`~simulator.speech.stt_remote.RemoteTranscriber` (an
OpenAI-compatible server, ``model`` its model name, default ``whisper-1``); otherwise the local
faster-whisper :class:`~simulator.speech.stt.LocalTranscriber` (``model`` a Whisper size name or a
CTranslate2 folder, default ``tiny.en``).  ``RAPPORT_STT_MODEL`` gives the model when ``model`` is
None.  Nothing heavy is imported here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from simulator.speech.stt import DEFAULT_MODEL, LocalTranscriber, SttSettings, Transcript
from simulator.speech.stt_remote import RemoteSttSettings, RemoteTranscriber

__all__ = ["Transcriber", "Transcript", "make_transcriber", "stt_settings"]


@runtime_checkable
class Transcriber(Protocol):
    """Speech to text for the pipeline and the commands."""

    #: "local" or "remote"
    backend: str
    #: the model's name as shown in transcripts and health checks
    display_name: str

    def describe(self) -> str:
        """One line: which model, where."""
        ...

    def transcribe(self, audio: np.ndarray | str | Path, timestamps: bool = False) -> Transcript:
        """Text of ``audio`` (16 kHz mono float32, or a file); RapportError (one line) when it cannot."""
        ...


def stt_settings(model: str | None = None, *, env: Mapping[str, str] | None = None,
                 **local: Any) -> SttSettings | RemoteSttSettings:
    """The settings ``make_transcriber`` would use, without loading or contacting anything.

    ``local`` are :class:`SttSettings` fields (``beam_size``...) for the local backend; a remote
    server decodes with its own settings.  Raises RapportError (one line) on bad settings.
    """
    env = os.environ if env is None else env
    if env.get("RAPPORT_STT_URL", "").strip():
        return RemoteSttSettings.from_env(env, model=model)
    name = (model or "").strip() or env.get("RAPPORT_STT_MODEL", "").strip() or DEFAULT_MODEL
    return SttSettings(model=name, **local)


def make_transcriber(settings: str | SttSettings | RemoteSttSettings | None = None, *,
                     env: Mapping[str, str] | None = None, **local: Any) -> Transcriber:
    """A ready transcriber: ``settings`` is ``--stt-model`` (a name, or None for the default) or settings.

    The local model is loaded here (seconds; call from a worker thread in the app); the remote
    backend only checks its settings: the first ``transcribe`` is the first request.
    """
    if settings is None or isinstance(settings, str):
        settings = stt_settings(settings, env=env, **local)
    if isinstance(settings, RemoteSttSettings):
        return RemoteTranscriber(settings)
    return LocalTranscriber(settings)
