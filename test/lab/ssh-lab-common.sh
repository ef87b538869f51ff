# Shared by ssh-node-up.sh and ssh-node-down.sh (sourced, not run).
# The second lab node: its own pid, mount and UTS namespaces, its own containerd (own root,
# state and socket), and an sshd on a loopback port. Nothing in it touches the main lab's
# containerd, dockerd or state dir, and lab-down.sh never removes it.

SSH_LAB_DIR=${CRIMON_SSH_LAB_DIR:-/tmp/crimon-ssh-lab}
SSH_LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SSH_LAB_REPO=$(cd "$SSH_LAB_HERE/../.." && pwd)
SSH_LAB_LOCK=${SSH_LAB_DIR%/}.lock
SSH_NODE_PORT=${CRIMON_SSH_NODE_PORT:-42022}
SSH_NODE_HOSTNAME=crimon-node2
# Login users inside the node only: the node bind-mounts its own passwd, shadow and sudoers.
SUDO_USER_NAME=crimon
SUDO_USER_UID=42001
NOSUDO_USER_NAME=nosudo
NOSUDO_USER_UID=42002

ssh_log() { printf 'crimon-ssh-lab: %s\n' "$*" >&2; }
ssh_die() { printf 'crimon-ssh-lab: error: %s\n' "$*" >&2; exit 1; }

# The host pid of the unshare process that holds the node, if it is still that process.
ssh_node_unshare_pid() {
	local file=$SSH_LAB_DIR/unshare.pid pid
	[[ -r $file ]] || return 1
	pid=$(<"$file")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ $(cat "/proc/$pid/comm" 2>/dev/null) == unshare ]] || return 1
	printf '%s\n' "$pid"
}

# The host pid of the node's pid 1: the only child of that unshare.
ssh_node_init_pid() {
	local unshare_pid child
	unshare_pid=$(ssh_node_unshare_pid) || return 1
	child=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null) || return 1
	child=${child%% *}
	[[ $child =~ ^[0-9]+$ ]] || return 1
	printf '%s\n' "$child"
}

with_ssh_lab_lock() {
	exec 8>"$SSH_LAB_LOCK"
	flock -w 300 8 || ssh_die "another ssh-node-up/down holds $SSH_LAB_LOCK for over 5 minutes"
}
