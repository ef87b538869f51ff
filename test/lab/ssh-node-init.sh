#!/usr/bin/env bash
# pid 1 of the second lab node, run by ssh-node-up.sh under
#   unshare --pid --mount --uts --fork --mount-proc
# Everything it mounts stays in the node's private mount namespace, and everything it
# starts dies with it when ssh-node-down.sh kills this process.
set -euo pipefail
# shellcheck source=ssh-lab-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ssh-lab-common.sh"

fail() {
	echo "$*" >"$SSH_LAB_DIR/failed"
	ssh_die "$*"
}
trap 'fail "node init failed at line $LINENO"' ERR

hostname "$SSH_NODE_HOSTNAME"

# A /run of its own: the node's containerd socket sits at the standard path, as on a real
# node, and the main lab's docker.sock and containerd.sock are not visible in here.
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/containerd /run/sshd /run/lock
chmod 0755 /run/sshd

# The node's own users (a sudoer and a non-sudoer) without touching the machine's files.
for file in passwd group shadow hosts; do mount --bind "$SSH_LAB_DIR/etc/$file" "/etc/$file"; done
mount --bind "$SSH_LAB_DIR/etc/sudoers.d" /etc/sudoers.d

containerd --config "$SSH_LAB_DIR/containerd.toml" >>"$SSH_LAB_DIR/containerd.log" 2>&1 &
deadline=$((SECONDS + 30))
until timeout 5 ctr version >/dev/null 2>&1; do
	((SECONDS < deadline)) || fail "the node's containerd did not answer within 30s (see $SSH_LAB_DIR/containerd.log)"
	sleep 0.2
done

timeout 60 ctr -n k8s.io images import "$SSH_LAB_DIR/images.tar" >/dev/null

/usr/sbin/sshd -D -e -f "$SSH_LAB_DIR/sshd_config" >>"$SSH_LAB_DIR/sshd.log" 2>&1 &

tsx=$SSH_LAB_REPO/node_modules/.bin/tsx
[[ -x $tsx ]] || fail "no $tsx: run npm ci first"
timeout 120 "$tsx" "$SSH_LAB_REPO/test/lab/cri-lab-client.ts" up --socket /run/containerd/containerd.sock >"$SSH_LAB_DIR/cri.json" \
	|| fail "the CRI pod could not be made in the node (see $SSH_LAB_DIR/containerd.log)"

touch "$SSH_LAB_DIR/ready"
trap - ERR
set +e
# Stay pid 1: the node lives as long as this shell, which also reaps re-parented orphans.
while :; do
	sleep 3600 &
	wait $!
done
