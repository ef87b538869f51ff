#!/usr/bin/env bash
# Records the VM node's raw, real output (what crimon reads from a cgroup v2 node with
# containerd 2.x, Docker 28 and podman under conmon) into $CRIMON_VM_DIR/recordings/, in one
# ssh round trip: a guest script writes the files and streams them back as a tar. Then the
# gRPC answers and event envelopes are recorded over SSH by vm-record-api.ts. Touches
# recordings/DONE at the end. Needs vm-up.sh's lab.json (the lab objects' pids and ids).
#
#   sudo test/lab/vm-record.sh [DIR]     # default $CRIMON_VM_DIR/recordings
set -euo pipefail
# shellcheck source=vm-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/vm-common.sh"

vm_require_root
[[ -f $VM_DIR/lab.json && -f $VM_DIR/vm.json ]] || vm_die "no $VM_DIR/lab.json: run test/lab/vm-up.sh first"
out=${1:-$VM_DIR/recordings}
mkdir -p "$out"
rm -f "$out/DONE"
started=$SECONDS

# What the guest script needs of lab.json, as fixed words: kind, pid, container id.
targets=$(node -e '
const lab = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
const rows = [
	["docker-box", lab.docker.box.pid, lab.docker.box.id],
	["docker-oom", lab.docker.oom.pid, lab.docker.oom.id],
	["docker-cpu", lab.docker.cpu.pid, lab.docker.cpu.id],
	["containerd-box", lab.containerd.box.pid, lab.containerd.box.id],
	["podman-box", lab.podman.box.pid, lab.podman.box.id],
	["conmon", lab.podman.box.conmonPid, lab.podman.box.id],
];
for (const [kind, pid, id] of rows) {
	if (!/^[a-z-]+$/.test(kind) || !Number.isInteger(pid) || !/^[\w.-]+$/.test(id)) throw new Error(`bad lab.json row ${kind}`);
	console.log(`${kind} ${pid} ${id}`);
}' "$VM_DIR/lab.json")

# shellcheck disable=SC2016  # the script is expanded in the guest
guest_script='
set -euo pipefail
out=$(mktemp -d)
cd "$out"
# Exactly the argv crimon'"'"'s collector runs over SSH (source/collect/parse-processes.ts PS_ARGV).
ps -eo pid=,ppid=,user:64=,stat=,cputime=,rss=,args= -ww >ps.txt
cat /proc/self/mountinfo >proc-self-mountinfo.txt
cat /proc/meminfo >proc-meminfo.txt
head -n 1 /proc/stat >proc-stat-cpu.txt
mkdir -p proc-pressure
for f in cpu memory io irq; do cat "/proc/pressure/$f" >"proc-pressure/$f" 2>/dev/null || true; done
cat /sys/fs/cgroup/cgroup.controllers >cgroup-controllers.txt
# The OOM loop: wait (up to a minute) for its first kill, so memory.events shows one.
oom_pid=$(awk '"'"'$1 == "docker-oom" {print $2}'"'"' <<<"$TARGETS")
oom_dir=/sys/fs/cgroup$(awk -F: '"'"'$1 == "0" {print $3}'"'"' "/proc/$oom_pid/cgroup")
for _ in $(seq 1 60); do
	[[ $(awk '"'"'$1 == "oom_kill" {print $2}'"'"' "$oom_dir/memory.events") -gt 0 ]] && break
	sleep 1
done
while read -r kind pid id; do
	mkdir -p "$kind/cgroup"
	cat "/proc/$pid/cgroup" >"$kind/proc-cgroup.txt"
	tr "\0" "\n" <"/proc/$pid/cmdline" >"$kind/cmdline.txt"
	cat "/proc/$pid/stat" >"$kind/proc-stat.txt"
	cat "/proc/$pid/io" >"$kind/proc-io.txt" 2>/dev/null || true
	cat "/proc/$pid/net/dev" >"$kind/proc-net-dev.txt"
	dir=/sys/fs/cgroup$(awk -F: '"'"'$1 == "0" {print $3}'"'"' "/proc/$pid/cgroup")
	echo "$dir" >"$kind/cgroup-dir.txt"
	for f in cgroup.controllers cpu.stat cpu.max cpu.weight memory.current memory.stat memory.max memory.peak memory.swap.current memory.swap.max memory.events memory.events.local pids.current pids.max io.stat cpu.pressure memory.pressure io.pressure; do
		cat "$dir/$f" >"$kind/cgroup/$f" 2>/dev/null || true
	done
done <<<"$TARGETS"
# conmon'"'"'s command line as ps shows it too, NUL-separated as /proc has it.
conmon_pid=$(awk '"'"'$1 == "conmon" {print $2}'"'"' <<<"$TARGETS")
cat "/proc/$conmon_pid/cmdline" >conmon/cmdline.raw

api=$(docker version -f "{{.Server.APIVersion}}")
get() { curl -sS --fail-with-body --max-time 60 --unix-socket "$1" "http://localhost$2"; }
mkdir -p docker podman/compat podman/libpod
get /var/run/docker.sock /version >docker/version.json
get /var/run/docker.sock /info >docker/info.json
get /var/run/docker.sock "/v$api/containers/json?all=1" >docker/containers-json.json
while read -r kind pid id; do
	case $kind in docker-*) get /var/run/docker.sock "/v$api/containers/$id/json" >"docker/containers-$kind.json" ;; esac
done <<<"$TARGETS"
podman_id=$(awk '"'"'$1 == "podman-box" {print $3}'"'"' <<<"$TARGETS")
pod=/run/podman/podman.sock
get "$pod" /v1.41/version >podman/compat/version.json
get "$pod" "/v1.41/containers/json?all=1" >podman/compat/containers-json.json
get "$pod" "/v1.41/containers/$podman_id/json" >podman/compat/containers-podman-box.json
get "$pod" /v5.0.0/libpod/version >podman/libpod/version.json
get "$pod" "/v5.0.0/libpod/containers/json?all=true" >podman/libpod/containers-json.json
get "$pod" "/v5.0.0/libpod/containers/$podman_id/json" >podman/libpod/containers-podman-box.json
mkdir -p containerd
ctr version >containerd/ctr-version.txt
containerd config dump >containerd/config-dump.toml 2>/dev/null || true
ctr plugins ls >containerd/plugins.txt
ls -la /run/containerd /var/run/docker.sock /run/podman >sockets.txt 2>&1 || true
tar -cf - .
cd /
rm -rf "$out"
'
vm_ssh "TARGETS='$targets' bash -c $(printf '%q' "$guest_script")" | tar -C "$out" -xf - ||
	vm_die "recording in the guest failed (see above)"
vm_log "raw files recorded in $((SECONDS - started))s"

# The gRPC answers and the event envelopes, over SSH the way crimon reads them.
(cd "$VM_REPO" && npx tsx test/lab/vm-record-api.ts "$out")
touch "$out/DONE"
vm_log "recordings in $out ($((SECONDS - started))s)"
