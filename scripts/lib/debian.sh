# Shared by demo.sh and test.sh: install what EdgeWatch needs from Debian, if it is missing. Source it; don't run it.

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

# ensure_packages PKG...: apt-get install the packages that aren't installed yet. Returns non-zero if that fails.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "$(basename "$0"): installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "$(basename "$0"): could not install ${missing[*]}" >&2; return 1; }
}

# ensure_samples DIR: Debian opencv-doc's sample videos (vtest.avi: pedestrians; tree.avi), unpacked into DIR without
# installing the package's 100 MB of documentation.
ensure_samples() {
  local dir="$1" tmp
  [ -f "$dir/vtest.avi" ] && [ -f "$dir/tree.avi" ] && return 0
  echo "$(basename "$0"): fetching the opencv-doc sample video into $dir"
  tmp="$(mktemp -d)"
  ( cd "$tmp" && { apt-get download opencv-doc >/dev/null 2>&1 || { $SUDO apt-get update -qq && apt-get download opencv-doc >/dev/null 2>&1; }; } && dpkg -x opencv-doc_*.deb x ) \
    && mkdir -p "$dir" && cp "$tmp"/x/usr/share/doc/opencv-doc/examples/data/{vtest.avi,tree.avi} "$dir"/
  local status=$?
  rm -rf "$tmp"
  ((status == 0)) || echo "$(basename "$0"): could not fetch opencv-doc" >&2
  return $status
}

# ensure_arm64_sysroot DIR: a minimal Debian 12 arm64 root (debootstrap minbase, first stage only, plus libicu72 and
# libssl3 unpacked by hand: without libssl3 .NET's crypto aborts) for running arm64 programs under qemu-user. Kept
# in DIR between runs.
ensure_arm64_sysroot() {
  local dir="$1" deb
  [ -f "$dir/.edgewatch-ready" ] && return 0
  echo "$(basename "$0"): making the arm64 sysroot in $dir (debootstrap, about 20 s)"
  rm -rf "$dir"
  $SUDO debootstrap --arch=arm64 --variant=minbase --foreign --include=libicu72,libssl3 bookworm "$dir" >/dev/null 2>&1 \
    || { echo "$(basename "$0"): debootstrap of the arm64 sysroot failed" >&2; return 1; }
  for deb in "$dir"/var/cache/apt/archives/libicu72_*.deb "$dir"/var/cache/apt/archives/libssl3_*.deb; do
    $SUDO dpkg -x "$deb" "$dir" || return 1
  done
  touch "$dir/.edgewatch-ready"
}
