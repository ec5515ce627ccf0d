"""The remote transcriber against a real OpenAI-compatible server, and its one-line failures.

``stt_server``: faster-whisper-server (the dev extra) serving the bundled tiny.en on 127.0.0.1
(tools/stt_local.py); skipped locally, failed in CI, when it is missing.  ``fault_server``: a
misbehaving server in a thread, only for the failures a real server will not produce on demand.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import wave
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from simulator.errors import RapportError
from simulator.speech.audio import load_audio
from simulator.speech.stt import LocalTranscriber, SttSettings
from simulator.speech.stt_remote import RemoteSttSettings, RemoteTranscriber
from simulator.speech.transcriber import Transcriber, make_transcriber, stt_settings
from tests.conftest import require_service
from tools.llm_local import free_port
from tools.stt_local import SttServer, missing

from .conftest import ROOT, SPEECH, references, wer

KEY = "sk-test-secret-key-123456"
#: tiny.en's WER on these files (tests/data/speech/README.md)
BASELINE = {"jfk.flac": 0.00, "arctic_a0024.wav": 0.00, "LDC93S1.wav": 0.18}


@pytest.fixture(scope="module")
def stt_server(tmp_path_factory) -> Iterator[SttServer]:
    reason = missing()
    if reason:
        require_service("faster-whisper-server", reason)
    try:
        server = SttServer.start(log=tmp_path_factory.mktemp("stt") / "server.log")
    except RapportError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def remote(stt_server) -> RemoteTranscriber:
    return make_transcriber(env={"RAPPORT_STT_URL": stt_server.base_url, "RAPPORT_STT_API_KEY": KEY})


def _rapport(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_STT_")}
    return subprocess.run([sys.executable, "-m", "simulator", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**full, **env})


# -- the real server ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BASELINE))
def test_real_speech_through_the_server_matches_the_local_model(name, remote, transcriber):
    reference = references()[name]
    audio = load_audio(SPEECH / name)
    heard = remote.transcribe(audio)
    local = transcriber.transcribe(audio, timestamps=True)
    print(f"{name}: WER remote {wer(reference, heard.text):.2f}, local {wer(reference, local.text):.2f}")
    assert isinstance(remote, Transcriber) and remote.backend == "remote"
    assert wer(reference, heard.text) <= BASELINE[name] + 0.05
    assert wer(reference, heard.text) <= wer(reference, local.text) + 0.05
    assert heard.model == "whisper-1" and heard.duration_s == pytest.approx(audio.size / 16000)
    assert heard.no_speech_prob < 0.5  # verbose_json: the server's own no-speech probability


def test_speech_made_now_and_silence(remote, synth):
    from simulator.speech.tts import VoiceSettings

    for sentence in ["Tell me about the last time a customer was unhappy.", "How many people work in your office?"]:
        speech = synth.synth(sentence, VoiceSettings(rate=140))
        audio = np.concatenate([np.zeros(4000, np.float32), speech, np.zeros(4000, np.float32)])
        # tiny.en hears espeak's "about the" as "I'm out in" on some runs: about 0.2 WER on espeak (audio/README.md)
        assert wer(sentence, remote.transcribe(audio).text) <= 0.3
    silence = remote.transcribe(np.zeros(16000 * 2, np.float32))
    # Whisper may say "you" to silence: the pipeline drops a few words with a high no-speech probability
    assert len(silence.text.split()) <= 2
    assert not silence.text or silence.no_speech_prob > 0.8
    assert remote.transcribe(np.zeros(100, np.float32)).text == ""  # too short to send


def test_file_with_timestamps(remote, jfk_path):
    result = remote.transcribe(jfk_path, timestamps=True)
    assert len(result.segments) >= 2 and result.segments[-1].end <= result.duration_s + 0.5
    assert set(result.to_dict()) == {"text", "segments", "duration_s", "elapsed_s", "model"}


def test_commands_use_the_server(stt_server, jfk_path):
    env = {"RAPPORT_STT_URL": stt_server.base_url, "RAPPORT_STT_API_KEY": KEY}
    done = _rapport("transcribe", str(jfk_path), "--json", env=env)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["model"] == "whisper-1" and "my fellow americans" in doc["text"].lower()
    devices = _rapport("devices", "--json", env=env)
    assert devices.returncode == 0, devices.stderr
    check = {c["name"]: c for c in json.loads(devices.stdout)["checks"]}["stt-server"]
    assert check["ok"] and check["detail"].startswith("remote: whisper-1 at http://127.0.0.1:")
    assert KEY not in devices.stdout + devices.stderr + done.stdout + done.stderr
    local = _rapport("devices", "--json", env={})
    assert {c["name"]: c for c in json.loads(local.stdout)["checks"]}["whisper"]["detail"].startswith("local: tiny.en")


# -- settings -----------------------------------------------------------------------------------


def test_settings_choose_the_backend_and_hide_the_key():
    assert isinstance(stt_settings(env={}), SttSettings) and stt_settings(env={}).model == "tiny.en"
    assert stt_settings(env={"RAPPORT_STT_MODEL": "base.en"}).model == "base.en"
    assert stt_settings("small.en", env={"RAPPORT_STT_MODEL": "base.en"}).model == "small.en"
    env = {"RAPPORT_STT_URL": "http://user:pw@127.0.0.1:9/v1", "RAPPORT_STT_API_KEY": KEY}
    remote = stt_settings(env=env)
    assert isinstance(remote, RemoteSttSettings) and remote.model == "whisper-1"
    assert stt_settings("large-v3", env={**env, "RAPPORT_STT_MODEL": "x"}).model == "large-v3"
    shown = repr(remote) + str(remote) + json.dumps(remote.to_dict()) + repr(make_transcriber(env=env))
    assert KEY not in shown and "pw" not in shown and "user" not in shown
    for bad, problem in [({"RAPPORT_STT_URL": "ftp://x"}, "http"), ({"RAPPORT_STT_URL": "http://h:99999/v1"}, "port"),
                         ({"RAPPORT_STT_URL": "http://h/v1", "RAPPORT_STT_TIMEOUT": "soon"}, "RAPPORT_STT_TIMEOUT"),
                         ({"RAPPORT_STT_URL": "http://h/v1", "RAPPORT_STT_TIMEOUT": "-1"}, "RAPPORT_STT_TIMEOUT")]:
        with pytest.raises(RapportError, match=problem):
            stt_settings(env=bad)
    assert isinstance(make_transcriber(SttSettings()), LocalTranscriber)


# -- failures -----------------------------------------------------------------------------------


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.stop_event = threading.Event()

    def handle_error(self, request, client_address) -> None:
        pass

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        mode = self.path.strip("/").split("/")[0]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body)
        fields, wav = {}, b""
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                wav = part.get_payload(decode=True)
            else:
                fields[name] = part.get_content().strip()
        self.server.requests.append((mode, fields, wav))
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if mode.startswith("status"):
            code = int(mode.removeprefix("status"))
            msg = {401: f"Incorrect API key provided: {key}", 404: f"The model `{fields.get('model')}` does not exist"}
            self._send(code, "application/json", json.dumps({"error": {"message": msg.get(code, "boom")}}).encode())
        elif mode == "html":
            self._send(200, "text/html", b"<html><body>Gateway says hello</body></html>")
        elif mode == "notext":
            self._send(200, "application/json", b'{"transcript": 3}')
        elif mode == "hang":
            self.server.stop_event.wait(30)
        elif mode == "jsononly" and fields.get("response_format") == "verbose_json":
            error = {"detail": {"error": {"message": "Unsupported response_format: verbose_json"}}}
            self._send(400, "application/json", json.dumps(error).encode())
        else:  # echo: what arrived, as a plain json transcription
            with wave.open(io.BytesIO(wav)) as w:
                shape = f"{w.getframerate()} Hz {w.getnchannels()} ch {w.getsampwidth() * 8} bit {w.getnframes()}"
            self._send(200, "application/json", json.dumps({"text": f" {shape} frames "}).encode())

    def _send(self, code: int, ctype: str, data: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop_event.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _client(url: str, **env: str) -> RemoteTranscriber:
    return make_transcriber(env={"RAPPORT_STT_URL": url, "RAPPORT_STT_API_KEY": KEY, **env})


ONE_SECOND = np.full(16000, 0.1, np.float32)


def test_request_shape(fault_server):
    heard = _client(fault_server.url("echo"), RAPPORT_STT_MODEL="large-v3").transcribe(ONE_SECOND)
    assert heard.text == "16000 Hz 1 ch 16 bit 16000 frames" and heard.no_speech_prob == 0.0
    _, fields, _ = fault_server.requests[-1]
    assert fields == {"model": "large-v3", "language": "en", "response_format": "verbose_json"}


def test_a_server_without_verbose_json_is_asked_for_json(fault_server):
    client = _client(fault_server.url("jsononly"))
    before = len(fault_server.requests)
    assert client.transcribe(ONE_SECOND).text.startswith("16000 Hz")
    assert client.transcribe(ONE_SECOND).text.startswith("16000 Hz")
    formats = [fields["response_format"] for _, fields, _ in fault_server.requests[before:]]
    assert formats == ["verbose_json", "json", "json"]


@pytest.mark.parametrize("mode, expected", [
    ("status401", "refused the API key (HTTP 401); check RAPPORT_STT_API_KEY"),
    ("status404", "model 'whisper-1' or the path /audio/transcriptions was not found"),
    ("status500", "internal error (HTTP 500: boom)"),
    ("status429", "rate limiting"),
    ("html", "not a transcription (not JSON; Content-Type text/html)"),
    ("notext", "not a transcription (no text field)"),
    ("hang", "did not answer within 1 s"),
])
def test_failures_are_one_line_without_the_key(fault_server, mode, expected):
    with pytest.raises(RapportError) as caught:
        _client(fault_server.url(mode), RAPPORT_STT_TIMEOUT="1").transcribe(ONE_SECOND)
    line = str(caught.value)
    assert expected in line and "\n" not in line and KEY not in line
    assert f"127.0.0.1:{fault_server.port}/{mode}/v1" in line or mode == "status401"


def test_dead_server_from_the_command_line(jfk_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(RapportError, match="cannot reach the transcription server at .*: connection refused"):
        _client(url).transcribe(ONE_SECOND)
    done = _rapport("transcribe", str(jfk_path), env={"RAPPORT_STT_URL": url, "RAPPORT_STT_API_KEY": KEY})
    assert done.returncode == 1 and "connection refused" in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr and KEY not in done.stderr
    devices = _rapport("devices", "--json", env={"RAPPORT_STT_URL": url})
    check = {c["name"]: c for c in json.loads(devices.stdout)["checks"]}["stt-server"]
    assert not check["ok"] and "connection refused" in check["detail"] and "RAPPORT_STT_URL" in check["fix"]
    bad = _rapport("simulate", "--persona", "bakery-owner", "--audio", str(jfk_path), "--no-save",
                   env={"RAPPORT_STT_URL": "ftp://nowhere"})
    assert bad.returncode == 1 and "RAPPORT_STT_URL must be an http(s) URL" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_the_voice_pipeline_hears_a_sample_call_through_the_server(remote, tmp_path):
    """The pipeline needs only the protocol: the same turns as with the local model (tests/speech/test_pipeline.py)."""
    from simulator.speech.pipeline import Listener, VoicePipeline
    from simulator.speech.sources import FileSource
    from simulator.speech.turn_model import TurnModel

    from .conftest import SAMPLES, sample_turns

    expected = sample_turns("consultative_call")
    heard = VoicePipeline(FileSource(SAMPLES / "consultative_call.flac"), remote, Listener(), judge=TurnModel()).run()
    assert len(heard) == len(expected)
    assert [x for t in heard for x in (t.start_s, t.end_s)] == pytest.approx(
        [x for start, end, _ in expected for x in (start, end)], abs=0.15)
    total = wer(" ".join(text for _, _, text in expected), " ".join(t.text for t in heard))
    print(f"consultative_call through the server: WER {total:.2f}")
    assert total <= 0.3
