#!/usr/bin/env bash
# A throwaway MooseFS mounted twice, for tests/moosefs_test.ts: a master and
# one chunkserver in a network namespace of their own (only its loopback, so
# their ports and address never meet another run's), and two FUSE clients (mfsmount) whose
# processes live in that namespace while their mounts are the machine's.
#
# Usage: scripts/moosefs_env.sh setup DIR      (DIR: an empty directory)
#        scripts/moosefs_env.sh teardown DIR
#
# setup installs moosefs-master, moosefs-chunkserver and moosefs-client with
# apt-get when they are missing and prints mount1= and mount2=. Every step is
# recorded in DIR/state, so teardown undoes exactly what was done, also after
# a failed or interrupted setup.
#
# Exit codes: 0 done; 77 MooseFS cannot run here (not root, no /dev/fuse, no
# packages), with the reason on stderr; 1 a failure.
set -uo pipefail

SKIP=77
ADDRESS=10.213.17.1 # exists only inside the namespace
PACKAGES=(moosefs-master moosefs-chunkserver moosefs-client)
log() { echo "moosefs_env: $*" >&2; }

wait_for() { # seconds what command...: polls the command (the sleep is the interval)
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${seconds}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

record() { echo "$1=$2" >>"$DIR/state"; }
state() { sed -n "s/^$1=//p" "$DIR/state" 2>/dev/null; }
mounted() { awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' /proc/self/mounts; }
in_netns() { nsenter --net="/run/netns/$(state netns)" -- "$@"; }

check_possible() {
  if [ "$(id -u)" != 0 ]; then
    log "skip: MooseFS needs root (a network namespace, FUSE mounts)"
    return $SKIP
  fi
  if [ ! -c /dev/fuse ]; then
    log "skip: /dev/fuse is missing, so MooseFS cannot be mounted"
    return $SKIP
  fi
  if ! command -v mfsmaster >/dev/null || ! command -v mfschunkserver >/dev/null || ! command -v mfsmount >/dev/null; then
    if ! command -v apt-get >/dev/null; then
      log "skip: ${PACKAGES[*]} are not installed and there is no apt-get"
      return $SKIP
    fi
    log "installing ${PACKAGES[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >"$DIR/apt.log" 2>&1; then
      apt-get update -qq >>"$DIR/apt.log" 2>&1
      if ! apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >>"$DIR/apt.log" 2>&1; then
        log "skip: apt-get could not install ${PACKAGES[*]}: $(tail -1 "$DIR/apt.log")"
        return $SKIP
      fi
    fi
  fi
  if ! command -v ip >/dev/null || ! command -v nsenter >/dev/null; then
    log "skip: ip (iproute2) or nsenter (util-linux) is missing"
    return $SKIP
  fi
}

setup() {
  check_possible || return $?
  local ns="fsm$$"
  record netns "$ns"
  ip netns add "$ns" || return 1
  ip -n "$ns" link set lo up || return 1
  # The chunkserver refuses a master on loopback: a veth pair (both ends
  # inside) gives an address.
  ip -n "$ns" link add mfs0 type veth peer name mfs1 || return 1
  ip -n "$ns" addr add "$ADDRESS/24" dev mfs0 || return 1
  ip -n "$ns" link set mfs0 up || return 1
  ip -n "$ns" link set mfs1 up || return 1

  mkdir -p "$DIR/master" "$DIR/chunkserver" "$DIR/chunks"
  cp /var/lib/mfs/metadata.mfs.empty "$DIR/master/metadata.mfs" || return 1
  echo "* / rw,alldirs,maproot=0" >"$DIR/mfsexports.cfg"
  echo "$DIR/chunks" >"$DIR/mfshdd.cfg"
  cat >"$DIR/mfsmaster.cfg" <<EOF
WORKING_USER = root
WORKING_GROUP = root
DATA_PATH = $DIR/master
EXPORTS_FILENAME = $DIR/mfsexports.cfg
EOF
  cat >"$DIR/mfschunkserver.cfg" <<EOF
WORKING_USER = root
WORKING_GROUP = root
DATA_PATH = $DIR/chunkserver
HDD_CONF_FILENAME = $DIR/mfshdd.cfg
MASTER_HOST = $ADDRESS
EOF
  # They daemonize; their processes are found through the namespace at teardown.
  in_netns mfsmaster -c "$DIR/mfsmaster.cfg" start </dev/null >"$DIR/master.log" 2>&1 ||
    {
      log "mfsmaster failed: $(tail -2 "$DIR/master.log")"
      return 1
    }
  in_netns mfschunkserver -c "$DIR/mfschunkserver.cfg" start </dev/null >"$DIR/chunkserver.log" 2>&1 ||
    {
      log "mfschunkserver failed: $(tail -2 "$DIR/chunkserver.log")"
      return 1
    }
  local mount
  for mount in m1 m2; do
    mkdir -p "$DIR/$mount"
    record mount "$DIR/$mount"
    in_netns mfsmount "$DIR/$mount" -H "$ADDRESS" </dev/null >>"$DIR/mount.log" 2>&1 ||
      {
        log "mfsmount on $DIR/$mount failed: $(tail -2 "$DIR/mount.log")"
        return 1
      }
    wait_for 60 "$DIR/$mount to be mounted" mountpoint -q "$DIR/$mount" || return 1
  done
  # One chunkserver: one copy of each chunk is all there can be.
  mfssetgoal -r 1 "$DIR/m1" >/dev/null 2>&1 || true
  # Ready when a file written through one mount is read back through the other.
  local probe=".probe-$$"
  echo ready >"$DIR/m1/$probe" || return 1
  wait_for 60 "the chunkserver to store data" grep -q ready "$DIR/m2/$probe" || return 1
  rm -f "$DIR/m1/$probe"
  echo "mount1=$DIR/m1"
  echo "mount2=$DIR/m2"
}

teardown() {
  [ -f "$DIR/state" ] || {
    rm -rf "$DIR"
    return 0
  }
  local mount ns pid failed=0
  for mount in $(state mount); do
    mounted "$mount" && { umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || log "could not unmount $mount"; }
  done
  ns=$(state netns)
  if [ -n "$ns" ]; then
    # Gracefully first, briefly: the metadata is thrown away anyway.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
    wait_for 5 "the MooseFS processes to end" test -z "$(ip netns pids "$ns" 2>/dev/null)"
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    wait_for 20 "the MooseFS processes to die" test -z "$(ip netns pids "$ns" 2>/dev/null)" || failed=1
    ip netns delete "$ns" 2>/dev/null
  fi
  # Never rm -rf into a mount.
  for mount in $(state mount); do
    mounted "$mount" && failed=1
  done
  [ $failed = 0 ] || return 1
  rm -rf "$DIR"
}

command=${1:-}
DIR=${2:-}
[ "$command" = teardown ] && [ -n "$DIR" ] && [ ! -e "$DIR" ] && exit 0
if [ -z "$DIR" ] || [ ! -d "$DIR" ] || { [ "$command" != setup ] && [ "$command" != teardown ]; }; then
  echo "usage: $0 setup|teardown DIR (an existing directory)" >&2
  exit 2
fi
DIR=$(cd "$DIR" && pwd)
case $command in
  setup)
    trap 'teardown; exit 1' INT TERM HUP
    setup
    status=$?
    if [ $status != 0 ]; then
      teardown
      exit $status
    fi
    ;;
  teardown) teardown ;;
esac
