"""Voice benchmark: latency from the end of the rep's speech, memory, and barge-in.

A rep side of a discovery call (20 utterances of 2-8 s, espeak-ng, 1.5 s apart) is fed through
the real pipeline at the pace of a live microphone, into a real PracticeSession (offline buyer)
with the buyer's voice synthesised.  Every latency counts from the moment the block holding
the last speech sample was fed, the end-of-turn pause included.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from simulator.bench import Result
from simulator.memory import rss_mb

UTTERANCES = [
    "Thanks for making the time today, I know mornings are busy for you.",
    "How did you get started with the bakery?",
    "What does a normal morning look like for your team?",
    "Who handles the ordering of flour and butter at the moment?",
    "What happens when a delivery turns up late?",
    "How often does that happen in a typical month?",
    "Tell me about the last time a customer was unhappy.",
    "How did your staff feel about that day?",
    "What have you tried so far to fix the ordering problem?",
    "What did you like about that approach, and what did you not like?",
    "If nothing changes over the next year, what does that mean for the shop?",
    "Who else would have a say if you decided to change how you order?",
    "How do you usually make decisions about new suppliers?",
    "What would a really good week look like for you?",
    "How many people work in the shop on a Saturday?",
    "What takes up most of your time that you wish it did not?",
    "How do you keep track of what sells out early?",
    "What worries you most about the busy season coming up?",
    "So the late deliveries are the real pain, and they land on you personally.",
    "What would you like to happen next, if anything?",
    "When you think about the last few months, which part of running the shop has taken more of your "
    "energy than you expected it to?",
    "If you could change one thing about how the deliveries and the ordering work together, what would "
    "it be and why that one?",
    "So the late deliveries cost you early sales, and you end up fixing it yourself before opening?",
]
GAP_S = 1.5


def _call(count: int):
    from simulator.speech.audio import SAMPLE_RATE
    from simulator.speech.tts import VoiceSettings, shared_synthesizer

    synth = shared_synthesizer()
    gap = np.zeros(int(GAP_S * SAMPLE_RATE), np.float32)
    parts, lengths = [gap], []
    for text in (UTTERANCES[-3:] + UTTERANCES)[:count]:
        speech = synth.synth(text, VoiceSettings(rate=150))
        loud = np.flatnonzero(np.abs(speech) > 0.01)
        speech = speech[loud[0] : loud[-1] + 1]
        lengths.append(speech.size / SAMPLE_RATE)
        parts += [speech * 0.8, gap]
    return np.concatenate(parts), lengths


def _session_run(count: int) -> tuple[list, list[float], float, str]:
    import threading

    from simulator.persona.factory import make_engine
    from simulator.persona.loader import get
    from simulator.session.loop import PracticeSession
    from simulator.speech.run import VoiceSetup, build_pipeline

    audio, lengths = _call(count)
    persona = get("bakery-owner")
    session = PracticeSession(persona, make_engine("offline", seed=1), seed=1)
    session.start()
    pipeline = build_pipeline(session, persona.voice, VoiceSetup(audio_file=audio, realtime=True, play=False))
    transcriber = pipeline.transcriber
    peak = [rss_mb()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            peak[0] = max(peak[0], rss_mb())

    threading.Thread(target=sample, daemon=True).start()
    heard = pipeline.run()
    done.set()
    return heard, lengths, max(peak[0], rss_mb()), transcriber.describe()


def _barge_in() -> Result | None:
    """Rep starts talking while the buyer speaks on a real output device: time until the buyer is silent."""
    import subprocess

    try:
        if subprocess.run(["pactl", "info"], capture_output=True, timeout=5).returncode != 0:
            return None
    except (OSError, subprocess.TimeoutExpired):
        return None
    from simulator.speech.playback import Player
    from simulator.speech.transcriber import make_transcriber
    from simulator.speech.tts import shared_synthesizer

    transcriber = make_transcriber()
    synth = shared_synthesizer()
    try:
        player = Player("pulse")
    except Exception:  # noqa: BLE001 - no pulse device in PortAudio
        return None
    try:
        results = _barge_in_trials(transcriber, synth, player)
    finally:
        player.close()
    return Result(
        "barge-in: rep starts -> buyer silent (median ms)",
        float(statistics.median(results)),
        "ms",
        300,
        detail=f"{len(results)} trials on PulseAudio: {', '.join(f'{r:.0f}' for r in results)} ms",
    )


def _barge_in_trials(transcriber, synth, player) -> list[float]:
    import threading

    from simulator.speech.audio import SAMPLE_RATE
    from simulator.speech.pipeline import Listener, VoicePipeline
    from simulator.speech.sources import FileSource
    from simulator.speech.tts import VoiceSettings
    from simulator.speech.voice import BuyerVoice

    results = []
    for _ in range(5):
        voice = BuyerVoice(synth, player)
        speech = synth.synth("Sorry, can I just ask one thing?", VoiceSettings(rate=150))
        onset = 1.0
        audio = np.concatenate([np.zeros(int(onset * SAMPLE_RATE), np.float32), speech, np.zeros(8000, np.float32)])
        source = FileSource(audio, realtime=True, tail_s=1.0)
        reply = voice.speak("Well, we have looked at a lot of tools this year and none of them fitted us. " * 4)
        while not player.playing:
            time.sleep(0.005)
        pipeline = VoicePipeline(source, transcriber, Listener(), voice=voice)
        runner = threading.Thread(target=pipeline.run, daemon=True)
        runner.start()
        reply.wait(20)
        silent_at = player.stopped_at or time.perf_counter()
        lead = np.flatnonzero(np.abs(speech) > 0.01)[0] / SAMPLE_RATE
        # the rep's first sound reaches the "microphone" at started_at + onset + lead
        results.append((silent_at - (source.started_at + onset + lead)) * 1000)
        runner.join(20)
    return results


def run(quick: bool) -> list[Result]:
    count = 6 if quick else 20
    heard, lengths, rss, stt = _session_run(count)
    rep = [h.latency_ms["speech_end_to_transcript"] for h in heard]
    buyers = [h.buyer.latency_ms for h in heard if h.buyer is not None and h.buyer.latency_ms]
    text = [b["speech_end_to_text"] for b in buyers]
    voice = [b["speech_end_to_voice"] for b in buyers if "speech_end_to_voice" in b]
    decode = [h.latency_ms["transcribe"] for h in heard]
    detail = (
        f"{len(heard)}/{count} turns heard, utterances {min(lengths):.1f}-{max(lengths):.1f} s, "
        f"{stt}; transcription alone median {statistics.median(decode):.0f} ms"
    )
    results = [
        Result("end of speech -> final transcript (median ms)", statistics.median(rep), "ms", 350, detail=detail),
        Result("end of speech -> buyer reply text (offline)", statistics.median(text), "ms", 450),
        Result("end of speech -> first buyer audio", statistics.median(voice) if voice else float("nan"), "ms", 1000),
        Result("resident memory during a session (MB)", rss, "MB", 500),
    ]
    barge = _barge_in()
    if barge is not None:
        results.append(barge)
    from simulator.bench import turns

    return turns.run(quick) + results
