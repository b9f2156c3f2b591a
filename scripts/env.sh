# Shared set-up for the scripts: prerequisites and a persistent build cache.
# Sourced, not run. Checks for (and, as root with apt, installs) what the build needs.

set -euo pipefail

say() { printf 'guanxi: %s\n' "$*" >&2; }

# RocksDB is compiled from source once; keep its build in a cache that outlives clones.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/guanxi/target}"
mkdir -p "$CARGO_TARGET_DIR"

source "$(dirname "${BASH_SOURCE[0]}")/prereqs.sh"

# Installs Debian packages when we are root with apt; otherwise says in one line what to install.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $* (apt-get)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }; then
      say "could not install $*; install it by hand and run again"
      return 1
    fi
  else
    say "missing $*: install it (for example: sudo apt-get install $*) and run again"
    return 1
  fi
}

# require CHECK: installs the packages CHECK (a guanxi_missing_* function) names, then checks
# again; fails, saying what is still missing, when that did not do it.
require() {
  local missing
  missing="$("$1")"
  [ -z "$missing" ] && return 0
  # shellcheck disable=SC2086 # one word per package
  apt_install $missing || return 1
  missing="$("$1")"
  [ -z "$missing" ] || { say "still missing after installing: $missing"; return 1; }
}

if ! command -v cargo >/dev/null 2>&1; then
  say "cargo not found: install the Rust toolchain (https://rustup.rs) and run again"
  exit 1
fi

# The build: RocksDB's bindings run bindgen, which loads libclang, and RocksDB needs a C++
# compiler. Both are checked before anything compiles, the way the build itself looks for them.
require guanxi_missing_build || exit 1

# Cargo reuses the cache's builds of our own crates when the checkout moves, but paths baked
# in at compile time (fixture folders, snapshot folders) keep the old checkout's. When the
# cache last built another checkout, rebuild our crates (not their dependencies: RocksDB stays).
checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
built_for="$(cat "$CARGO_TARGET_DIR/.guanxi-checkout" 2>/dev/null || true)"
if [ -n "$built_for" ] && [ "$built_for" != "$checkout" ]; then
  say "the build cache was last used by $built_for: rebuilding this checkout's crates"
  packages=()
  for c in "$checkout"/crates/*/; do packages+=(-p "$(basename "$c")"); done
  (cd "$checkout" && cargo clean --release --quiet "${packages[@]}" 2>/dev/null) || true
fi
printf '%s\n' "$checkout" > "$CARGO_TARGET_DIR/.guanxi-checkout"
