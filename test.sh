#!/usr/bin/env bash
# EdgeWatch test command: installs what the tests (and the demo) need from Debian, if missing, then builds and runs
# every test in EdgeWatch.sln. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages: mosquitto (the tests start their own brokers on free loopback ports), ffmpeg and libgtk-3-0
# (the camera side: ffmpeg child processes, the OpenCV runtime).
PACKAGES=(mosquitto ffmpeg libgtk-3-0 rtsp-server-perl)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "test.sh: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "test.sh: could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

# Real sample video for the motion tests: vtest.avi (pedestrians) from Debian's opencv-doc package, unpacked locally.
SAMPLES="$PWD/.cache/samples"
if [ ! -f "$SAMPLES/vtest.avi" ]; then
  echo "test.sh: fetching the opencv-doc sample video"
  tmp="$(mktemp -d)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  ( cd "$tmp" && { apt-get download opencv-doc >/dev/null 2>&1 || { $SUDO apt-get update -qq && apt-get download opencv-doc >/dev/null 2>&1; }; } && dpkg -x opencv-doc_*.deb x ) \
    && mkdir -p "$SAMPLES" && cp "$tmp"/x/usr/share/doc/opencv-doc/examples/data/{vtest.avi,tree.avi} "$SAMPLES"/ \
    || { echo "test.sh: could not fetch opencv-doc"; echo "0 passed, 1 failed"; exit 1; }
  rm -rf "$tmp"
fi
export EDGEWATCH_SAMPLES="$SAMPLES"

log="$(mktemp)"
dotnet test EdgeWatch.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 30, Skipped: 0, Total: 30, ..."
read -r passed failed skipped < <(grep -E "^(Passed|Failed)!  - Failed:" "$log" \
  | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
assemblies=$(grep -cE "^(Passed|Failed)!  - Failed:" "$log")
rm -f "$log"

# A test assembly that crashed or did not build prints no summary: count it as a failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
  echo "test.sh: dotnet test exited with $status after $assemblies test assemblies reported"
fi
if [ "$skipped" -ne 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
