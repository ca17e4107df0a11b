#!/usr/bin/env bash
# Several hosts on one machine, for tests/gluster_net_test.ts: network
# namespaces on a private subnet, joined by a bridge inside a "switch"
# namespace, so no traffic ever leaves them. Three server hosts run their own
# glusterd (each in its own mount namespace, with private /var/lib/glusterd,
# /var/log/glusterfs and /run) and serve one replica-3 volume; client hosts
# mount it with FUSE. A client's glusterfs process lives in its host's network
# namespace while its mount point is visible to the whole machine, so test
# processes reach "host cN" through DIR/cN/mnt.
#
# Usage: scripts/netns_env.sh setup DIR [CLIENTS]   (DIR: an empty directory)
#        scripts/netns_env.sh teardown DIR
#        scripts/netns_env.sh cut|restore DIR HOST    (HOST: s1..s3, c1..cN)
#        scripts/netns_env.sh kill-brick DIR HOST     (kill -9 HOST's brick)
#        scripts/netns_env.sh start-force DIR         (restarts dead bricks)
#        scripts/netns_env.sh bricks-online DIR       (exit 0 when all are)
#        scripts/netns_env.sh heal-pending DIR        (prints entries to heal)
#        scripts/netns_env.sh heal DIR                (heals, waits until done)
#
# setup prints volume=, mountN= and logN= (the client's log) lines. Every step
# is recorded in DIR/state as it happens, so teardown undoes exactly what was
# done, also after a failed or interrupted setup. Setups and teardowns of all
# GlusterFS environments on the machine take /run/filestore-gluster.lock.
#
# Exit codes: 0 done; 77 this cannot run here (not root, no /dev/fuse, no
# packages), with the reason on stderr; 1 a failure.
set -uo pipefail

SKIP=77
SUBNET=10.213.16
PING_TIMEOUT=${NETNS_PING_TIMEOUT:-5}
LOCK=/run/filestore-gluster.lock
SERVERS=(s1 s2 s3)
log() { echo "netns_env: $*" >&2; }

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
netns_of() { echo "$(state prefix)-$1"; }
address_of() { case $1 in s*) echo "$SUBNET.$((10 + ${1#s}))" ;; c*) echo "$SUBNET.$((20 + ${1#c}))" ;; esac; }
holder_of() { cat "$DIR/$1/holder.pid" 2>/dev/null; }
# Runs a command on a server host: its network and its mount namespace.
on_server() {
  local host=$1
  shift
  nsenter -t "$(holder_of "$host")" -m -n -- "$@"
}
gluster_on() {
  local host=$1
  shift
  on_server "$host" timeout 60 gluster --mode=script "$@"
}

check_possible() {
  if [ "$(id -u)" != 0 ]; then
    log "skip: the hosts need root (network namespaces, glusterd, FUSE mounts)"
    return $SKIP
  fi
  if [ ! -c /dev/fuse ]; then
    log "skip: /dev/fuse is missing, so a GlusterFS volume cannot be mounted"
    return $SKIP
  fi
  local tool
  for tool in ip nsenter unshare flock glusterfsd gluster mount.glusterfs; do
    if ! command -v "$tool" >/dev/null; then
      log "skip: '$tool' is missing (packages iproute2, util-linux, glusterfs-server, glusterfs-client)"
      return $SKIP
    fi
  done
  if ! ip netns add "$(state prefix)-probe" 2>/dev/null; then
    log "skip: network namespaces cannot be made here"
    return $SKIP
  fi
  ip netns delete "$(state prefix)-probe"
}

make_network() {
  local switch host ns
  switch=$(netns_of switch)
  record netns "$switch"
  ip netns add "$switch" || return 1
  ip -n "$switch" link add br0 type bridge || return 1
  ip -n "$switch" link set br0 up || return 1
  for host in "${SERVERS[@]}" "${CLIENTS[@]}"; do
    ns=$(netns_of "$host")
    record netns "$ns"
    ip netns add "$ns" || return 1
    ip -n "$switch" link add "$host" type veth peer name eth0 netns "$ns" || return 1
    ip -n "$switch" link set "$host" master br0 up || return 1
    ip -n "$ns" addr add "$(address_of "$host")/24" dev eth0 || return 1
    ip -n "$ns" link set lo up || return 1
    ip -n "$ns" link set eth0 up || return 1
  done
}

# A process that keeps a server host's mount namespace (private /run and
# glusterd state) alive; everything on the host runs inside it.
start_holder() {
  local host=$1 dir="$DIR/$1"
  mkdir -p "$dir/lib" "$dir/log" "$dir/brick"
  setsid ip netns exec "$(netns_of "$host")" unshare --mount --propagation private bash -c '
    mount -t tmpfs tmpfs /run && mkdir -p /run/gluster &&
      mount --bind "$1/lib" /var/lib/glusterd && mount --bind "$1/log" /var/log/glusterfs &&
      echo $$ >"$1/holder.pid" && exec sleep infinity' _ "$dir" </dev/null >"$dir/holder.out" 2>&1 9>&- &
  wait_for 30 "the namespaces of $host" test -s "$dir/holder.pid" || return 1
  record holder "$host"
}

start_glusterd() {
  local host=$1
  # Not named "glusterd": other scripts look for "their" glusterd with pidof.
  ln -sf "$(command -v glusterfsd)" "$DIR/$host/glusterd-$host"
  # The lock's descriptor is closed: daemons must not hold it.
  nsenter -t "$(holder_of "$host")" -m -n -- setsid "$DIR/$host/glusterd-$host" -N \
    --log-file="$DIR/$host/glusterd.log" </dev/null >"$DIR/$host/glusterd.out" 2>&1 9>&- &
}

setup() {
  check_possible || return $?
  local host
  make_network || return 1
  for host in "${SERVERS[@]}"; do
    start_holder "$host" || return 1
    start_glusterd "$host"
  done
  for host in "${SERVERS[@]}"; do
    wait_for 60 "glusterd on $host to answer" gluster_on "$host" pool list || return 1
  done
  # Probing back from s2 makes s1 known by its address rather than by the probe's.
  for host in s2 s3; do
    gluster_on s1 peer probe "$(address_of "$host")" >>"$DIR/gluster.log" 2>&1 || return 1
  done
  gluster_on s2 peer probe "$(address_of s1)" >>"$DIR/gluster.log" 2>&1
  wait_for 60 "the three servers to join" peers_connected || return 1

  local volume=filestore_net bricks=()
  for host in "${SERVERS[@]}"; do bricks+=("$(address_of "$host"):$DIR/$host/brick"); done
  record volume "$volume"
  # force: the bricks are on the root file system, which glusterd refuses otherwise.
  gluster_on s1 volume create "$volume" replica 3 "${bricks[@]}" force >>"$DIR/gluster.log" 2>&1 ||
    {
      log "volume create failed: $(tail -1 "$DIR/gluster.log")"
      return 1
    }
  gluster_on s1 volume set "$volume" network.ping-timeout "$PING_TIMEOUT" >>"$DIR/gluster.log" 2>&1 || return 1
  gluster_on s1 volume start "$volume" >>"$DIR/gluster.log" 2>&1 || return 1
  wait_for 60 "the bricks of $volume to be online" bricks_online || return 1

  local client index=0
  for client in "${CLIENTS[@]}"; do
    index=$((index + 1))
    mkdir -p "$DIR/$client/mnt"
    record mount "$DIR/$client/mnt"
    # nsenter --net only: the mount is the machine's, its client process the host's.
    nsenter --net="/run/netns/$(netns_of "$client")" mount -t glusterfs \
      -o "log-file=$DIR/$client/mount.log,backup-volfile-servers=$(address_of s2):$(address_of s3)" \
      "$(address_of s1):/$volume" "$DIR/$client/mnt" </dev/null >>"$DIR/mount.log" 2>&1 9>&- ||
      {
        log "mounting on $client failed: $(tail -1 "$DIR/mount.log")"
        return 1
      }
    wait_for 60 "$client to mount $volume" mountpoint -q "$DIR/$client/mnt" || return 1
    echo "mount$index=$DIR/$client/mnt"
    echo "log$index=$DIR/$client/mount.log"
  done
  local probe=".probe-$$"
  echo ready >"$DIR/c1/mnt/$probe" || return 1
  for client in "${CLIENTS[@]}"; do
    wait_for 60 "$client to see the probe" test -f "$DIR/$client/mnt/$probe" || return 1
  done
  rm -f "$DIR/c1/mnt/$probe"
  echo "volume=$volume"
}

peers_connected() {
  [ "$(gluster_on s1 pool list 2>/dev/null | grep -c 'Connected')" -ge 3 ]
}

bricks_online() {
  [ "$(gluster_on "${1:-s1}" volume status "$(state volume)" detail 2>/dev/null | grep -c '^Online *: *Y')" -ge 3 ]
}

healed() { [ "$(heal_pending)" = 0 ]; }

# Healed, or asks for a heal again every 15 s: a heal started while a brick was
# still reconnecting can stall with entries left (seen once: 356 of them).
healed_or_retrigger() {
  healed && return 0
  if ((SECONDS >= ${next_heal:-0})); then
    gluster_on s1 volume heal "$(state volume)" >/dev/null 2>&1
    next_heal=$((SECONDS + 15))
  fi
  return 1
}

heal_pending() {
  gluster_on s1 volume heal "$(state volume)" info 2>/dev/null |
    awk '/^Number of entries:/ { n += $4 } END { print n + 0 }'
}

# By the mount table: mountpoint(1) fails on a mount whose FUSE daemon died.
mounted() { awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' /proc/self/mounts; }

teardown() {
  [ -f "$DIR/state" ] || {
    rm -rf "$DIR"
    return 0
  }
  local mount ns pid failed=0
  # Lazily: a cut-off client would make a plain umount wait.
  for mount in $(state mount); do
    mounted "$mount" && { umount -l "$mount" 2>/dev/null || log "could not unmount $mount"; }
  done
  # Every process of a host is in its network namespace (clients, glusterd, bricks, holders).
  for ns in $(state netns); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  done
  for ns in $(state netns); do
    wait_for 30 "the processes of $ns to end" test -z "$(ip netns pids "$ns" 2>/dev/null)" || failed=1
    ip netns delete "$ns" 2>/dev/null
  done
  # Never rm -rf into a mount.
  for mount in $(state mount); do
    mounted "$mount" && failed=1
  done
  [ $failed = 0 ] || return 1
  rm -rf "$DIR"
}

lock() {
  exec 9>"$LOCK"
  flock -w 900 9 || {
    log "could not take $LOCK within 15 minutes"
    return 1
  }
}

command=${1:-}
DIR=${2:-}
[ "$command" = teardown ] && [ -n "$DIR" ] && [ ! -e "$DIR" ] && exit 0
if [ -z "$DIR" ] || [ ! -d "$DIR" ]; then
  echo "usage: $0 setup|teardown|cut|restore|kill-brick|start-force|bricks-online|heal-pending DIR [HOST]" >&2
  exit 2
fi
DIR=$(cd "$DIR" && pwd)
case $command in
  setup)
    count=${3:-2}
    CLIENTS=()
    for ((i = 1; i <= count; i++)); do CLIENTS+=("c$i"); done
    lock || exit 1
    record prefix "fsn$$"
    trap 'teardown; exit 1' INT TERM HUP
    setup
    status=$?
    if [ $status != 0 ]; then
      [ $status != $SKIP ] && for host in "${SERVERS[@]}"; do
        [ -f "$DIR/$host/glusterd.log" ] && { log "the end of $host's glusterd log:" && tail -3 "$DIR/$host/glusterd.log" >&2; }
      done
      teardown
      exit $status
    fi
    ;;
  teardown) lock && teardown ;;
  cut) ip -n "$(netns_of "$3")" link set eth0 down ;;
  restore) ip -n "$(netns_of "$3")" link set eth0 up ;;
  kill-brick)
    pid=$(gluster_on s1 volume status "$(state volume)" "$(address_of "$3"):$DIR/$3/brick" --xml 2>/dev/null |
      sed -n 's:.*<pid>\([0-9]*\)</pid>.*:\1:p' | head -1)
    [ -n "$pid" ] && [ "$pid" -gt 0 ] && kill -KILL "$pid" && echo "pid=$pid" || exit 1
    # Until reaped, glusterd takes the brick for running and would not restart it.
    wait_for 30 "the killed brick (pid $pid) to be reaped" test ! -e "/proc/$pid"
    ;;
  start-force)
    for attempt in 1 2 3 4 5 6; do
      gluster_on s1 volume start "$(state volume)" force >/dev/null &&
        wait_for 10 "the bricks to be online" bricks_online && exit 0
    done
    exit 1
    ;;
  bricks-online) bricks_online "${3:-s1}" ;;
  heal-pending) heal_pending ;;
  heal)
    # Until healed, a brick that was away lists entries renamed meanwhile.
    next_heal=0
    wait_for 300 "the volume to heal" healed_or_retrigger || {
      log "$(heal_pending) entries left to heal"
      exit 1
    }
    ;;
  *)
    echo "usage: $0 setup|teardown|cut|restore|kill-brick|start-force|bricks-online|heal-pending DIR [HOST]" >&2
    exit 2
    ;;
esac
