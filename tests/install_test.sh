#!/usr/bin/env bash
# ctest install_*: pgsim used as a lab installs it, away from the source and build trees.
#
#   install_test.sh SOURCE_DIR BUILD_DIR WORK_DIR CASE
#
# Installs BUILD_DIR with `cmake --install --prefix`, then moves the installed tree elsewhere
# (so no path recorded at build or install time can be what makes it work), and runs it from an
# empty directory with PGSIM_DATA_DIR and PGSIM_LESSON_ROOT unset. CASE is one of
#   lessons    `pgsim lesson list` lists every lesson of the source tree; `pgsim lesson run 1`
#   variant    `run --isa pg1-jru hello.s` and `check pg1-jru` find the installed variant and
#              print what the build tree prints for the source files
#   exercise   an exercise is copied to $XDG_DATA_HOME/pgsim (the installed one is untouched),
#              fails unsolved, passes once the student's copy holds the solution
#   not-found  no data (PGSIM_DATA_DIR empty, no share dir): exit 1 naming every directory tried
#   deb        `cpack -G DEB`: name, maintainer, dependencies, every data file, the desktop entry
#              and its icon; the unpacked package lists the lessons and runs a variant
set -u
src=$1 build=$2 work=$3 case=$4
fail() { echo "FAIL ($case): $*" >&2; exit 1; }

rm -rf "$work" && mkdir -p "$work/cwd" "$work/home" || fail "cannot make $work"
cmake --install "$build" --prefix "$work/installed" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "cmake --install"; }
mv "$work/installed" "$work/moved" || fail "cannot move the installed tree"
prefix=$work/moved share=$work/moved/share/pgsim
cd "$work/cwd" || fail "cd"
unset PGSIM_DATA_DIR PGSIM_LESSON_ROOT
export HOME=$work/home XDG_DATA_HOME=$work/xdg

# run NAME CMD...: runs CMD, keeping stdout in $work/NAME.out, stderr in NAME.err, status in $rc.
run() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
}
show() { echo "--- $1: exit $rc"; cat "$work/$1.out" "$work/$1.err"; }

case $case in
lessons)
  # Mark the installed copy of lesson 1, to see that the lessons listed are the installed ones.
  sed -i '1s/$/ (installed copy)/' "$share"/lessons/01-*.md || fail "no installed lesson 1"
  run list "$prefix/bin/pgsim" lesson list
  [ $rc -eq 0 ] || { show list; fail "lesson list exits $rc"; }
  want=$(ls "$src"/lessons/[0-9]*.md | wc -l)
  got=$(grep -c . "$work/list.out")
  [ "$want" -gt 0 ] && [ "$got" -eq "$want" ] || { show list; fail "lesson list shows $got lessons, the source tree has $want"; }
  head -1 "$work/list.out" | grep -q "(installed copy)$" || { show list; fail "lesson list does not show the installed lessons"; }
  run lesson1 "$prefix/bin/pgsim" lesson run 1
  [ $rc -eq 0 ] || { show lesson1; fail "lesson run 1 exits $rc"; }
  grep -q "^lesson 1: all .* passed" "$work/lesson1.out" || { show lesson1; fail "lesson 1 did not pass"; }
  ;;
variant)
  for isa in pg1-jru pg1-jru.isa; do
    run installed "$prefix/bin/pgsim" run --isa "$isa" hello.s
    [ $rc -eq 0 ] || { show installed; fail "run --isa $isa hello.s exits $rc"; }
    run built "$build/cli/pgsim" run --isa "$src/examples/isa/pg1-jru.isa" "$src/examples/guests/hello.s"
    [ -s "$work/built.out" ] || { show built; fail "the build tree's run printed nothing"; }
    cmp -s "$work/installed.out" "$work/built.out" || { show installed; show built; fail "--isa $isa: output differs from the build tree's"; }
  done
  run check "$prefix/bin/pgsim" check --no-prove pg1-jru
  [ $rc -eq 0 ] || { show check; fail "check pg1-jru exits $rc"; }
  grep -q "($share/examples/isa/pg1-jru.isa)" "$work/check.out" || { show check; fail "check did not use the installed pg1-jru.isa"; }
  run check_built "$build/cli/pgsim" check --no-prove "$src/examples/isa/pg1-jru.isa"
  diff <(tail -n +2 "$work/check.out") <(tail -n +2 "$work/check_built.out") >/dev/null ||
    { show check; show check_built; fail "check pg1-jru differs from the build tree's"; }
  ;;
exercise)
  # The first lesson with an exercise; every exercise in it, with its solution.
  lesson=$(grep -l '^file=' "$src"/lessons/[0-9]*.md | head -1)
  [ -n "$lesson" ] || fail "no lesson has an exercise"
  number=$(basename "$lesson" | sed 's/^0*\([0-9][0-9]*\).*/\1/')
  mapfile -t pairs < <(sed -n 's/^file=\([^ ]*\) solution=\([^ ]*\).*/\1 \2/p' "$lesson")
  run unsolved "$prefix/bin/pgsim" lesson run "$number"
  [ $rc -eq 1 ] || { show unsolved; fail "lesson run $number with the exercise unsolved exits $rc, not 1"; }
  first=${pairs[0]%% *}
  grep -q "your copy of the exercise is $XDG_DATA_HOME/pgsim/$first" "$work/unsolved.err" ||
    { show unsolved; fail "pgsim did not say where the student's copy is"; }
  grep -q "edit $XDG_DATA_HOME/pgsim/" "$work/unsolved.err" || { show unsolved; fail "the hint does not name the student's copy"; }
  cmp -s "$XDG_DATA_HOME/pgsim/$first" "$src/$first" || fail "the student's copy is not the pristine exercise"
  for p in "${pairs[@]}"; do
    f=${p%% *} s=${p##* }
    mkdir -p "$(dirname "$XDG_DATA_HOME/pgsim/$f")"
    cp "$share/$s" "$XDG_DATA_HOME/pgsim/$f" || fail "cannot solve $f"
  done
  run solved "$prefix/bin/pgsim" lesson run "$number"
  [ $rc -eq 0 ] || { show solved; fail "lesson run $number with the solutions in the student's copies exits $rc"; }
  for p in "${pairs[@]}"; do
    f=${p%% *}
    cmp -s "$share/$f" "$src/$f" || fail "the installed $f was modified"
  done
  run solutions "$prefix/bin/pgsim" lesson run "$number" --solutions
  [ $rc -eq 0 ] || { show solutions; fail "the installed solutions do not pass lesson $number"; }
  ;;
not-found)
  mkdir -p "$work/bare/bin" "$work/empty"
  cp "$prefix/bin/pgsim" "$work/bare/bin/pgsim"
  export PGSIM_DATA_DIR=$work/empty
  for cmd in "lesson list" "lesson run 1" "run --isa pg1-jru hello.s" "run hello.s" "check pg1-jru"; do
    # shellcheck disable=SC2086
    run nf "$work/bare/bin/pgsim" $cmd
    [ $rc -eq 1 ] || { show nf; fail "pgsim $cmd without data exits $rc, not 1"; }
    dirs=("$work/empty" "$work/bare/share/pgsim")
    # A name the user gave is looked for in the current directory too (defaults and lessons are not).
    [[ $cmd == *pg1-jru* ]] && dirs+=("$work/cwd (the current directory)")
    for d in "${dirs[@]}"; do
      grep -qF "$d" "$work/nf.err" || { show nf; fail "pgsim $cmd does not say it looked in $d"; }
    done
    grep -q "PGSIM_DATA_DIR" "$work/nf.err" || { show nf; fail "pgsim $cmd does not mention PGSIM_DATA_DIR"; }
  done
  ;;
deb)
  # The Debian package a lab installs with `apt install ./pgsim_*.deb`: built by CPack from this
  # build, then inspected and unpacked (not installed: that needs root and changes the machine).
  cpack -G DEB -B "$work/cpack" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack -G DEB"; }
  deb=$(ls "$work"/cpack/pgsim_*.deb 2>/dev/null | head -1)
  [ -n "$deb" ] || { cat "$work/cpack.log"; fail "no pgsim_*.deb"; }
  dpkg-deb -f "$deb" Package Depends Maintainer Description >"$work/control" || fail "dpkg-deb -f"
  grep -q "^Package: pgsim$" "$work/control" || { cat "$work/control"; fail "package name"; }
  for lib in libc6 libstdc++6 libfmt9; do
    grep -q "^Depends:.*\b$lib\b" "$work/control" || { cat "$work/control"; fail "Depends lacks $lib"; }
  done
  grep -q "^Maintainer: .*<.*@.*>" "$work/control" || { cat "$work/control"; fail "no maintainer"; }
  dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb -x"
  root=$work/root/usr
  for f in bin/pgsim share/pgsim/vmm/monitors/pgvmm.s; do [ -f "$root/$f" ] || fail "the package lacks /usr/$f"; done
  # Every data file of the source tree is in the package (new ones too: whole directories).
  (cd "$src" && find examples lessons -type f ! -name '*.autosave' ! -name '*~' ! -name '.*') | while read -r f; do
    cmp -s "$src/$f" "$root/share/pgsim/$f" || { echo "FAIL (deb): the package lacks or changes /usr/share/pgsim/$f" >&2; exit 1; }
  done || exit 1
  if [ -f "$build/gui/pgsim-gui" ]; then
    [ -x "$root/bin/pgsim-gui" ] || fail "the package lacks /usr/bin/pgsim-gui"
    grep -q "^Depends:.*\blibqt6widgets6\b" "$work/control" || { cat "$work/control"; fail "Depends lacks Qt 6 Widgets"; }
    desktop=$root/share/applications/pgsim.desktop
    [ -f "$desktop" ] || fail "no desktop entry"
    exe=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop") icon=$(sed -n 's/^Icon=//p' "$desktop")
    [ -x "$root/bin/$exe" ] || fail "the desktop entry runs '$exe', which the package does not install"
    ls "$root"/share/icons/hicolor/*/apps/"$icon".* >/dev/null 2>&1 || fail "the desktop entry's icon '$icon' is not installed"
    grep -q "^Type=Application$" "$desktop" && grep -q "^Name=" "$desktop" && grep -q "^Categories=.*Education;" "$desktop" ||
      fail "the desktop entry lacks Type, Name or the Education category"
  fi
  # The unpacked package works where it stands.
  run list "$root/bin/pgsim" lesson list
  [ $rc -eq 0 ] && [ -s "$work/list.out" ] || { show list; fail "the packaged pgsim lists no lessons"; }
  run jru "$root/bin/pgsim" run --isa pg1-jru hello.s
  [ $rc -eq 0 ] || { show jru; fail "the packaged pgsim cannot run --isa pg1-jru hello.s"; }
  ;;
*) fail "unknown case" ;;
esac
echo "ok ($case)"
