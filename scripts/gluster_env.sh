#!/usr/bin/env bash
# A throwaway GlusterFS volume mounted twice, for tests/gluster_test.ts: two
# FUSE clients of one replica-2 volume stand in for two machines sharing a store.
#
# Usage: scripts/gluster_env.sh setup DIR      (DIR: an empty directory to work in)
#        scripts/gluster_env.sh teardown DIR
#
# setup installs glusterfs-server and glusterfs-client with apt-get when they
# are missing, starts `glusterd -N` (unless one runs already), creates and
# starts a replica-2 volume with two bricks under DIR, mounts it on DIR/m1 and
# DIR/m2, and prints `mount1=...` and `mount2=...`. Every step is recorded in
# DIR/state as it happens, so teardown undoes exactly what was done, also after
# a failed or interrupted setup. teardown unmounts both, stops and deletes the
# volume, stops the glusterd it started (by its pid) and removes DIR.
#
# Setups and teardowns of all GlusterFS environments on the machine (this one,
# scripts/netns_env.sh) take /run/filestore-gluster.lock, one at a time.
#
# Exit codes: 0 done; 77 GlusterFS cannot run here (not root, no /dev/fuse,
# packages unavailable), with the reason on stderr; 1 a failure.
set -uo pipefail

SKIP=77
log() { echo "gluster_env: $*" >&2; }

# Polls a command until it succeeds, for at most $1 seconds. The sleep is the
# polling interval, not the synchronisation: the command decides readiness.
wait_for() {
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
state() { sed -n "s/^$1=//p" "$DIR/state" 2>/dev/null | tail -1; }

gluster_cli() { gluster --mode=script "$@"; }

alive() { # a pid that exists and is not a zombie
  [ -r "/proc/$1/stat" ] && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' "/proc/$1/stat"
}

gone() { ! alive "$1"; }

check_possible() {
  if [ "$(id -u)" != 0 ]; then
    log "skip: GlusterFS needs root (to run glusterd and mount through FUSE)"
    return $SKIP
  fi
  if [ ! -c /dev/fuse ]; then
    log "skip: /dev/fuse is missing, so a GlusterFS volume cannot be mounted"
    return $SKIP
  fi
  if ! command -v glusterd >/dev/null || ! command -v mount.glusterfs >/dev/null; then
    if ! command -v apt-get >/dev/null; then
      log "skip: glusterfs-server and glusterfs-client are not installed and there is no apt-get"
      return $SKIP
    fi
    log "installing glusterfs-server glusterfs-client with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends glusterfs-server glusterfs-client >"$DIR/apt.log" 2>&1; then
      apt-get update -qq >>"$DIR/apt.log" 2>&1
      if ! apt-get install -y -qq --no-install-recommends glusterfs-server glusterfs-client >>"$DIR/apt.log" 2>&1; then
        log "skip: apt-get could not install glusterfs-server glusterfs-client: $(tail -1 "$DIR/apt.log")"
        return $SKIP
      fi
    fi
  fi
}

# Volumes of earlier runs that were killed before their teardown: their bricks
# are gone, and glusterd would keep trying to start them.
remove_stale_volumes() {
  local volume brick
  for volume in $(gluster_cli volume list 2>/dev/null | grep '^filestore_test_'); do
    brick=$(gluster_cli volume info "$volume" 2>/dev/null | sed -n 's/^Brick1: [^:]*://p')
    if [ -n "$brick" ] && [ ! -d "$brick" ]; then
      log "removing the stale volume $volume"
      gluster_cli volume stop "$volume" force >/dev/null 2>&1
      gluster_cli volume delete "$volume" >/dev/null 2>&1
    fi
  done
}

setup() {
  check_possible || return $?
  local pid
  pid=$(pidof glusterd | awk '{ print $1 }')
  if [ -n "$pid" ]; then
    log "using the glusterd already running (pid $pid); it is left running"
  else
    # setsid: glusterd outlives this script; its output goes to files, never to our pipes.
    # 9>&-: daemons must not hold the lock.
    setsid glusterd -N --log-file="$DIR/glusterd.log" </dev/null >"$DIR/glusterd.out" 2>&1 9>&- &
    pid=$!
    record glusterd_pid "$pid"
  fi
  wait_for 60 "glusterd to answer" gluster_cli pool list || return 1
  remove_stale_volumes

  # Bricks must name this machine, not localhost.
  local host
  host=$(hostname)
  getent hosts "$host" >/dev/null || host=$(hostname -I 2>/dev/null | awk '{ print $1 }')
  local volume="filestore_test_$$_$RANDOM"
  mkdir -p "$DIR/b1" "$DIR/b2" "$DIR/m1" "$DIR/m2"
  record volume "$volume"
  # force: the bricks are on the root file system, which glusterd refuses otherwise.
  gluster_cli volume create "$volume" replica 2 "$host:$DIR/b1" "$host:$DIR/b2" force >>"$DIR/gluster.log" 2>&1 ||
    {
      log "volume create failed: $(tail -1 "$DIR/gluster.log")"
      return 1
    }
  gluster_cli volume start "$volume" >>"$DIR/gluster.log" 2>&1 ||
    {
      log "volume start failed: $(tail -1 "$DIR/gluster.log")"
      return 1
    }
  wait_for 60 "both bricks of $volume to be online" bricks_online "$volume" || return 1

  local mount
  for mount in m1 m2; do
    record mount "$DIR/$mount"
    mount -t glusterfs "$host:/$volume" "$DIR/$mount" </dev/null >>"$DIR/mount.log" 2>&1 9>&- ||
      {
        log "mounting $volume on $DIR/$mount failed: $(tail -1 "$DIR/mount.log")"
        return 1
      }
    wait_for 60 "$DIR/$mount to be mounted" mountpoint -q "$DIR/$mount" || return 1
  done
  # Ready when a file written through one client is seen through the other.
  local probe=".probe-$$"
  echo ready >"$DIR/m1/$probe" || return 1
  wait_for 60 "the two mounts to see the same files" test -f "$DIR/m2/$probe" || return 1
  rm -f "$DIR/m2/$probe"
  echo "mount1=$DIR/m1"
  echo "mount2=$DIR/m2"
}

# `detail`: the table of plain `volume status` wraps long brick paths.
bricks_online() {
  [ "$(gluster_cli volume status "$1" detail 2>/dev/null | grep -c '^Online *: *Y')" -ge 2 ]
}

teardown() {
  [ -f "$DIR/state" ] || {
    rm -rf "$DIR"
    return 0
  }
  local mount volume pid
  for mount in $(sed -n 's/^mount=//p' "$DIR/state"); do
    if mountpoint -q "$mount"; then
      umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || log "could not unmount $mount"
    fi
  done
  volume=$(state volume)
  if [ -n "$volume" ]; then
    # The pid files go with the volume: read them first.
    local pidfiles
    pidfiles=$(ls /var/run/gluster/vols/"$volume"/*.pid /var/run/gluster/shd/"$volume"/*.pid 2>/dev/null)
    gluster_cli volume stop "$volume" force >/dev/null 2>&1
    gluster_cli volume delete "$volume" >/dev/null 2>&1 || log "could not delete the volume $volume"
    # Brick processes outlive a glusterd that died early (one shared with another run, say).
    local file brick
    for file in $pidfiles; do
      brick=$(cat "$file" 2>/dev/null)
      if [ -n "$brick" ] && alive "$brick" && grep -q "$volume" "/proc/$brick/cmdline" 2>/dev/null; then
        kill -TERM "$brick" 2>/dev/null
      fi
    done
  fi
  pid=$(state glusterd_pid)
  if [ -n "$pid" ] && alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    if ! wait_for 30 "glusterd (pid $pid) to stop" gone "$pid"; then
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  for mount in $(sed -n 's/^mount=//p' "$DIR/state"); do
    mountpoint -q "$mount" && return 1
  done
  rm -rf "$DIR"
}

command=${1:-}
DIR=${2:-}
# Nothing left to undo (a failed setup cleans up after itself).
[ "$command" = teardown ] && [ -n "$DIR" ] && [ ! -e "$DIR" ] && exit 0
if [ -z "$DIR" ] || [ ! -d "$DIR" ] || { [ "$command" != setup ] && [ "$command" != teardown ]; }; then
  echo "usage: $0 setup|teardown DIR (an existing directory)" >&2
  exit 2
fi
DIR=$(cd "$DIR" && pwd)
exec 9>/run/filestore-gluster.lock
flock -w 900 9 || {
  log "could not take /run/filestore-gluster.lock within 15 minutes"
  exit 1
}
case $command in
  setup)
    setup
    status=$?
    if [ $status != 0 ] && [ $status != $SKIP ] && [ -f "$DIR/glusterd.log" ]; then
      log "the end of glusterd's log:"
      tail -5 "$DIR/glusterd.log" >&2
    fi
    if [ $status != 0 ]; then
      teardown
      exit $status
    fi
    ;;
  teardown) teardown ;;
esac
