"""A streaming chat client for any OpenAI-compatible server, with faults sorted into kinds.

``LLMClient(settings).stream(messages, stop=...)`` yields the reply's text as it arrives.  Every
failure raises ``LLMError`` whose ``kind`` is one of ``FAULT_KINDS`` and whose ``message`` is one
line fit to show a user (never containing the API key): refused or dropped connections,
timeouts (connecting, waiting for the first token, or the whole reply running past
``settings.timeout_s``), 401/403, 404, 429, 5xx, other HTTP errors, and malformed streams.

One request per call, no automatic retries (``max_retries=0``): a failed turn is answered by the
offline buyer instead, so a session never waits on retries.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import openai

from simulator.persona.llm_settings import LLMSettings

FAULT_KINDS: tuple[str, ...] = (
    "timeout", "connection", "auth", "not_found", "rate_limit", "server", "http", "malformed",
)


class LLMError(Exception):
    """A failed LLM request.  ``message`` is one line and safe to show (no secrets)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __repr__(self) -> str:
        return f"LLMError({self.kind!r}, {self.message!r})"


class LLMClient:
    """Streams chat completions from ``settings.base_url`` (OpenAI when unset)."""

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        timeout = openai.Timeout(
            settings.timeout_s, connect=settings.connect_timeout_s, read=settings.timeout_s, write=settings.timeout_s
        )
        self._client = openai.OpenAI(
            api_key=settings.api_key, base_url=settings.base_url, timeout=timeout, max_retries=0
        )

    def __repr__(self) -> str:
        return f"LLMClient({self.settings!r})"

    def stream(self, messages: list[dict[str, str]], stop: list[str] | None = None) -> Iterator[str]:
        """The reply's text, chunk by chunk.  Raises ``LLMError``; closing the generator ends the request."""
        deadline = time.monotonic() + self.settings.timeout_s
        try:
            response = self._client.chat.completions.create(
                model=self.settings.model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=self.settings.max_tokens,
                temperature=self.settings.temperature,
                stream=True,
                **({"stop": stop[:4]} if stop else {}),
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes one classified line
            raise self._fault(exc) from None
        try:
            ctype = _content_type(response)
            if ctype and "event-stream" not in ctype:
                raise LLMError("malformed", f"the LLM server did not send an event stream (Content-Type {ctype})")
            got_any = False
            for chunk in _chunks(response, lambda exc: self._fault(exc, streaming=True)):
                if time.monotonic() > deadline:
                    raise LLMError("timeout", f"the LLM took longer than {self.settings.timeout_s:g} s to reply")
                text = _delta_text(chunk)
                if text is None:
                    continue
                got_any = got_any or bool(text.strip())
                if text:
                    yield text
            if not got_any:
                raise LLMError("malformed", "the LLM server sent an empty reply")
        finally:
            _close(response)

    def _fault(self, exc: BaseException, streaming: bool = False) -> LLMError:
        """One classified, redacted error for any exception from the client (``streaming``: while reading
        the reply, after the server accepted the request)."""
        if isinstance(exc, LLMError):
            return exc
        where = self.settings.display_url
        if isinstance(exc, openai.APITimeoutError):
            kind, msg = "timeout", f"the LLM server at {where} did not answer within {self.settings.timeout_s:g} s"
        elif isinstance(exc, openai.APIConnectionError) and streaming:
            kind, msg = "connection", f"the connection to the LLM server at {where} broke in the middle of the reply"
        elif isinstance(exc, openai.APIConnectionError):
            cause = _root_cause(exc)
            detail = "connection refused" if "refused" in cause.lower() else (cause or "connection failed")
            kind, msg = "connection", f"cannot reach the LLM server at {where}: {detail}"
        elif isinstance(exc, openai.APIStatusError):
            code = exc.status_code
            if code in (401, 403):
                kind, msg = "auth", f"the LLM server refused the API key (HTTP {code}); check OPENAI_API_KEY"
            elif code == 404:
                kind, msg = "not_found", (
                    f"model {self.settings.model!r} or the API path was not found at {where} (HTTP 404);"
                    " check --model and OPENAI_BASE_URL"
                )
            elif code == 429:
                kind, msg = "rate_limit", "the LLM server is rate limiting requests (HTTP 429)"
            elif code >= 500:
                kind, msg = "server", f"the LLM server had an internal error (HTTP {code})"
            else:
                kind, msg = "http", f"the LLM server rejected the request (HTTP {code})"
        elif isinstance(exc, openai.APIResponseValidationError | ValueError | KeyError | TypeError | AttributeError):
            kind, msg = "malformed", "the LLM server sent a response that is not a valid chat completion"
        else:
            kind, msg = "malformed", f"the LLM request failed ({type(exc).__name__})"
        return LLMError(kind, self.settings.redact(" ".join(msg.split())))


def _chunks(response: Any, fault: Any) -> Iterator[Any]:
    """Iterate a stream, turning errors raised while reading it into ``LLMError``."""
    iterator = iter(response)
    while True:
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        except LLMError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise fault(exc) from None
        yield chunk


def _delta_text(chunk: Any) -> str | None:
    """The text in one streamed chunk (``None`` for role-only or empty chunks); raises on a non-chunk."""
    choices = getattr(chunk, "choices", None)
    if choices is None:
        if getattr(chunk, "error", None) is not None or (isinstance(chunk, dict) and "error" in chunk):
            raise LLMError("server", "the LLM server reported an error in the middle of the reply")
        raise LLMError("malformed", "the LLM server sent a response that is not a valid chat completion")
    if not choices:
        return None
    delta = getattr(choices[0], "delta", None)
    content = getattr(delta, "content", None) if delta is not None else None
    if content is not None and not isinstance(content, str):
        raise LLMError("malformed", "the LLM server sent a response that is not a valid chat completion")
    return content


def _content_type(response: Any) -> str:
    headers = getattr(getattr(response, "response", None), "headers", None)
    try:
        return str(headers.get("content-type", "")).split(";")[0].strip() if headers is not None else ""
    except Exception:  # noqa: BLE001 - an odd response object: let the stream parser judge it
        return ""


def _root_cause(exc: BaseException) -> str:
    seen = exc
    while seen.__cause__ is not None or seen.__context__ is not None:
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    text = str(seen)
    return text.split("] ", 1)[-1] if text.startswith("[Errno") else text


def _close(response: Any) -> None:
    close = getattr(response, "close", None)
    if callable(close):
        # closing a broken stream must not hide the real outcome
        with contextlib.suppress(Exception):
            close()
