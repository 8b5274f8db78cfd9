#!/usr/bin/env bash
# Runs a private, root, systemd-less libvirtd for the tier-2 (real QEMU) tests.
#
#   .ci/libvirtd.sh start  <statedir>   start (or reuse) the daemon; prints the connection URI
#   .ci/libvirtd.sh start-peer <statedir>  start (or reuse) a second daemon, the live-migration
#                                       peer: another "host" on this machine (see below); prints
#                                       its URI. Use a statedir of its own.
#   .ci/libvirtd.sh stop   <statedir>   destroy its running guests, stop it, kill leftover QEMUs
#                                       (either kind of daemon)
#   .ci/libvirtd.sh kill-daemon <statedir>  stop libvirtd alone, leaving its guests running (as
#                                       a daemon crash or upgrade would); `start` brings it back
#   .ci/libvirtd.sh uri    <statedir>   print the connection URI
#   .ci/libvirtd.sh status <statedir>   exit 0 if the daemon answers
#
# Installs nothing: run .ci/install-libvirt.sh first.
#
# Layout under <statedir>: libvirtd.conf, run/ (sockets), libvirtd.pid (written by libvirtd),
# tini.pid, log/libvirtd.log (libvirtd's own log), log/daemon.out (stdout/stderr).
#
# The URI is qemu:///system?socket=<statedir>/run/libvirt-sock. Note that a root libvirtd's
# QEMU driver keeps its state in fixed host paths (/etc/libvirt/qemu.conf, /etc/libvirt/qemu/
# for persistent domain definitions, /run/libvirt/qemu, /var/lib/libvirt/qemu,
# /var/log/libvirt/qemu): only ONE such daemon can run on a machine at a time, and domains
# that tests leave defined are still there at the next start. Tests must use unique names
# and undefine what they define.
#
# The peer (`start-peer`) is a second root libvirtd that libvirt accepts as another host, so
# that guests can live-migrate between the two: it runs in private mount and hostname (UTS)
# namespaces (`unshare --mount --uts`) where the QEMU driver's fixed directories
# (/run/libvirt, /var/lib/libvirt, /var/log/libvirt, /var/cache/libvirt, /etc/libvirt/qemu)
# are bind mounts of <statedir>/ns/*, its host name is "<host>-peer", and libvirtd.conf
# gives it a host UUID of its own (libvirt refuses a migration to the same host name or
# UUID). Everything else (/work, /tmp, the disks) is the same filesystem on both: shared
# storage. Its socket is <statedir>/run/libvirt-sock, reachable from outside the namespace.
# One peer per statedir; the first daemon's `start` ignores a peer (another mount namespace).
#
# Environment: LIBVIRTD_START_TIMEOUT (seconds, default 30), LIBVIRTD_STOP_TIMEOUT (default 15),
# LIBVIRTD_PURGE_PREFIX (default "hvd-": on stop, domains whose names start with it -- what
# driver-libvirt's tests and the conformance runner define -- are destroyed and undefined, so
# that a test killed half-way leaves nothing for the next start; empty: keep every domain).
set -euo pipefail

die() { echo "libvirtd.sh: $*" >&2; exit 1; }
log() { echo "libvirtd.sh: $*" >&2; }

[[ $# -eq 2 ]] || die "usage: $0 start|start-peer|stop|kill-daemon|uri|status <statedir>"
cmd=$1
mkdir -p "$2"
STATE=$(cd "$2" && pwd -P)
RUN="$STATE/run"
SOCK="$RUN/libvirt-sock"
CONF="$STATE/libvirtd.conf"
PIDFILE="$STATE/libvirtd.pid"
TINIPIDFILE="$STATE/tini.pid"
LOGDIR="$STATE/log"
URI="qemu:///system?socket=$SOCK"
START_TIMEOUT=${LIBVIRTD_START_TIMEOUT:-30}
STOP_TIMEOUT=${LIBVIRTD_STOP_TIMEOUT:-15}
PURGE_PREFIX=${LIBVIRTD_PURGE_PREFIX-hvd-}
# A peer's statedir has this marker; its QEMU driver's directories are under $NS.
PEER_MARK="$STATE/peer"
NS="$STATE/ns"
if [[ "$cmd" == start-peer || -e "$PEER_MARK" ]]; then
    PEER=1
    QEMU_RUN="$NS/run/qemu"
    QEMU_ETC="$NS/etc-qemu"
    QEMU_LIB="$NS/lib/qemu"
else
    PEER=0
    QEMU_RUN=/run/libvirt/qemu
    QEMU_ETC=/etc/libvirt/qemu
    QEMU_LIB=/var/lib/libvirt/qemu
fi

# A unix socket path must fit in sun_path (108 bytes, NUL included).
[[ ${#RUN} -le 80 ]] || die "statedir path too long for unix sockets: $RUN"

read_pid() { # file -> pid on stdout, or nothing
    [[ -s "$1" ]] || return 0
    local p
    p=$(tr -dc '0-9' <"$1")
    [[ -n "$p" ]] && echo "$p"
    return 0
}

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

comm_of() { cat "/proc/$1/comm" 2>/dev/null || true; }

# libvirtd processes in this mount namespace (a peer in its own namespace is another host).
libvirtd_here() {
    local p mine
    mine=$(readlink /proc/self/ns/mnt)
    for p in $(pgrep -x libvirtd || true); do
        [[ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" == "$mine" ]] && echo "$p"
    done
    return 0
}

answers() { # does the daemon answer on our socket?
    [[ -S "$SOCK" ]] || return 1
    timeout 10 virsh -q -c "$URI" version >/dev/null 2>&1
}

prepare() {
    [[ $(id -u) -eq 0 ]] || die "must run as root"
    for c in libvirtd virsh tini qemu-system-x86_64; do
        command -v "$c" >/dev/null || die "$c not found: run .ci/install-libvirt.sh first"
    done

    # Users and groups the Debian packaging would create (libvirt-daemon-system is not used).
    getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
    getent passwd libvirt-qemu >/dev/null ||
        useradd --system --gid libvirt-qemu --no-create-home --home-dir /var/lib/libvirt \
            --shell /usr/sbin/nologin libvirt-qemu
    getent group libvirt >/dev/null || groupadd --system libvirt

    mkdir -p "$RUN" "$LOGDIR" /etc/libvirt
    chmod 0700 "$RUN"

    cat >"$CONF.tmp" <<EOF
# Generated by .ci/libvirtd.sh
unix_sock_dir = "$RUN"
unix_sock_rw_perms = "0700"
unix_sock_ro_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:$LOGDIR/libvirtd.log"
EOF
    if ((PEER)); then
        # A host UUID of its own (kept across restarts of this peer).
        [[ -s "$STATE/host-uuid" ]] || cat /proc/sys/kernel/random/uuid >"$STATE/host-uuid"
        echo "host_uuid = \"$(cat "$STATE/host-uuid")\"" >>"$CONF.tmp"
    fi
    mv "$CONF.tmp" "$CONF"

    # The QEMU driver of a root libvirtd reads this fixed path. Run guests as root (no
    # chown/xattr games on test files), and let QEMU write stdio to files so that
    # virtlogd is not needed.
    local qconf=/etc/libvirt/qemu.conf
    local want
    want=$'# Generated by .ci/libvirtd.sh\nuser = "root"\ngroup = "root"\nstdio_handler = "file"\nremember_owner = 0\n'
    if [[ -f "$qconf" ]] && ! grep -q '^# Generated by .ci/libvirtd.sh' "$qconf" && [[ ! -e "$qconf.orig" ]]; then
        cp -p "$qconf" "$qconf.orig"
    fi
    if [[ "$(cat "$qconf" 2>/dev/null || true)"$'\n' != "$want" ]]; then
        printf '%s' "$want" >"$qconf"
    fi
    if ((PEER)); then
        # Its own qemu.conf (bind-mounted over the shared one in its namespace): the same,
        # with port ranges of its own. Both daemons share this machine's network, and each
        # allocates ports for VNC/SPICE and incoming migrations without seeing the other's.
        printf '%s' "$want" >"$STATE/qemu.conf"
        cat >>"$STATE/qemu.conf" <<EOF
remote_display_port_min = 25900
remote_display_port_max = 26899
remote_websocket_port_min = 26900
remote_websocket_port_max = 27899
migration_port_min = 49300
migration_port_max = 49399
EOF
    fi
}

start() {
    prepare
    if ((PEER)); then
        touch "$PEER_MARK"
    fi

    local lpid tpid
    lpid=$(read_pid "$PIDFILE")
    if alive "$lpid" && [[ "$(comm_of "$lpid")" == libvirtd ]]; then
        if answers; then
            log "already running (pid $lpid)"
            echo "$URI"
            return 0
        fi
        die "libvirtd pid $lpid is running but does not answer on $SOCK; run '$0 stop $STATE'"
    fi

    rm -f "$PIDFILE" "$TINIPIDFILE" "$RUN"/libvirt-sock "$RUN"/libvirt-sock-ro "$RUN"/libvirt-admin-sock

    # tini -s: subreaper, so QEMU processes are reaped promptly (this sandbox's PID 1 reaps
    # slowly, which makes every destroy wait ~1.7 s). setsid: detach from the caller's session.
    # No fd may stay on the caller's stdout/stderr, or "$(libvirtd.sh start ...)" never returns.
    if ((PEER)); then
        local dir
        for dir in run lib log cache etc-qemu; do mkdir -p "$NS/$dir"; done
        mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt /etc/libvirt/qemu
        # unshare and sh exec, so $! ends up being tini's PID, as for the first daemon.
        setsid unshare --mount --uts --propagation private -- /bin/sh -c '
            set -e
            hostname "$(hostname)-peer"
            mount --bind "$1/run" /run/libvirt
            mount --bind "$1/lib" /var/lib/libvirt
            mount --bind "$1/log" /var/log/libvirt
            mount --bind "$1/cache" /var/cache/libvirt
            mount --bind "$1/etc-qemu" /etc/libvirt/qemu
            mount --bind "$1/../qemu.conf" /etc/libvirt/qemu.conf
            exec tini -s -- libvirtd --config "$2" --pid-file "$3"
        ' sh "$NS" "$CONF" "$PIDFILE" </dev/null >>"$LOGDIR/daemon.out" 2>&1 &
    else
        # Only one root libvirtd may run here: its QEMU driver's state directories are global.
        local other
        other=$(libvirtd_here)
        [[ -z "$other" ]] || die "another libvirtd is running (pid(s) $other); stop it first"
        setsid tini -s -- libvirtd --config "$CONF" --pid-file "$PIDFILE" \
            </dev/null >>"$LOGDIR/daemon.out" 2>&1 &
    fi
    tpid=$!
    echo "$tpid" >"$TINIPIDFILE"

    local deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! alive "$tpid"; then
            tail -n 30 "$LOGDIR/daemon.out" "$LOGDIR/libvirtd.log" >&2 2>/dev/null || true
            die "libvirtd exited during startup"
        fi
        # The first answer also makes libvirtd probe QEMU's capabilities (1-8 s, cached after).
        if answers; then
            log "started (tini pid $tpid, libvirtd pid $(read_pid "$PIDFILE")) in ${SECONDS}s"
            echo "$URI"
            return 0
        fi
        sleep 0.2
    done
    tail -n 30 "$LOGDIR/daemon.out" "$LOGDIR/libvirtd.log" >&2 2>/dev/null || true
    stop_daemon
    die "libvirtd did not answer within ${START_TIMEOUT}s"
}

qemu_children() { # QEMU processes whose parent is our tini (the subreaper)
    local tpid=$1 p
    [[ -n "$tpid" ]] || return 0
    for p in $(pgrep -P "$tpid" 2>/dev/null || true); do
        [[ "$(comm_of "$p")" == qemu-system-* ]] && echo "$p"
    done
    return 0
}

qemu_from_pidfiles() { # QEMU processes this daemon's QEMU driver recorded
    local f p
    for f in "$QEMU_RUN"/*.pid; do
        [[ -e "$f" ]] || continue
        p=$(read_pid "$f")
        alive "$p" && [[ "$(comm_of "$p")" == qemu-system-* ]] && echo "$p"
    done
    return 0
}

wait_gone() { # timeout_seconds pid...
    local t=$1 p any
    shift
    local deadline=$((SECONDS + t))
    while ((SECONDS < deadline)); do
        any=0
        for p in "$@"; do alive "$p" && any=1; done
        ((any)) || return 0
        sleep 0.1
    done
    return 1
}

stop_daemon() {
    local lpid tpid qemus p
    lpid=$(read_pid "$PIDFILE")
    tpid=$(read_pid "$TINIPIDFILE")
    # Only trust the PIDs if they still are the processes we started.
    alive "$lpid" && [[ "$(comm_of "$lpid")" == libvirtd ]] || lpid=
    alive "$tpid" && [[ "$(comm_of "$tpid")" == tini ]] || tpid=

    # Let libvirt tear its guests down cleanly first (bounded).
    if [[ -n "$lpid" ]] && answers; then
        local dom
        while read -r dom; do
            [[ -n "$dom" ]] || continue
            timeout 20 virsh -q -c "$URI" destroy "$dom" >/dev/null 2>&1 ||
                log "could not destroy domain $dom"
        done < <(timeout 10 virsh -q -c "$URI" list --name --state-running --state-paused --state-other 2>/dev/null || true)
    fi

    # Undefine what the driver's tests left defined (persistent definitions outlive the daemon).
    if [[ -n "$lpid" && -n "$PURGE_PREFIX" ]] && answers; then
        while read -r dom; do
            [[ "$dom" == "$PURGE_PREFIX"* ]] || continue
            timeout 20 virsh -q -c "$URI" undefine "$dom" --managed-save --snapshots-metadata --nvram \
                >/dev/null 2>&1 && log "undefined leftover domain $dom" ||
                log "could not undefine domain $dom"
        done < <(timeout 10 virsh -q -c "$URI" list --all --name 2>/dev/null || true)
    fi

    qemus=$( { qemu_children "$tpid"; qemu_from_pidfiles; } | sort -u)

    if [[ -n "$lpid" ]]; then
        kill -TERM "$lpid" 2>/dev/null || true
        if ! wait_gone "$STOP_TIMEOUT" "$lpid"; then
            log "libvirtd $lpid ignored SIGTERM; sending SIGKILL"
            kill -KILL "$lpid" 2>/dev/null || true
            wait_gone 5 "$lpid" || log "libvirtd $lpid still alive"
        fi
    fi
    if [[ -n "$tpid" ]]; then
        # tini exits when libvirtd does; make sure.
        wait_gone 5 "$tpid" || { kill -KILL "$tpid" 2>/dev/null || true; }
    fi

    # Anything left over that we started.
    qemus=$( { echo "$qemus"; qemu_from_pidfiles; } | grep -E '^[0-9]+$' | sort -u || true)
    if [[ -n "$qemus" ]]; then
        log "killing leftover qemu: $(echo $qemus)"
        # shellcheck disable=SC2086
        kill -TERM $qemus 2>/dev/null || true
        # shellcheck disable=SC2086
        wait_gone 5 $qemus || {
            # shellcheck disable=SC2086
            kill -KILL $qemus 2>/dev/null || true
            # shellcheck disable=SC2086
            wait_gone 5 $qemus || true
        }
    fi
    rm -f "$PIDFILE" "$TINIPIDFILE" "$RUN"/libvirt-sock "$RUN"/libvirt-sock-ro "$RUN"/libvirt-admin-sock
    purge_files
}

# A client still running while the daemon is stopped (a runner half-way through the suite)
# can define new domains after the purge through virsh above. So once no libvirtd answers any
# more, remove what is left of PURGE_PREFIX domains straight from the QEMU driver's state
# directories (only one root libvirtd can run, so they are ours): persistent definitions,
# autostart links, status files, saved states, snapshot metadata, NVRAM.
purge_files() {
    [[ -n "$PURGE_PREFIX" ]] || return 0
    if ((PEER)); then
        # Only this statedir's daemon uses these directories.
        local lpid
        lpid=$(read_pid "$PIDFILE")
        if alive "$lpid" && [[ "$(comm_of "$lpid")" == libvirtd ]]; then
            log "the peer libvirtd is still running: not touching its state directories"
            return 0
        fi
    elif [[ -n "$(libvirtd_here)" ]]; then
        log "a libvirtd is still running: not touching its state directories"
        return 0
    fi
    local f name n=0
    for f in "$QEMU_ETC/$PURGE_PREFIX"*.xml; do
        [[ -e "$f" ]] || continue
        name=$(basename "$f" .xml)
        rm -f "$f" "$QEMU_ETC/autostart/$name.xml"
        n=$((n + 1))
        log "removed leftover definition $name"
    done
    rm -rf "$QEMU_RUN/$PURGE_PREFIX"* \
        "$QEMU_LIB/save/$PURGE_PREFIX"* \
        "$QEMU_LIB/snapshot/$PURGE_PREFIX"* \
        "$QEMU_LIB/checkpoint/$PURGE_PREFIX"* \
        "$QEMU_LIB/nvram/$PURGE_PREFIX"* 2>/dev/null || true
    ((n == 0)) || log "purged $n definition(s) left by clients still running at stop"
    return 0
}

# Stops libvirtd alone: no guest destroyed, nothing undefined. libvirtd finds its running
# guests again from its status files when it starts.
kill_daemon() {
    local lpid tpid
    lpid=$(read_pid "$PIDFILE")
    tpid=$(read_pid "$TINIPIDFILE")
    alive "$lpid" && [[ "$(comm_of "$lpid")" == libvirtd ]] || die "no libvirtd of ours is running"
    kill -TERM "$lpid" 2>/dev/null || true
    if ! wait_gone "$STOP_TIMEOUT" "$lpid"; then
        kill -KILL "$lpid" 2>/dev/null || true
        wait_gone 5 "$lpid" || die "libvirtd $lpid survived SIGKILL"
    fi
    if alive "$tpid" && [[ "$(comm_of "$tpid")" == tini ]]; then
        wait_gone 5 "$tpid" || { kill -KILL "$tpid" 2>/dev/null || true; }
    fi
    rm -f "$PIDFILE" "$TINIPIDFILE"
}

case "$cmd" in
start)
    ((PEER == 0)) || die "$STATE is a peer's statedir: use start-peer"
    start
    ;;
start-peer) start ;;
kill-daemon)
    kill_daemon
    log "libvirtd stopped; its guests keep running"
    ;;
stop)
    stop_daemon
    log "stopped"
    ;;
uri) echo "$URI" ;;
status)
    if answers; then
        echo "running"
    else
        echo "not running"
        exit 1
    fi
    ;;
*) die "unknown command $cmd (start|start-peer|stop|kill-daemon|uri|status)" ;;
esac
