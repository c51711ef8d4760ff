# tests/bench/build.sh — sourced by docs.sh and scale.sh (not run by itself):
# checks the tools a document or scale benchmark needs and builds the
# program it times in Release, with IP_TESTS=OFF.
#   bench_build NAME REV   NAME is the calling script (for its messages);
#                          REV empty: the work tree ($ROOT) into $BUILD;
#                          REV a commit: git archive of it into
#                          $SCRATCH/src-COMMIT, built in $SCRATCH/build-COMMIT.
# Sets SRCDIR, BUILD, what (the words for the table) and PROG; exits 69
# when a tool is missing, 64 when REV is no commit.
bench_build() {
  local name=$1 rev=$2 tool commit
  for tool in python3 cmake cc eatmydata; do
    command -v "$tool" >/dev/null || { echo "$name: needs $tool" >&2; exit 69; }
  done
  [ -x /usr/bin/time ] || { echo "$name: needs /usr/bin/time (Debian package time)" >&2; exit 69; }
  mkdir -p "$SCRATCH"
  SRCDIR=$ROOT what="the work tree"
  if [ -n "$rev" ]; then
    commit=$(git rev-parse --verify "$rev^{commit}") || { echo "$name: $rev is no commit" >&2; exit 64; }
    SRCDIR=$SCRATCH/src-${commit:0:12} BUILD=$SCRATCH/build-${commit:0:12} what="commit ${commit:0:12}"
    rm -rf "$SRCDIR"
    mkdir -p "$SRCDIR"
    git archive "$commit" | tar -x -C "$SRCDIR"
  fi
  echo "== build (Release) of $what into $BUILD" >&2
  cmake -S "$SRCDIR" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DIP_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" >/dev/null
  PROG=$BUILD/internpris
}
