# shellcheck shell=bash disable=SC2034  # the variables are for the scripts sourcing this
# Shared by lab-up.sh, lab-down.sh and lab-status.sh (sourced, not run).
# The names and ids here are the lab's contract with the tests: lab.json repeats them.

# A failure inside $(...) must stop the script as it would outside.
shopt -s inherit_errexit

LAB_DIR=${CRIMON_LAB_DIR:-/tmp/crimon-lab}
LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_REPO=$(cd "$LAB_HERE/../.." && pwd)
# Outside the state dir, which lab-down removes while holding the lock.
LAB_LOCK=${LAB_DIR%/}.lock

CONTAINERD_SOCK=/run/containerd/containerd.sock
DOCKER_SOCK=/var/run/docker.sock

# How the lab runs its daemons. Without --containerd, dockerd would start a containerd of
# its own, and Docker's containers would not be in the containerd the lab (and crimon) see.
CONTAINERD_ARGV=(containerd --config "$LAB_DIR/containerd.toml")
DOCKERD_ARGV=(dockerd "--containerd=$CONTAINERD_SOCK" --iptables=false --bridge=none)

BUSYBOX_IMAGE=crimon-lab/busybox:1          # Docker's short name
BUSYBOX_REF=docker.io/crimon-lab/busybox:1  # the same image as containerd names it
PAUSE_IMAGE=registry.k8s.io/pause:3.6       # containerd 1.6's default sandbox_image
LAB_IMAGE_LABEL=io.crimon.lab               # marks images the lab built or imported
SLEEP_FOREVER=(sleep 2147483647)

PLAIN_NAME=lab-plain
DOCKER_SOCK_NAME=lab-docker-sock
# A container whose command line and label carry what a hostile workload could: a
# terminal-title change (OSC 0), a clear-screen (CSI 2J) and a bidi override. crimon must
# show them escaped and keep them whole in JSON.
HOSTILE_NAME=lab-hostile
HOSTILE_TITLE=$'\e]0;OWNED\a'
HOSTILE_CLEAR=$'\e[2J'
# U+202E as UTF-8 bytes: bash's $'\u…' writes the six characters literally under the C locale.
HOSTILE_BIDI=$'\xe2\x80\xaeevil'
SHIM_POD_UID=0b7f2c4e-1111-4a6b-9c1d-d0c5e11a0001
SHIM_SANDBOX_NAME=k8s_POD_web_default_${SHIM_POD_UID}_0
SHIM_APP_NAME=k8s_nginx_web_default_${SHIM_POD_UID}_0
CRI_POD_UID=0b7f2c4e-2222-4a6b-9c1d-d0c5e11a0002
OTHER_NS=lab-other
CTR_K8S_NAME=lab-ctr-k8s
CTR_OTHER_NAME=lab-other-box
CTR_V1_NAME=lab-v1-box

# Every Docker container the lab makes, in the order lab-down removes them (app before
# the sandbox whose namespaces it joined).
LAB_DOCKER_NAMES=("$PLAIN_NAME" "$DOCKER_SOCK_NAME" "$HOSTILE_NAME" "$SHIM_APP_NAME" "$SHIM_SANDBOX_NAME")
# Every container the lab makes with ctr, as namespace/name.
LAB_CTR_CONTAINERS=("k8s.io/$CTR_K8S_NAME" "$OTHER_NS/$CTR_OTHER_NAME" "$OTHER_NS/$CTR_V1_NAME")

log() { printf 'crimon-lab: %s\n' "$*" >&2; }
die() { printf 'crimon-lab: error: %s\n' "$*" >&2; exit 1; }

require_root() {
	[[ $(id -u) -eq 0 ]] || die "must run as root (containerd and dockerd sockets are root-only)"
}

# Debian's client speaks API 1.41 natively; a newer /usr/local/bin/docker also works by
# negotiating down, but its output formats drift, so the packaged one comes first.
pick_docker() {
	local candidate
	for candidate in /usr/bin/docker "$(command -v docker 2>/dev/null || true)"; do
		[[ -n $candidate && -x $candidate ]] && { DOCKER_CLI=$candidate; return 0; }
	done
	die "no docker client found (apt-get install docker.io)"
}

# Every call to a daemon is bounded: a wedged daemon must fail the lab, not hang CI.
ctr_() { timeout "${CTR_TIMEOUT:-60}" ctr --address "$CONTAINERD_SOCK" "$@"; }
docker_() { timeout "${DOCKER_TIMEOUT:-60}" "$DOCKER_CLI" -H "unix://$DOCKER_SOCK" "$@"; }

# ctr blocks for its whole dial timeout on a missing or dead socket; the -S test and a
# short --connect-timeout keep "not up yet" cheap, which startup polling relies on.
containerd_answers() {
	[[ -S $CONTAINERD_SOCK ]] && CTR_TIMEOUT=5 ctr_ --connect-timeout 1s version >/dev/null 2>&1
}
docker_answers() {
	[[ -S $DOCKER_SOCK ]] && DOCKER_TIMEOUT=5 docker_ version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# Alive and not a zombie: pid 1 on some sandboxes reaps orphans only now and then, and
# kill -0 succeeds on a zombie.
pid_running() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z && $state != X ]]
}

# The pid in a pid file the lab wrote, if that process is still the daemon named.
lab_daemon_pid() {
	local name=$1 file=$LAB_DIR/$1.pid pid
	[[ -r $file ]] || return 1
	pid=$(<"$file")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] && pid_running "$pid" || return 1
	printf '%s\n' "$pid"
}

# tsx from the project's node_modules; npx only as a fallback, never allowed to download.
cri_client() {
	local tsx=$LAB_REPO/node_modules/.bin/tsx
	if [[ -x $tsx ]]; then
		timeout 120 "$tsx" "$LAB_HERE/cri-lab-client.ts" "$@" --socket "$CONTAINERD_SOCK"
	else
		(cd "$LAB_REPO" && timeout 120 npx --no-install tsx "$LAB_HERE/cri-lab-client.ts" "$@" --socket "$CONTAINERD_SOCK")
	fi
}

# "RUNNING", "STOPPED", ... for a ctr task, empty when there is none.
ctr_task_status() {
	local ns=$1 name=$2
	ctr_ -n "$ns" task ls 2>/dev/null | awk -v n="$name" '$1 == n { print $3 }'
}

ctr_task_pid() {
	local ns=$1 name=$2
	ctr_ -n "$ns" task ls 2>/dev/null | awk -v n="$name" '$1 == n { print $2 }'
}

# start_daemon NAME SECONDS CHECK -- ARGV...: start ARGV detached unless CHECK already
# passes, then wait (bounded) until CHECK passes.
start_daemon() {
	local name=$1 wait_s=$2 check=$3 pid deadline
	shift 4
	if "$check"; then
		if lab_daemon_pid "$name" >/dev/null; then log "$name: already up (started by the lab)"; else log "$name: already up (not the lab's; reusing it)"; fi
		return 0
	fi
	if pid=$(lab_daemon_pid "$name"); then
		log "$name: the lab's pid $pid is alive but not answering yet; waiting for it"
	else
		log "$name: starting"
		# setsid: a Ctrl-C or a test runner killing its process group must not take the
		# daemon down with it; nohup for the hangup when the caller's terminal goes away.
		# 9>&-: the lab's lock is on fd 9, and a daemon (and every shim it forks) would
		# otherwise hold it for life, blocking the next lab-up.
		setsid nohup "$@" >>"$LAB_DIR/$name.log" 2>&1 </dev/null 9>&- &
		pid=$!
		echo "$pid" >"$LAB_DIR/$name.pid"
	fi
	deadline=$((SECONDS + wait_s))
	until "$check"; do
		if ! pid_running "$pid"; then
			tail -n 20 "$LAB_DIR/$name.log" >&2 || true
			rm -f "$LAB_DIR/$name.pid"
			die "$name exited during startup (log above, full log in $LAB_DIR/$name.log)"
		fi
		if ((SECONDS >= deadline)); then
			tail -n 20 "$LAB_DIR/$name.log" >&2 || true
			die "$name (pid $pid) did not answer within ${wait_s}s (log above, full log in $LAB_DIR/$name.log)"
		fi
		sleep 0.2
	done
	lab_daemon_pid "$name" >/dev/null || log "warning: pid file $LAB_DIR/$name.pid does not name a running $name; lab-down will not stop it"
}

write_containerd_config() {
	local config=$LAB_DIR/containerd.toml
	# This sandbox refuses negative oom_score_adj; without the restriction every CRI
	# sandbox fails with "can't get final child's PID from pipe".
	containerd config default | sed 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' >"$config.tmp"
	grep -q 'restrict_oom_score_adj = true' "$config.tmp" || die "containerd's default config has no restrict_oom_score_adj to turn on"
	mv "$config.tmp" "$config"
}

# A dockerd that died hard leaves /var/run/docker.pid behind, and the next one refuses to
# start while that pid exists - which it does for a while as an unreaped zombie here.
clear_stale_docker_pid() {
	local file=/var/run/docker.pid pid
	[[ -r $file ]] || return 0
	pid=$(<"$file")
	if [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then return 0; fi
	log "removing stale $file (pid $pid is no running dockerd)"
	rm -f "$file"
}

with_lab_lock() {
	# Tests may call lab-up from several workers at once; one lab at a time.
	# (Anything started to outlive the script must close fd 9, or it keeps the lock.)
	exec 9>"$LAB_LOCK"
	flock -w 180 9 || die "another lab-up/lab-down has held $LAB_LOCK for 3 minutes (fuser -v $LAB_LOCK shows who)"
}

# The v1 shim is meant to be a child of containerd (tests check it). A containerd restart
# orphans it to pid 1 even though the task keeps running, so "running" is not enough.
v1_shim_under_containerd() {
	local pid shim parent
	pid=$(ctr_task_pid "$OTHER_NS" "$CTR_V1_NAME")
	[[ -n $pid ]] || return 1
	shim=$(ps -o ppid= -p "$pid" | tr -d ' ')
	[[ -n $shim ]] || return 1
	parent=$(ps -o ppid= -p "$shim" | tr -d ' ')
	[[ -n $parent && $(cat "/proc/$parent/comm" 2>/dev/null) == containerd ]]
}
