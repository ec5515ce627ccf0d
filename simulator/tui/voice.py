"""The practice screen's link to the voice pipeline: start it in a worker, and pass on the
screen's intents (push-to-talk, mute, pause, stop).

It builds nothing itself beyond choosing the source: the pipeline, the microphone, Whisper and
the buyer's voice come from ``simulator.speech``; events go through the app's relay like the
practice loop's.  When voice cannot run (no PortAudio, no microphone, no model) it says so in
one line and the rep types instead.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from simulator.errors import RapportError
from simulator.session.events import PhaseChanged, Problem


class VoiceBridge:
    def __init__(self, app, session, options) -> None:
        self.session = session
        self.emit = app.relay
        self.audio_file: Path | None = options.audio_file
        self.device = getattr(options, "device", None)
        self.output_device = getattr(options, "output_device", None)
        self.barge_in = getattr(options, "barge_in", True)
        self.loudspeakers = getattr(options, "loudspeakers", False)
        self.stt_model = getattr(options, "stt_model", None)
        self.push_to_talk = options.mode == "ptt" and options.audio_file is None
        self.pipeline = None
        self.muted = False
        self.paused = False
        self.talking = False
        self._stopped = threading.Event()
        self._done = threading.Event()
        self._folder = tempfile.TemporaryDirectory(prefix="rapport-turns-")

    # ---- running (called from a worker thread) ---------------------------------------------------
    def start(self) -> None:
        """Load the models and run the pipeline until the session ends or ``stop`` is called."""
        try:
            self._run()
        finally:
            self._done.set()

    def _run(self) -> None:
        self.emit(PhaseChanged("loading", "loading the speech model"))
        try:
            self.pipeline = self._build()
        except RapportError as exc:
            self.emit(Problem(f"{exc}; type your turns instead"))
            self._start_typed()
            self.emit(PhaseChanged("idle", "typed"))
            return
        if self._stopped.is_set():
            return
        self._apply_listening()
        self.set_muted(self.muted)
        try:
            self.pipeline.run()
        except RapportError as exc:
            self.emit(Problem(f"{exc}; type your turns instead"))
            self._start_typed()
        finally:
            if self.pipeline.voice is not None:
                self.pipeline.voice.close()  # releases the output device
            self.emit(PhaseChanged("idle", "voice stopped"))

    def _start_typed(self) -> None:
        """No voice after all: the buyer's opening line is shown instead of spoken."""
        if not self.session.turns:
            self.session.start()

    def _build(self):
        from simulator.speech.run import VoiceSetup, build_pipeline

        setup = VoiceSetup(device=self.device, output_device=self.output_device, audio_file=self.audio_file,
                           realtime=True, stt_model=self.stt_model, barge_in=self.barge_in,
                           loudspeakers=self.loudspeakers, record_dir=Path(self._folder.name),
                           record_prefix=getattr(self.session, "session_id", None) or "turn")
        return build_pipeline(self.session, self.session.persona.voice, setup, self.emit)

    # ---- intents from the screen -----------------------------------------------------------------
    def _apply_listening(self) -> None:
        if self.pipeline is not None:
            self.pipeline.set_listening(not self.paused and (self.talking or not self.push_to_talk))
            if self.push_to_talk:
                self.pipeline.hold(self.talking)  # no pause ends the turn while talk is on; off ends it

    def toggle_talk(self) -> bool:
        """Push-to-talk: the first press opens the microphone, the second closes it (ending the turn)."""
        self.talking = not self.talking
        self._apply_listening()
        self.emit(PhaseChanged("hearing" if self.talking else "listening",
                               "push-to-talk on" if self.talking else "push-to-talk off"))
        return self.talking

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if self.pipeline is not None and self.pipeline.voice is not None:
            self.pipeline.voice.set_muted(muted)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._apply_listening()

    def stop(self, wait_s: float = 5.0) -> None:
        """End voice: the buyer falls silent at once, the microphone closes, and (up to ``wait_s``) the
        pipeline finishes storing the last reply's recording and latencies."""
        self._stopped.set()
        pipeline = self.pipeline
        if pipeline is not None:
            if pipeline.voice is not None:
                pipeline.voice.stop()
            pipeline.stop()
            self._done.wait(wait_s)
