#!/usr/bin/env bash
# EdgeWatch demo: the complete site on this machine, with no hardware and no external services (embedded MQTT broker,
# SQLite, simulated boards, one sample-video camera per gateway). Installs what the cameras and the watch command need
# from Debian, if missing, then runs cloud/EdgeWatch.Demo. Arguments pass through: ./demo.sh --port 8080 --lang en
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
source scripts/lib/debian.sh

# ffmpeg and libgtk-3-0: the camera side (ffmpeg child processes, the OpenCV runtime); mosquitto-clients: the README's
# watch command (mosquitto_sub). Fire safety needs none of them: if installing fails, the demo starts without cameras.
ensure_packages ffmpeg libgtk-3-0 mosquitto-clients socat libicu72 || echo "demo.sh: going on; the demo says what is missing"
ensure_samples "$PWD/.cache/samples" || echo "demo.sh: going on without the sample video"
export EDGEWATCH_SAMPLES="$PWD/.cache/samples"

exec dotnet run --project cloud/EdgeWatch.Demo -- "$@"
