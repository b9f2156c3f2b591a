# What the build, the main job and the tests need from the machine, each found the way the
# program that uses it finds it. Sourced by env.sh (and by the test of these checks); it only
# looks: the functions print what is missing as Debian package names and never install.
#
# GUANXI_SYSROOT, when set, is put before every system folder searched, and the machine's own
# llvm-config is not asked: the test of these checks runs them against fake folders that way.

# True when FILE is a 64-bit ELF object, as clang-sys checks a libclang before it takes it.
guanxi_is_elf64() {
  [ -f "$1" ] && [ "$(head -c 5 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c4602 ]
}

# Prints the first of the files named that bindgen (clang-sys, with its `runtime` feature) would
# load: libclang.so, libclang-N.so, libclang.so.N or libclang-N.so.M, a 64-bit ELF object;
# never libclang-cpp, the C++ interface library, which lacks the C API bindgen calls. Fails
# when there is none.
guanxi_libclang_among() {
  local f name
  for f in "$@"; do
    name="${f##*/}"
    case "$name" in
      *-cpp.*) continue ;;
      libclang.so | libclang-*.so | libclang.so.* | libclang-*.so.*) ;;
      *) continue ;;
    esac
    if guanxi_is_elf64 "$f"; then
      printf '%s\n' "$f"
      return 0
    fi
  done
  return 1
}

# Prints the first libclang bindgen would find, searching where clang-sys searches and in its
# order: LIBCLANG_PATH alone when it is set (a file, or a folder holding one); else
# `llvm-config --prefix`'s bin, lib and lib64, the folders of LD_LIBRARY_PATH, then the usual
# system folders (the llvm and multiarch folders among them). Fails when there is none.
guanxi_find_libclang() {
  local root="${GUANXI_SYSROOT:-}" d prefix pattern
  if [ -n "${LIBCLANG_PATH:-}" ]; then
    if [ -f "$LIBCLANG_PATH" ]; then
      guanxi_libclang_among "$LIBCLANG_PATH"
    else
      guanxi_libclang_among "$LIBCLANG_PATH"/libclang*
    fi
    return
  fi
  if [ -z "$root" ] && command -v llvm-config >/dev/null 2>&1; then
    prefix="$(llvm-config --prefix 2>/dev/null)" || prefix=""
    prefix="${prefix%%$'\n'*}"
    if [ -n "$prefix" ]; then
      for d in "$prefix/bin" "$prefix/lib" "$prefix/lib64"; do
        guanxi_libclang_among "$d"/libclang* && return 0
      done
    fi
  fi
  local dirs=()
  IFS=: read -r -a dirs <<< "${LD_LIBRARY_PATH:-}"
  for d in "${dirs[@]}"; do
    [ -n "$d" ] && guanxi_libclang_among "$d"/libclang* && return 0
  done
  for pattern in "/usr/local/llvm*/lib*" "/usr/local/lib*/*/*" "/usr/local/lib*/*" "/usr/local/lib*" \
                 "/usr/lib*/*/*" "/usr/lib*/*" "/usr/lib*"; do
    # shellcheck disable=SC2086 # the pattern is a glob to expand
    guanxi_libclang_among $root$pattern/libclang* && return 0
  done
  return 1
}

# A C++ compiler for RocksDB (the cc crate tries $CXX, then c++).
guanxi_has_cxx() {
  if [ -n "${CXX:-}" ]; then command -v "${CXX%% *}" >/dev/null 2>&1; return; fi
  command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 || command -v clang++ >/dev/null 2>&1
}

# Packages the build needs and the machine lacks, one line, space-separated (empty: none).
guanxi_missing_build() {
  local missing=()
  guanxi_find_libclang >/dev/null || missing+=(libclang-dev)
  guanxi_has_cxx || missing+=(g++)
  printf '%s\n' "${missing[*]}"
}

# Graphviz works when `dot` draws a graph as SVG (a `dot` whose plugins are not configured
# answers -V but draws nothing).
guanxi_graphviz_works() {
  local svg
  command -v dot >/dev/null 2>&1 || return 1
  svg="$(printf 'digraph{a->b}' | dot -Tsvg 2>/dev/null)" || return 1
  [[ "$svg" == *"<svg"* ]]
}

# A font with Chinese glyphs that fontconfig (and so Graphviz) can find.
guanxi_has_cjk_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]
}

# Packages the main job's drawing needs and the machine lacks (optional: the graph is written
# without them; only its SVG needs them).
guanxi_missing_drawing() {
  local missing=()
  guanxi_graphviz_works || missing+=(graphviz)
  if ! guanxi_has_cjk_font; then
    command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
    missing+=(fonts-noto-cjk)
  fi
  printf '%s\n' "${missing[*]}"
}

# The browser the page's test drives, when one starts and prints its version.
guanxi_chromium() {
  local c
  for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1 && "$c" --version >/dev/null 2>&1; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

# Python 3 with pip, for the Python clients of the protocol test and Oxigraph's server.
guanxi_has_pip() {
  command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1
}

# Virtuoso's server and its SQL client, the remote-store test's second SPARQL service.
guanxi_virtuoso() {
  local server
  server="$(command -v virtuoso-t 2>/dev/null)" || return 1
  [ -x "$(dirname "$server")/isql-vt" ] || return 1
  printf '%s\n' "$server"
}

# Packages the tests need from the system and the machine lacks (the Python packages and
# Oxigraph's server are installed into the build cache by scripts/test itself).
guanxi_missing_test() {
  local missing=()
  guanxi_chromium >/dev/null || missing+=(chromium)
  guanxi_virtuoso >/dev/null || missing+=(virtuoso-opensource)
  if ! command -v python3 >/dev/null 2>&1; then
    missing+=(python3 python3-pip)
  elif ! guanxi_has_pip; then
    missing+=(python3-pip)
  fi
  printf '%s\n' "${missing[*]}"
}
