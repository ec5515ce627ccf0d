#!/bin/sh
# A PulseAudio daemon of our own with a null sink: audio played into "rapport_sink" can be
# recorded from "rapport_sink.monitor", a virtual microphone for the tests.
# Usage: scripts/pulse.sh start|stop|status
cmd=${1:-start}
command -v pulseaudio >/dev/null 2>&1 || { echo "pulse: pulseaudio not installed, skipping"; exit 0; }
case "$cmd" in
start)
    if ! pactl info >/dev/null 2>&1; then
        # As root there is no user session: run a per-user daemon anyway (not the system one).
        pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit --log-target=stderr \
            -n --load="module-native-protocol-unix" --load="module-always-sink" >/dev/null 2>&1 \
            || pulseaudio -D --exit-idle-time=-1 >/dev/null 2>&1
        for _ in 1 2 3 4 5 6 7 8 9 10; do pactl info >/dev/null 2>&1 && break; sleep 0.5; done
    fi
    pactl info >/dev/null 2>&1 || { echo "pulse: could not start PulseAudio"; exit 0; }
    if ! pactl list short sinks | grep -q rapport_sink; then
        pactl load-module module-null-sink sink_name=rapport_sink \
            sink_properties=device.description=rapport_sink >/dev/null
    fi
    pactl set-default-sink rapport_sink
    pactl set-default-source rapport_sink.monitor
    echo "pulse: null sink rapport_sink ready (source rapport_sink.monitor)"
    ;;
stop) pulseaudio --kill 2>/dev/null; true ;;
status) pactl info && pactl list short sinks && pactl list short sources ;;
esac
