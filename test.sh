#!/usr/bin/env bash
# EdgeWatch test command: installs what the tests (and the demo) need from Debian, if missing, builds EdgeWatch.sln
# and runs every test project in it. Totals come from each project's TRX results file, not from console text.
# Ends with one line: "N passed, N failed". Extra arguments go to every `dotnet test` (for example --filter ...).
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
source scripts/lib/debian.sh

# mosquitto: the tests start their own brokers on free loopback ports; mosquitto-clients: mosquitto_sub against the
# embedded broker; ffmpeg, libgtk-3-0: the camera side (ffmpeg child processes, the OpenCV runtime); rtsp-server-perl:
# a real RTSP server for the camera tests; openssl: an independent HMAC for the webhook signature test; socat: the
# pseudo-terminal of the modem emulator (SMS, calls); libicu72: Vietnamese text in the aggregator (not invariant);
# python3-aiosmtpd: an independent SMTP server for the mail channel's tests.
PACKAGES=(mosquitto mosquitto-clients ffmpeg libgtk-3-0 rtsp-server-perl openssl socat libicu72 python3-aiosmtpd)
ensure_packages "${PACKAGES[@]}" || { echo "0 passed, 1 failed"; exit 1; }

# Real sample video for the motion tests and the demo cameras.
ensure_samples "$PWD/.cache/samples" || { echo "0 passed, 1 failed"; exit 1; }
export EDGEWATCH_SAMPLES="$PWD/.cache/samples"

if ! dotnet build EdgeWatch.sln -v q -nologo; then
  echo "test.sh: the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# arm64 proof: the gateway published self-contained for linux-arm64, run by a test under qemu-user (Debian's
# qemu-user-static) in a minimal arm64 sysroot (debootstrap), as on a Raspberry Pi.
ensure_packages qemu-user-static debootstrap && ensure_arm64_sysroot "$PWD/.cache/arm64-sysroot" \
  && dotnet publish gateway/EdgeWatch.Gateway -c Release -r linux-arm64 --self-contained -o "$PWD/.cache/arm64-gateway" -v q -nologo >/dev/null \
  || echo "test.sh: the arm64 gateway or its sysroot could not be made; the arm64 test will fail and say so"
export EDGEWATCH_ARM64_GATEWAY="$PWD/.cache/arm64-gateway" EDGEWATCH_ARM64_SYSROOT="$PWD/.cache/arm64-sysroot"

results="$PWD/.cache/test-results"
rm -rf "$results"
mkdir -p "$results"
mapfile -t projects < <(dotnet sln EdgeWatch.sln list | grep -E '\.Tests\.csproj$')

status=0 passed=0 failed=0 skipped=0
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  trx="$results/$name.trx"
  dotnet test "$project" --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" \
    || status=1

  # <Counters total=".." executed=".." passed=".." failed=".." error=".." timeout=".." aborted=".." ... notExecuted=".." />
  counters="$(grep -o '<Counters [^>]*>' "$trx" 2>/dev/null)"
  if [ -z "$counters" ]; then
    echo "test.sh: $name wrote no results (it crashed or did not start)"
    failed=$((failed + 1)); status=1
    continue
  fi
  count() { sed -E "s/.* $1=\"([0-9]+)\".*/\1/" <<<"$counters"; }
  executed=$(count executed)
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  skipped=$((skipped + $(count notExecuted)))
  if [ "$executed" -eq 0 ] && [ $# -eq 0 ]; then
    echo "test.sh: $name executed no tests"
    failed=$((failed + 1)); status=1
  fi
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: dotnet test failed without failing a test"
  failed=1
fi
echo "test.sh: results in $results (${#projects[@]} test projects)"
if [ "$skipped" -ne 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
