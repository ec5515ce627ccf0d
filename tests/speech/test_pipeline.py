"""The whole voice loop on the sample calls: right turns, right boundaries, recordings, buyer voice."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from simulator.conversation.turns import Turn
from simulator.speech.pipeline import PipelineSettings, VoicePipeline
from simulator.speech.sources import FileSource
from simulator.speech.turn_model import TurnModel
from simulator.speech.voice import BuyerVoice

from .conftest import SAMPLES, sample_turns, wer


class Scripted:
    """A stand-in buyer that records what it was told and what it recorded (the real session is tested below)."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.completed: list[Turn] = []

    def opening(self) -> None:
        return None

    def respond(self, text: str, on_text=None, **kwargs) -> Turn:
        self.calls.append({"text": text, **kwargs})
        return Turn("buyer", "Sure. We mostly use spreadsheets.", trust=50.0)

    def complete(self, reply: Turn) -> Turn:
        self.completed.append(reply)
        return reply


@pytest.mark.parametrize("name", ["consultative_call", "transactional_call"])
def test_sample_call_becomes_the_right_turns_with_the_right_boundaries(name, transcriber, tmp_path):
    expected = sample_turns(name)
    target = Scripted()
    settings = PipelineSettings(record_dir=tmp_path, record_prefix=name)
    pipeline = VoicePipeline(FileSource(SAMPLES / f"{name}.flac"), transcriber, target, settings=settings,
                             judge=TurnModel())
    heard = pipeline.run()
    assert len(heard) == len(expected)  # the mid-turn pause after "and um" and the noise burst are not turns
    for turn, (start, end, _), call in zip(heard, expected, target.calls, strict=True):
        assert turn.start_s == pytest.approx(start, abs=0.15)
        assert turn.end_s == pytest.approx(end, abs=0.15)
        # per turn, the boundaries above say it is this turn; the words are checked over the call as a whole (below):
        # tiny.en hears espeak's "fewer missed renewals, wouldn't you?" differently by CPU ("your mist when you're
        # old, welcome to you": WER 0.875 on an AMX Xeon, under 0.75 on an AVX2 EPYC)
        assert turn.text.strip()
        assert call["start_s"] == turn.start_s and call["audio"] == turn.audio
        recorded, rate = sf.read(turn.audio)
        assert rate == 16000 and abs(recorded.size / rate - (end - start)) < 0.7
    total = " ".join(t.text for t in heard)
    # espeak-ng's robotic voice is harder for tiny.en than people are: ~0.2 WER (audio/README.md)
    assert wer(" ".join(t for _, _, t in expected), total) <= 0.3


def test_buyer_reply_is_finished_before_it_is_recorded(transcriber, synth, tmp_path):
    """The conversation records the buyer's turn once, complete: times, recording and latencies."""
    speech = synth.synth("Tell me about the last time a customer was unhappy.")
    audio = np.concatenate([np.zeros(8000, np.float32), speech, np.zeros(16000, np.float32)])
    target = Scripted()
    settings = PipelineSettings(record_dir=tmp_path)
    heard = VoicePipeline(FileSource(audio), transcriber, target, voice=BuyerVoice(synth), settings=settings).run()
    assert len(heard) == 1 and target.completed == [heard[0].buyer]
    buyer = target.completed[0]
    assert set(buyer.latency_ms) == {"transcribe", "respond", "speech_end_to_text", "speech_end_to_voice"}
    assert buyer.latency_ms["speech_end_to_voice"] >= buyer.latency_ms["speech_end_to_text"] - 1
    duration = sf.info(buyer.audio).duration
    assert duration > 1.0
    # on the rep's clock: after the rep's turn ended, lasting as long as the recording
    assert buyer.start_s >= heard[0].end_s
    assert buyer.end_s - buyer.start_s == pytest.approx(duration, abs=0.05)


def test_realtime_file_is_paced_like_a_microphone():
    import time

    source = FileSource(np.zeros(16000, np.float32), realtime=True, tail_s=0.0)
    started = time.perf_counter()
    blocks = list(source.blocks())
    assert sum(b.size for b in blocks) >= 16000
    assert time.perf_counter() - started >= 0.95  # one second of audio takes one second to arrive


def test_simulate_with_audio_runs_the_real_session(tmp_path):
    """`rapport simulate --audio`: the real PracticeSession, analyser and offline buyer."""
    from click.testing import CliRunner

    from simulator.commands.simulate import simulate

    result = CliRunner().invoke(
        simulate,
        ["--persona", "bakery-owner", "--audio", str(SAMPLES / "consultative_call.flac"), "--json", "--no-save"],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output.strip().splitlines()[-1])
    reps = [t for t in doc["turns"] if t["speaker"] == "rep"]
    buyers = [t for t in doc["turns"] if t["speaker"] == "buyer"]
    assert len(reps) == 6 and len(buyers) == 7  # the buyer opens
    assert all("start_s" in t and "end_s" in t and t["end_s"] > t["start_s"] for t in reps)
    assert all(
        set(t["latency_ms"]) == {"transcribe", "respond", "speech_end_to_text", "speech_end_to_voice"}
        for t in buyers[1:]
    )
    assert sum("question" in t["labels"] for t in reps) >= 3


def test_simulate_with_audio_saves_every_turn_recording_in_the_store(rapport_home):
    """Rep audio is copied when the rep turn completes; buyer audio is attached once synthesised."""
    from click.testing import CliRunner

    from simulator.commands.simulate import simulate

    result = CliRunner().invoke(
        simulate, ["--persona", "bakery-owner", "--audio", str(SAMPLES / "transactional_call.flac"), "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output.strip().splitlines()[-1])
    folder = rapport_home / "data" / "audio" / doc["session_id"]
    rep = sorted(folder.glob("*-rep.flac"))
    buyer = sorted(folder.glob("*-buyer.flac"))
    assert len(rep) == 6 and len(buyer) == 6
    assert all(sf.info(str(p)).duration > 1.0 for p in rep + buyer)
    assert all("audio" not in t for t in doc["turns"])  # no dangling temporary paths in the output


class _SpeakingVoice:
    """The buyer's voice as the pipeline sees it: speaking, first heard at ``started_at``."""

    def __init__(self, started_at: float) -> None:
        from simulator.speech.voice import Reply

        self.reply = Reply()
        self.reply.started_at = started_at
        self.player = object()
        self.speaking = True
        self.stopped = 0

    def stop(self) -> None:
        self.stopped += 1
        self.reply.interrupted = True


class _Behind:
    """A microphone the pipeline has fallen behind: each block says when it was captured."""

    realtime = True
    captured_at: float | None = None

    def blocks(self):
        return iter(())

    def close(self) -> None:
        pass


@pytest.mark.parametrize("said", ["before the buyer was heard", "while the buyer was heard"])
def test_only_what_the_rep_said_while_the_buyer_was_heard_is_a_barge_in(said, transcriber):
    """A slow transcription holds the pipeline up; the rep's words queued meanwhile do not stop the reply."""
    from simulator.speech.audio import BLOCK, SAMPLE_RATE, load_audio

    from .conftest import SPEECH

    rep = load_audio(SPEECH / "arctic_a0024.wav")
    onset = int(np.flatnonzero(np.abs(rep) > 0.02)[0])
    heard_at = 500.0
    voice = _SpeakingVoice(started_at=heard_at)
    source = _Behind()
    pipeline = VoicePipeline(source, transcriber, Scripted(), voice=voice, settings=PipelineSettings())
    first = heard_at - 3.0 if said.startswith("before") else heard_at + 0.1
    speech = rep[onset : onset + int(1.2 * SAMPLE_RATE)]
    for i in range(speech.size // BLOCK):
        source.captured_at = first + (i + 1) * BLOCK / SAMPLE_RATE
        pipeline._feed(speech[i * BLOCK : (i + 1) * BLOCK])
    pipeline._worker.shutdown(wait=True)
    assert voice.stopped == (0 if said.startswith("before") else 1)


def test_a_recording_fed_as_the_microphone_gets_no_echo_gate():
    """A file cannot hear the buyer: gating it would take the rep's quiet onsets under a reply for echo
    (in CI under load, "How does that affect your week?" came out as "I'll not not act your week.")."""
    from simulator.speech.run import VoiceSetup, build_pipeline

    audio = np.zeros(16000, np.float32)
    pipeline = build_pipeline(Scripted(), None, VoiceSetup(audio_file=audio, play=True))
    assert pipeline.echo is None
