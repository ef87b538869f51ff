# shellcheck shell=bash disable=SC2034
# Shared by faults-up.sh and faults-down.sh (sourced). Everything here is the faults' own:
# private containerds under $FAULTS_RUN, Docker containers labelled $FAULTS_LABEL.
# shellcheck source=lab-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-common.sh"

FAULTS_RUN=${CRIMON_FAULTS_DIR:-/run/crimon-faults}
FAULTS_ROOT=${CRIMON_FAULTS_ROOT:-/var/lib/crimon-faults}
FAULTS_NS=crimon-faults
FAULTS_LABEL=io.crimon.faults
LEAK_ID=faults-leaked
ZOMBIE_ID=faults-zombie
ORPHAN_ID=faults-orphan
RESTART_NAME=crimon-faults-restart
OOM_NAME=crimon-faults-oom

socket_of() { echo "$FAULTS_RUN/$1/containerd.sock"; }
fctr() {
	local name=$1
	shift
	timeout 60 ctr --address "$(socket_of "$name")" -n "$FAULTS_NS" "$@"
}

write_private_config() {
	local name=$1 dir=$FAULTS_RUN/$1
	mkdir -p "$dir" "$FAULTS_ROOT/$name"
	# As the lab's: this sandbox refuses negative oom_score_adj. No CRI plugin: these
	# containerds serve ctr only, and must not compete with the lab's CRI.
	containerd config default |
		sed -e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' \
			-e "s|^disabled_plugins = \[\]|disabled_plugins = [\"io.containerd.grpc.v1.cri\"]|" \
			-e "s|^root = .*|root = \"$FAULTS_ROOT/$name\"|" \
			-e "s|^state = .*|state = \"$dir/state\"|" \
			-e "s|^  address = \"/run/containerd/containerd.sock\"|  address = \"$dir/containerd.sock\"|" >"$dir/containerd.toml"
	grep -q "address = \"$dir/containerd.sock\"" "$dir/containerd.toml" || die "could not point $name's containerd config at its own socket"
}

private_answers() { timeout 5 ctr --address "$(socket_of "$1")" version >/dev/null 2>&1; }

start_private() {
	local name=$1 dir=$FAULTS_RUN/$1 pid
	[[ -e $dir/containerd.toml ]] || write_private_config "$name"
	# --address on the command line too, so the process says which socket it serves.
	setsid containerd --config "$dir/containerd.toml" --address "$dir/containerd.sock" </dev/null >>"$dir/containerd.log" 2>&1 9>&- &
	pid=$!
	disown "$pid"
	echo "$pid" >"$dir/containerd.pid"
	for _ in $(seq 1 100); do
		private_answers "$name" && return 0
		pid_running "$pid" || die "$name's containerd exited (see $dir/containerd.log)"
		sleep 0.1
	done
	die "$name's containerd did not answer within 10 s (see $dir/containerd.log)"
}

stop_private() {
	local name=$1 signal=${2:-TERM} file=$FAULTS_RUN/$1/containerd.pid pid
	[[ -r $file ]] || return 0
	pid=$(<"$file")
	if [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == containerd ]]; then
		kill "-$signal" "$pid"
		for _ in $(seq 1 100); do pid_running "$pid" || break; sleep 0.1; done
	fi
	rm -f "$file"
}

import_image() { fctr "$1" images import --all-platforms "$FAULTS_RUN/busybox.tar" >/dev/null; }
task_status() { fctr "$1" tasks ls 2>/dev/null | awk -v id="$2" '$1 == id {print $3}'; }
task_pid() { fctr "$1" tasks ls | awk -v id="$2" '$1 == id {print $2}'; }
ppid_of() { awk '{print $4}' "/proc/$1/stat"; }
zombies_under() { ps -o pid=,stat= --ppid "$1" | awk '$2 ~ /^Z/ {print $1}'; }
