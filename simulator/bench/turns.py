"""Turn-taking benchmark: Rapport's end of turn against fixed-pause endpointing, side by side.

Every item of the turn-taking set (``turn_set.py``) goes through the real pipeline (VAD, Smart Turn,
the words' model, Whisper) under each policy, in the same run:

* false cut-offs: a turn with a pause inside (unfinished or hesitation, pauses up to 1 s) judged
  over before its last part began (the buyer would answer half a question);
* decision delay: on finished turns, from the end of speech to the end-of-turn decision (audio time);
* end of speech -> first buyer audio: finished turns fed at the pace of a microphone into a real
  practice session (offline buyer, voice synthesised), so transcription, the reply and the first
  sentence's synthesis are all counted.

Anchors, from their publishers: LiveKit's turn detector 9.9% false cut-offs at 300 ms; Smart Turn v3
91.6% accuracy.  The fixed policies at 0.5 s and 0.8 s are Pipecat's and LiveKit's defaults.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from simulator.bench import Result
from simulator.bench.turn_set import HELD_OUT, Item, load, speak
from simulator.speech.endpoint import EndpointSettings

POLICIES: dict[str, EndpointSettings] = {
    "rapport": EndpointSettings(partial_every_ms=0),
    "fixed 0.5 s": EndpointSettings(policy="fixed", fixed_pause_ms=500, partial_every_ms=0),
    "fixed 0.8 s": EndpointSettings(policy="fixed", fixed_pause_ms=800, partial_every_ms=0),
}
PAUSED = ("unfinished", "hesitation")


@dataclass
class Outcome:
    item: Item
    #: (start_s, end_s, decided_s) of each turn heard
    turns: list[tuple[float, float, float]]

    @property
    def cut(self) -> bool:
        """Judged over before the last part began (a turn was cut in two)."""
        return any(decided < self.item.last_start for _, _, decided in self.turns)

    @property
    def delay_s(self) -> float | None:
        after = [decided for _, _, decided in self.turns if decided >= self.item.speech_end - 0.05]
        return after[0] - self.item.speech_end if after else None


def decide(items: list[Item], settings: EndpointSettings, transcriber, judge) -> list[Outcome]:
    """Each item through the pipeline (fed as fast as possible; decisions are on the audio clock)."""
    from simulator.speech.pipeline import Listener, PipelineSettings, VoicePipeline
    from simulator.speech.sources import FileSource

    outcomes = []
    for item in items:
        pipeline = VoicePipeline(FileSource(item.audio, tail_s=0.0), transcriber, Listener(), judge=judge,
                                 settings=PipelineSettings(endpoint=settings))
        heard = pipeline.run()
        outcomes.append(Outcome(item, [(h.start_s, h.end_s, h.decided_s) for h in heard]))
    return outcomes


def first_audio_ms(items: list[Item], settings: EndpointSettings, transcriber, judge) -> list[float]:
    """End of speech -> first buyer audio (ms) for each finished item, paced like a microphone."""
    from simulator.persona.factory import make_engine
    from simulator.persona.loader import get
    from simulator.session.loop import PracticeSession
    from simulator.speech.pipeline import PipelineSettings, VoicePipeline
    from simulator.speech.run import make_voice
    from simulator.speech.sources import FileSource

    persona = get("bakery-owner")
    values = []
    for item in items:
        session = PracticeSession(persona, make_engine("offline", seed=1), seed=1)
        session.start()
        voice, _ = make_voice(persona.voice)
        pipeline = VoicePipeline(FileSource(item.audio, realtime=True, tail_s=0.0), transcriber, session,
                                 voice=voice, judge=judge, settings=PipelineSettings(endpoint=settings))
        for heard in pipeline.run():
            latency = heard.buyer.latency_ms if heard.buyer is not None else None
            if latency and "speech_end_to_voice" in latency:
                values.append(latency["speech_end_to_voice"])
                break
    return values


def summary(outcomes: list[Outcome], max_pause: float = 1.0) -> dict[str, float]:
    paused = [o for o in outcomes if o.item.kind in PAUSED and max(o.item.pauses, default=0) <= max_pause]
    between = [o for o in outcomes if o.item.kind == "between"]
    finished = [o for o in outcomes if o.item.kind == "finished"]
    delays = [o.delay_s for o in finished if o.delay_s is not None]
    return {
        "paused": len(paused),
        "cut": sum(o.cut for o in paused),
        "cut_rate": sum(o.cut for o in paused) / max(1, len(paused)),
        "between": len(between),
        "between_cut": sum(o.cut for o in between),
        "finished": len(finished),
        "delay_ms": 1000 * statistics.median(delays) if delays else float("nan"),
    }


def run(quick: bool) -> list[Result]:
    from simulator.speech.transcriber import make_transcriber
    from simulator.speech.turn_model import TurnModel

    items = speak(load(HELD_OUT))
    if quick:
        items = items[::4]
    transcriber, judge = make_transcriber(), TurnModel()
    results: list[Result] = []
    figures = {name: summary(decide(items, settings, transcriber, judge)) for name, settings in POLICIES.items()}
    finished = [i for i in items if i.kind == "finished"]
    audio = {name: first_audio_ms(finished[: 4 if quick else None], settings, transcriber, judge)
             for name, settings in POLICIES.items()}
    ours = figures["rapport"]
    side = "; ".join(f"{name}: {f['cut']}/{f['paused']} cut, decision {f['delay_ms']:.0f} ms, "
                     f"between-sentence breaths cut {f['between_cut']}/{f['between']}, first audio "
                     f"{statistics.median(audio[name]) if audio[name] else float('nan'):.0f} ms"
                     for name, f in figures.items())
    results.append(Result("false cut-offs, unfinished pauses <= 1 s (%)", 100 * ours["cut_rate"], "%", 5,
                          detail=f"held-out authors {', '.join(HELD_OUT)}; {side}; anchor: LiveKit 9.9% at 300 ms"))
    for name in ("fixed 0.5 s", "fixed 0.8 s"):
        results.append(Result(f"false cut-offs with {name} endpointing (%)", 100 * figures[name]["cut_rate"], "%"))
    for name, values in audio.items():
        label = "end of speech -> first buyer audio" + ("" if name == "rapport" else f" ({name})")
        results.append(Result(f"{label} (median ms)", statistics.median(values) if values else float("nan"), "ms",
                              500 if name == "rapport" else None,
                              detail=f"{len(values)} finished turns, paced like a microphone, audio ready to play"))
    return results

