"""Transcription by an OpenAI-compatible server (``POST {base}/audio/transcriptions``).

Speaches, faster-whisper-server, vLLM and OpenAI serve this API; a bigger Whisper on another
machine then transcribes the rep's turns.  Settings come from the environment like the LLM's
(``docs/voice.md``):

=====================  =========================  ============================================
setting                environment                meaning
=====================  =========================  ============================================
``base_url``           ``RAPPORT_STT_URL``        the server's API root, e.g.
                                                  ``http://gpu-box:8000/v1``; set means remote
``api_key``            ``RAPPORT_STT_API_KEY``    sent as a Bearer token when set (OpenAI needs
                                                  one; local servers usually do not)
``model``              ``RAPPORT_STT_MODEL``      model name (``--stt-model`` wins); default
                                                  ``whisper-1``
``timeout_s``          ``RAPPORT_STT_TIMEOUT``    seconds for one transcription (default 30)
``connect_timeout_s``                             seconds to connect (default 5)
=====================  =========================  ============================================

The key is never shown: ``repr``, ``to_dict`` and every error line leave it (and any
``user:password@`` in the URL) out.  The audio goes as a 16-bit WAV file in a multipart form
with ``model``, ``language`` and ``response_format=verbose_json`` (segments with their
no-speech probability); a server that refuses verbose_json is asked for plain ``json`` from
then on.  Every failure is one :class:`RapportError` line: no retries, no traceback.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import ssl
import time
import uuid
import wave
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from simulator.errors import RapportError
from simulator.speech.audio import SAMPLE_RATE, load_audio
from simulator.speech.stt import Segment, Transcript

DEFAULT_REMOTE_MODEL = "whisper-1"
#: the most a transcription response may be (a 30 s turn's verbose JSON is a few kB)
MAX_RESPONSE = 4 * 1024 * 1024


@dataclass(frozen=True)
class RemoteSttSettings:
    """Where the transcription server is and how long to wait for it."""

    base_url: str
    model: str = DEFAULT_REMOTE_MODEL
    api_key: str = field(default="", repr=False)
    language: str | None = "en"
    timeout_s: float = 30.0
    connect_timeout_s: float = 5.0

    def __repr__(self) -> str:
        key = "***" if self.api_key else ""
        return (f"RemoteSttSettings(base_url={self.display_url!r}, model={self.model!r}, api_key={key!r}, "
                f"timeout_s={self.timeout_s})")

    __str__ = __repr__

    @property
    def display_url(self) -> str:
        """The server address safe to show (no user info)."""
        return _strip_userinfo(self.base_url)

    def to_dict(self) -> dict[str, Any]:
        """Fit to print or store: no key, no URL credentials."""
        return {"backend": "remote", "base_url": self.display_url, "model": self.model, "language": self.language,
                "timeout_s": self.timeout_s, "connect_timeout_s": self.connect_timeout_s}

    def redact(self, text: str) -> str:
        parts = urlsplit(self.base_url)
        secrets = [s for s in (self.api_key, parts.password, parts.username) if s]
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, model: str | None = None) -> RemoteSttSettings:
        """Settings from ``RAPPORT_STT_*``; ``model`` (``--stt-model``) wins over ``RAPPORT_STT_MODEL``."""
        env = os.environ if env is None else env
        url = env.get("RAPPORT_STT_URL", "").strip()
        if not url:
            raise RapportError("RAPPORT_STT_URL is not set (the transcription server's address)")
        values: dict[str, Any] = {
            "base_url": url,
            "api_key": env.get("RAPPORT_STT_API_KEY", "").strip(),
            "model": (model or "").strip() or env.get("RAPPORT_STT_MODEL", "").strip() or DEFAULT_REMOTE_MODEL,
        }
        timeout = env.get("RAPPORT_STT_TIMEOUT", "").strip()
        if timeout:
            values["timeout_s"] = _positive(timeout, "RAPPORT_STT_TIMEOUT")
        return cls(**values).checked()

    def checked(self) -> RemoteSttSettings:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RapportError(f"RAPPORT_STT_URL must be an http(s) URL, got {self.redact(self.base_url)!r}")
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            raise RapportError(f"RAPPORT_STT_URL has a bad port: {self.redact(self.base_url)!r}") from None
        if not self.model.strip():
            raise RapportError("the transcription model name is empty; set --stt-model or RAPPORT_STT_MODEL")
        for name in ("timeout_s", "connect_timeout_s"):
            _positive(getattr(self, name), name)
        return self


class RemoteTranscriber:
    """Sends each clip to the server; ``transcribe(array_or_path)`` returns a :class:`Transcript`.

    Calls may overlap (each is its own HTTP request); nothing is loaded locally.
    """

    backend = "remote"

    def __init__(self, settings: RemoteSttSettings) -> None:
        self.settings = settings.checked()
        self.display_name = self.settings.model
        self._format = "verbose_json"  # becomes "json" when the server refuses verbose_json

    def __repr__(self) -> str:
        return f"RemoteTranscriber({self.settings!r})"

    def describe(self) -> str:
        return f"{self.settings.model} at {self.settings.display_url} (OpenAI-compatible server)"

    def transcribe(self, audio: np.ndarray | str | Path, timestamps: bool = False) -> Transcript:
        """Text of ``audio`` (16 kHz mono float32 array, or a file). Raises RapportError (one line)."""
        samples = load_audio(audio) if isinstance(audio, str | Path) else np.asarray(audio, dtype=np.float32)
        duration = samples.size / SAMPLE_RATE
        if samples.size < SAMPLE_RATE // 10:
            return Transcript("", (), duration, 0.0, self.display_name)
        wav = wav_bytes(samples)
        started = time.perf_counter()
        fmt = self._format
        status, body, ctype = self._post(wav, fmt)
        if fmt == "verbose_json" and status in (400, 422) and _mentions_format(body):
            self._format = fmt = "json"
            status, body, ctype = self._post(wav, fmt)
        if status != 200:
            raise RapportError(self._status_line(status, body))
        text, segments, no_speech = self._parse(body, ctype, duration)
        return Transcript(text, segments, duration, time.perf_counter() - started, self.display_name, no_speech)

    # -- HTTP --------------------------------------------------------------------------------------
    def _post(self, wav: bytes, fmt: str) -> tuple[int, bytes, str]:
        """(HTTP status, body, Content-Type) of one request; RapportError when there is no answer."""
        s = self.settings
        fields = {"model": s.model, "response_format": fmt}
        if s.language:
            fields["language"] = s.language
        boundary = uuid.uuid4().hex
        payload = _multipart(boundary, fields, wav)
        parts = urlsplit(s.base_url)
        path = (parts.path.rstrip("/") or "") + "/audio/transcriptions"
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json",
                   "Content-Length": str(len(payload)), "User-Agent": "rapport"}
        if s.api_key:
            headers["Authorization"] = f"Bearer {s.api_key}"
        where = s.display_url
        conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = conn_cls(parts.hostname, parts.port, timeout=s.connect_timeout_s)
        deadline = time.monotonic() + s.timeout_s
        try:
            try:
                conn.connect()
            except TimeoutError:
                raise RapportError(f"cannot reach the transcription server at {where}: no answer within "
                                   f"{s.connect_timeout_s:g} s") from None
            except OSError as exc:
                raise RapportError(f"cannot reach the transcription server at {where}: {_os_reason(exc)}") from None
            conn.sock.settimeout(s.timeout_s)
            try:
                conn.request("POST", path, body=payload, headers=headers)
                response = conn.getresponse()
                body = b""
                while len(body) <= MAX_RESPONSE:
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
                    if not chunk:
                        break
                    body += chunk
            except TimeoutError:
                raise RapportError(f"the transcription server at {where} did not answer within "
                                   f"{s.timeout_s:g} s (RAPPORT_STT_TIMEOUT)") from None
            except (http.client.HTTPException, OSError, ssl.SSLError) as exc:
                raise RapportError(f"the connection to the transcription server at {where} broke "
                                   f"({type(exc).__name__})") from None
            if len(body) > MAX_RESPONSE:
                raise RapportError(f"the transcription server at {where} sent more than "
                                   f"{MAX_RESPONSE // 1024 // 1024} MiB for one clip")
            return response.status, body, response.getheader("Content-Type", "") or ""
        finally:
            conn.close()

    def _status_line(self, status: int, body: bytes) -> str:
        s = self.settings
        where = s.display_url
        said = _server_message(body)
        said = f": {s.redact(said)}" if said else ""
        if status in (401, 403):
            line = f"the transcription server at {where} refused the API key (HTTP {status}); check RAPPORT_STT_API_KEY"
        elif status == 404:
            line = (f"model {s.model!r} or the path /audio/transcriptions was not found at {where} (HTTP 404{said}); "
                    "check --stt-model / RAPPORT_STT_MODEL, and that RAPPORT_STT_URL ends in the API root (often /v1)")
        elif status == 429:
            line = f"the transcription server at {where} is rate limiting requests (HTTP 429)"
        elif status >= 500:
            line = f"the transcription server at {where} had an internal error (HTTP {status}{said})"
        else:
            line = f"the transcription server at {where} rejected the request (HTTP {status}{said})"
        return s.redact(" ".join(line.split()))

    def _parse(self, body: bytes, ctype: str, duration: float) -> tuple[str, tuple[Segment, ...], float]:
        where = self.settings.display_url
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            kind = ctype.split(";")[0].strip() or "unknown"
            raise RapportError(f"the transcription server at {where} sent a response that is not a transcription "
                               f"(not JSON; Content-Type {kind})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            raise RapportError(f"the transcription server at {where} sent a response that is not a transcription "
                               "(no text field)")
        text = " ".join(doc["text"].split())
        raw = doc.get("segments")
        segments: list[Segment] = []
        no_speech = [] if isinstance(raw, list) else None
        for item in raw if isinstance(raw, list) else ():
            if not isinstance(item, dict):
                continue
            seg_text = " ".join(str(item.get("text") or "").split())
            start, end = _number(item.get("start")), _number(item.get("end"))
            if seg_text and start is not None and end is not None:
                segments.append(Segment(round(start, 2), round(end, 2), seg_text))
            prob = _number(item.get("no_speech_prob"))
            if prob is not None and no_speech is not None:
                no_speech.append(min(1.0, max(0.0, prob)))
        if not segments and text:
            segments = [Segment(0.0, round(duration, 2), text)]
        if no_speech:
            prob = max(no_speech)
        elif not text:
            prob = 1.0
        else:
            prob = 0.0  # plain json: the server gives no no-speech probability; the word filter still applies
        return text, tuple(segments), prob


def wav_bytes(samples: np.ndarray) -> bytes:
    """``samples`` (16 kHz mono float32) as a 16-bit PCM WAV file."""
    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0).round().astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def _multipart(boundary: str, fields: dict[str, str], wav: bytes) -> bytes:
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="turn.wav"\r\n'
              "Content-Type: audio/wav\r\n\r\n".encode())
    out.write(wav)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue()


def _server_message(body: bytes, limit: int = 160) -> str:
    """The error message a server put in its body (OpenAI, FastAPI and plain shapes), one short line."""
    try:
        doc: Any = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return ""
    for _ in range(3):  # {"detail": {"error": {"message": ...}}}, {"error": {"message": ...}}, {"message": ...}
        if isinstance(doc, dict):
            inner = doc.get("error", doc.get("detail", doc.get("message")))
            if isinstance(inner, str):
                doc = inner
                break
            if inner is None:
                break
            doc = inner
        elif isinstance(doc, list) and doc and isinstance(doc[0], dict):  # FastAPI validation errors
            doc = doc[0].get("msg", "")
            break
    if not isinstance(doc, str):
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in doc)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _mentions_format(body: bytes) -> bool:
    said = _server_message(body, 400).lower() or body[:2000].decode("utf-8", "replace").lower()
    return "response_format" in said or "verbose_json" in said or "response format" in said


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or type(exc).__name__})"
    return exc.strerror or type(exc).__name__


def _positive(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RapportError(f"{name} must be a number of seconds, got {value!r}") from None
    if not number > 0 or not np.isfinite(number):
        raise RapportError(f"{name} must be more than 0 seconds, got {value!r}")
    return number


def _strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        try:
            port = parts.port
        except ValueError:
            port = None
        netloc = f"{host}:{port}" if port else host
        return urlunsplit(parts._replace(netloc=netloc))
    return url
