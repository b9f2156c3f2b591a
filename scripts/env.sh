# Shared set-up for the scripts: prerequisites and a persistent build cache.
# Sourced, not run. Checks for (and, as root with apt, installs) what the build needs.

set -euo pipefail

say() { printf 'guanxi: %s\n' "$*" >&2; }

# RocksDB is compiled from source once; keep its build in a cache that outlives clones.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/guanxi/target}"
mkdir -p "$CARGO_TARGET_DIR"

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

if ! command -v cargo >/dev/null 2>&1; then
  say "cargo not found: install the Rust toolchain (https://rustup.rs) and run again"
  exit 1
fi

# bindgen in oxrocksdb-sys needs libclang.
if ! ls /usr/lib/llvm-*/lib/libclang*.so* /usr/lib/*/libclang*.so* >/dev/null 2>&1 && [ -z "${LIBCLANG_PATH:-}" ]; then
  apt_install libclang-dev clang || exit 1
fi
