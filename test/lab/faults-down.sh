#!/usr/bin/env bash
# Removes what faults-up.sh made, and nothing else: the Docker containers labelled
# $FAULTS_LABEL, the private containerds' tasks, containers, processes and mounts, and
# their directories. Safe to run when nothing is up.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=faults-common.sh
source "$HERE/faults-common.sh"
set +e
require_root
pick_docker

ids=$(docker_ ps -aq --filter "label=$FAULTS_LABEL" 2>/dev/null)
[[ -n $ids ]] && docker_ rm -f $ids >/dev/null

# A private containerd is started again (if it is gone) so that ctr removes its tasks the
# proper way; whatever still runs afterwards is killed by the pids the run recorded.
for name in leak orphan; do
	dir=$FAULTS_RUN/$name
	[[ -e $dir/containerd.toml ]] || continue
	private_answers "$name" || start_private "$name" 2>/dev/null
	if private_answers "$name"; then
		for id in $(fctr "$name" containers ls -q 2>/dev/null); do
			fctr "$name" tasks kill -s KILL "$id" >/dev/null 2>&1
			for _ in $(seq 1 20); do [[ $(task_status "$name" "$id") == RUNNING ]] || break; sleep 0.1; done
			fctr "$name" tasks rm -f "$id" >/dev/null 2>&1
			fctr "$name" containers rm "$id" >/dev/null 2>&1
		done
	fi
	stop_private "$name" TERM
done

# Shims still serving a faults socket (the containerd could not be asked) and their children.
for pid in $(pgrep -f -- "-address $FAULTS_RUN/"); do
	for child in $(pgrep -P "$pid"); do kill -9 "$child" 2>/dev/null; done
	kill -9 "$pid" 2>/dev/null
done

# Mounts left under the faults' dirs (rootfs overlays), deepest first.
for dir in "$FAULTS_RUN" "$FAULTS_ROOT"; do
	awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
done
[[ -e $FAULTS_RUN/.crimon-faults || ! -e $FAULTS_RUN ]] && rm -rf "$FAULTS_RUN"
rm -rf "$FAULTS_ROOT"
exit 0
