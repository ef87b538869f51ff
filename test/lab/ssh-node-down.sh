#!/usr/bin/env bash
# Ends the second lab node: killing its pid 1 ends every process in its pid namespace
# (containerd, shims, the pod, sshd), and its mounts go with its mount namespace. Then its
# state dir is removed. Safe to run when the node is not up.
set -euo pipefail
# shellcheck source=ssh-lab-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ssh-lab-common.sh"

[[ $(id -u) -eq 0 ]] || ssh_die "must run as root"
with_ssh_lab_lock

if init_pid=$(ssh_node_init_pid); then
	unshare_pid=$(ssh_node_unshare_pid || true)
	ssh_log "stopping the node (host pid $init_pid)"
	kill -KILL "$init_pid" 2>/dev/null || true
	for _ in $(seq 50); do
		[[ -d /proc/$init_pid ]] || break
		sleep 0.1
	done
	[[ -z ${unshare_pid:-} ]] || wait "$unshare_pid" 2>/dev/null || true
fi
if [[ -d $SSH_LAB_DIR ]]; then
	[[ -f $SSH_LAB_DIR/.crimon-ssh-lab ]] || ssh_die "$SSH_LAB_DIR is not a crimon ssh lab dir; not removing it"
	rm -rf "$SSH_LAB_DIR"
fi
echo "crimon ssh node down"
