#!/bin/sh
# Install the system packages Rapport uses ("runtime") or Rapport and its tests use ("all", the
# default), when we are allowed to.
# Without root or sudo, say in one line what to install; Rapport keeps working without them
# (typed input, text-only buyer).
RUNTIME="libportaudio2 espeak-ng libsndfile1"
TESTING="pulseaudio pulseaudio-utils libasound2-plugins postgresql tmux chromium fonts-dejavu-core sox ffmpeg"
case "${1:-all}" in
runtime) PKGS="$RUNTIME" ;;
*) PKGS="$RUNTIME $TESTING" ;;
esac

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "rapport: install these system packages for voice and the full test suite:$missing"
    exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"
else
    echo "rapport: run 'sudo apt-get install$missing' for voice and the full test suite"
    exit 0
fi
echo "installing system packages:$missing"
$SUDO apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null \
    || echo "rapport: could not install$missing; voice or some tests may be unavailable"
