#!/usr/bin/env bash
# Brings up the lab's second node: a process table of its own (pid namespace), its own
# containerd (own root, state, and a private /run so its socket is at the standard path)
# holding one CRI pod (k8s.io, one shim for the pod), and an sshd on 127.0.0.1 with its own
# host key and key-only logins: root (reads the sockets over stream-local forwarding),
# `crimon` (may sudo without a password: --sudo mode) and `nosudo` (may not).
# Idempotent. Writes $CRIMON_SSH_LAB_DIR/node.json for the tests.
#
#   sudo test/lab/ssh-node-up.sh     # state in ${CRIMON_SSH_LAB_DIR:-/tmp/crimon-ssh-lab}
set -euo pipefail
# shellcheck source=ssh-lab-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ssh-lab-common.sh"

[[ $(id -u) -eq 0 ]] || ssh_die "must run as root (namespaces, containerd, sshd)"
for tool in unshare nsenter containerd ctr runc /usr/sbin/sshd ssh-keygen sudo busybox node tar sha256sum flock setsid timeout; do
	command -v "$tool" >/dev/null || ssh_die "$tool is missing (apt-get install containerd runc openssh-server openssh-client sudo busybox-static)"
done
with_ssh_lab_lock
started_at=$SECONDS

ssh_answers() { timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_NODE_PORT && head -c 4 <&3" 2>/dev/null | grep -q '^SSH-'; }

if init_pid=$(ssh_node_init_pid) && [[ -f $SSH_LAB_DIR/ready && -f $SSH_LAB_DIR/node.json ]] && ssh_answers; then
	echo "crimon ssh node already up: 127.0.0.1:$SSH_NODE_PORT (node pid 1 is host pid $init_pid), $SSH_LAB_DIR/node.json"
	exit 0
fi

# Anything left from a node that died: its namespace is gone with its init, only files remain.
if init_pid=$(ssh_node_init_pid); then
	ssh_log "a previous node (pid $init_pid) is not healthy; replacing it"
	kill -KILL "$init_pid" 2>/dev/null || true
	sleep 0.5
fi
if [[ -d $SSH_LAB_DIR ]]; then
	[[ -f $SSH_LAB_DIR/.crimon-ssh-lab ]] || ssh_die "$SSH_LAB_DIR exists but is not a crimon ssh lab dir; refusing to reuse it"
	rm -rf "$SSH_LAB_DIR"
fi
mkdir -p "$SSH_LAB_DIR"/{keys,etc/sudoers.d,home,containerd}
touch "$SSH_LAB_DIR/.crimon-ssh-lab"
chmod 0755 "$SSH_LAB_DIR"

# ---- keys ----------------------------------------------------------------------------------
keys=$SSH_LAB_DIR/keys
ssh-keygen -q -t ed25519 -N '' -C crimon-node2-host -f "$keys/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C crimon-lab-client -f "$keys/client_ed25519"
# Authorized too, but passphrase-protected: crimon must name it, never prompt for it.
ssh-keygen -q -t ed25519 -N 'crimon-lab-passphrase' -C crimon-lab-encrypted -f "$keys/client_encrypted"
# Not authorized anywhere: the auth-failure case.
ssh-keygen -q -t ed25519 -N '' -C crimon-lab-stranger -f "$keys/stranger_ed25519"
cat "$keys/client_ed25519.pub" "$keys/client_encrypted.pub" >"$SSH_LAB_DIR/authorized_keys"
chmod 0644 "$SSH_LAB_DIR/authorized_keys"

# ---- the node's users ------------------------------------------------------------------------
etc=$SSH_LAB_DIR/etc
for user in "$SUDO_USER_NAME" "$NOSUDO_USER_NAME"; do
	if grep -q "^$user:" /etc/passwd; then ssh_die "a user $user already exists on this machine; the node's users must not shadow it"; fi
done
# root logs in to a home of the node's own with /bin/sh: this machine's root profile (pyenv
# and friends) would otherwise cost every command crimon runs there a tenth of a second.
mkdir -p "$SSH_LAB_DIR/home/root"
awk -F: -v OFS=: -v home="$SSH_LAB_DIR/home/root" '$1 == "root" { $6 = home; $7 = "/bin/sh" } { print }' /etc/passwd >"$etc/passwd"
cp /etc/group "$etc/group"
cp /etc/shadow "$etc/shadow"
# sudo looks its host's name up and warns on stderr when it cannot.
{ cat /etc/hosts; echo "127.0.1.1 $SSH_NODE_HOSTNAME"; } >"$etc/hosts"
{
	echo "$SUDO_USER_NAME:x:$SUDO_USER_UID:$SUDO_USER_UID:crimon lab sudoer:$SSH_LAB_DIR/home/$SUDO_USER_NAME:/bin/sh"
	echo "$NOSUDO_USER_NAME:x:$NOSUDO_USER_UID:$NOSUDO_USER_UID:crimon lab user:$SSH_LAB_DIR/home/$NOSUDO_USER_NAME:/bin/sh"
} >>"$etc/passwd"
{
	echo "$SUDO_USER_NAME:x:$SUDO_USER_UID:"
	echo "$NOSUDO_USER_NAME:x:$NOSUDO_USER_UID:"
} >>"$etc/group"
# `*`: no password, so `sudo -n` for nosudo can only be refused; not `!`, which sshd reads as locked.
{
	echo "$SUDO_USER_NAME:*:20000:0:99999:7:::"
	echo "$NOSUDO_USER_NAME:*:20000:0:99999:7:::"
} >>"$etc/shadow"
chmod 0644 "$etc/passwd" "$etc/group" "$etc/hosts"
chmod 0640 "$etc/shadow"
chown root:shadow "$etc/shadow" 2>/dev/null || true
for user in "$SUDO_USER_NAME" "$NOSUDO_USER_NAME"; do
	mkdir -p "$SSH_LAB_DIR/home/$user"
done
chown "$SUDO_USER_UID:$SUDO_USER_UID" "$SSH_LAB_DIR/home/$SUDO_USER_NAME"
chown "$NOSUDO_USER_UID:$NOSUDO_USER_UID" "$SSH_LAB_DIR/home/$NOSUDO_USER_NAME"
# The node's whole sudoers.d: the machine's own entries are not carried in.
echo "$SUDO_USER_NAME ALL=(ALL) NOPASSWD: ALL" >"$etc/sudoers.d/crimon-lab"
chmod 0750 "$etc/sudoers.d"
chmod 0440 "$etc/sudoers.d/crimon-lab"

# ---- sshd --------------------------------------------------------------------------------------
cat >"$SSH_LAB_DIR/sshd_config" <<EOF
Port $SSH_NODE_PORT
ListenAddress 127.0.0.1
HostKey $keys/host_ed25519
PidFile none
AuthorizedKeysFile $SSH_LAB_DIR/authorized_keys
# The lab dir lives under /tmp, which StrictModes would reject as world-writable.
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
# crimon reads node files (the kubelet's flags and config) over SFTP, never with cat.
Subsystem sftp internal-sftp
MaxSessions 10
LogLevel INFO
EOF

# ---- containerd -----------------------------------------------------------------------------
containerd config default |
	sed -e "s#^root = .*#root = \"$SSH_LAB_DIR/containerd/root\"#" \
		-e "s#^state = .*#state = \"$SSH_LAB_DIR/containerd/state\"#" \
		-e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' >"$SSH_LAB_DIR/containerd.toml"
grep -q 'restrict_oom_score_adj = true' "$SSH_LAB_DIR/containerd.toml" || ssh_die "containerd's default config has no restrict_oom_score_adj to turn on"
grep -q "^root = \"$SSH_LAB_DIR/containerd/root\"" "$SSH_LAB_DIR/containerd.toml" || ssh_die "could not point the node's containerd at its own root"

# ---- images, built offline as a docker-archive (the node has no Docker) ------------------------
build_images() {
	local work=$SSH_LAB_DIR/image-build root layer_sha config_sha bb_config pause_config
	root=$work/rootfs
	mkdir -p "$root"/{bin,etc,proc,sys,dev,tmp} "$work/archive/layer"
	if ldd "$(command -v busybox)" >/dev/null 2>&1; then ssh_die "busybox is dynamically linked; install busybox-static"; fi
	cp "$(command -v busybox)" "$root/bin/busybox"
	for applet in sh sleep ls cat ps echo; do ln -s busybox "$root/bin/$applet"; done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	tar --numeric-owner --sort=name --mtime=@0 -C "$root" -cf "$work/archive/layer/layer.tar" .
	layer_sha=$(sha256sum "$work/archive/layer/layer.tar" | cut -d' ' -f1)
	image_config() { # CONFIG_JSON_FRAGMENT
		printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$1" "$layer_sha"
	}
	bb_config=$(image_config '"Cmd":["/bin/sh"]')
	pause_config=$(image_config '"Entrypoint":["/bin/sleep","2147483647"]')
	config_sha=$(printf '%s' "$bb_config" | sha256sum | cut -d' ' -f1)
	printf '%s' "$bb_config" >"$work/archive/$config_sha.json"
	local pause_sha
	pause_sha=$(printf '%s' "$pause_config" | sha256sum | cut -d' ' -f1)
	printf '%s' "$pause_config" >"$work/archive/$pause_sha.json"
	printf '[{"Config":"%s.json","RepoTags":["crimon-lab/busybox:1"],"Layers":["layer/layer.tar"]},{"Config":"%s.json","RepoTags":["registry.k8s.io/pause:3.6"],"Layers":["layer/layer.tar"]}]' \
		"$config_sha" "$pause_sha" >"$work/archive/manifest.json"
	tar -C "$work/archive" -cf "$SSH_LAB_DIR/images.tar" .
	rm -rf "$work"
}
build_images

# ---- the client side: known_hosts and an ssh_config naming the node -------------------------------
host_key=$(cut -d' ' -f1,2 "$keys/host_ed25519.pub")
echo "[127.0.0.1]:$SSH_NODE_PORT $host_key" >"$SSH_LAB_DIR/known_hosts"
cat >"$SSH_LAB_DIR/ssh_config" <<EOF
Host crimon-node2
	HostName 127.0.0.1
	Port $SSH_NODE_PORT
	User root
	IdentityFile $keys/client_ed25519
	UserKnownHostsFile $SSH_LAB_DIR/known_hosts
	IdentitiesOnly yes
EOF

# ---- the node ---------------------------------------------------------------------------------
ssh_log "starting the node (pid, mount and UTS namespaces)"
# 8>&-: the node must not inherit the lab lock, or it would hold it for its whole life.
setsid nohup unshare --pid --mount --uts --fork --mount-proc --propagation private \
	bash "$SSH_LAB_HERE/ssh-node-init.sh" >>"$SSH_LAB_DIR/node.log" 2>&1 </dev/null 8>&- &
launcher_pid=$!
echo "$launcher_pid" >"$SSH_LAB_DIR/unshare.pid"

deadline=$((SECONDS + 180))
until [[ -f $SSH_LAB_DIR/ready ]]; do
	# setsid and nohup exec in place, so this pid becomes unshare's.
	if [[ -f $SSH_LAB_DIR/failed ]] || ! kill -0 "$launcher_pid" 2>/dev/null; then
		tail -n 20 "$SSH_LAB_DIR/node.log" >&2 || true
		ssh_die "the node did not come up: $(cat "$SSH_LAB_DIR/failed" 2>/dev/null || echo 'its init exited') (logs in $SSH_LAB_DIR)"
	fi
	((SECONDS < deadline)) || ssh_die "the node was not ready within 180s (logs in $SSH_LAB_DIR)"
	sleep 0.3
done
until ssh_answers; do
	((SECONDS < deadline)) || ssh_die "the node's sshd does not answer on 127.0.0.1:$SSH_NODE_PORT (see $SSH_LAB_DIR/sshd.log)"
	sleep 0.2
done

init_pid=$(ssh_node_init_pid) || ssh_die "the node's init vanished"
in_node() { nsenter --target "$init_pid" --mount --uts --pid -- "$@"; }
containerd_version=$(in_node ctr version | awk '/^Server:/ { s = 1 } s && $1 == "Version:" { print $2; exit }')

# Values reach node through the environment, never spliced into its source.
SSH_LAB_DIR=$SSH_LAB_DIR PORT=$SSH_NODE_PORT INIT_PID=$init_pid HOSTNAME_=$SSH_NODE_HOSTNAME \
	SUDO_USER_=$SUDO_USER_NAME NOSUDO_USER_=$NOSUDO_USER_NAME CONTAINERD_VERSION=$containerd_version \
	node - "$SSH_LAB_DIR/node.json.tmp" <<'EOF'
const fs = require('node:fs');
const env = process.env;
const dir = env.SSH_LAB_DIR;
const cri = JSON.parse(fs.readFileSync(`${dir}/cri.json`, 'utf8'));
const node = {
	schema: 'crimon.ssh-lab/v1',
	host: '127.0.0.1',
	port: Number(env.PORT),
	alias: 'crimon-node2',
	hostname: env.HOSTNAME_,
	initPid: Number(env.INIT_PID),
	users: {root: 'root', sudo: env.SUDO_USER_, nosudo: env.NOSUDO_USER_},
	keys: {
		client: `${dir}/keys/client_ed25519`,
		encrypted: `${dir}/keys/client_encrypted`,
		stranger: `${dir}/keys/stranger_ed25519`,
		hostPublic: `${dir}/keys/host_ed25519.pub`,
	},
	knownHosts: `${dir}/known_hosts`,
	sshConfig: `${dir}/ssh_config`,
	containerd: {version: env.CONTAINERD_VERSION, socket: '/run/containerd/containerd.sock'},
	cri,
};
fs.writeFileSync(process.argv[2], JSON.stringify(node, null, 2) + '\n');
EOF
mv "$SSH_LAB_DIR/node.json.tmp" "$SSH_LAB_DIR/node.json"

echo "crimon ssh node up in $((SECONDS - started_at))s: sshd 127.0.0.1:$SSH_NODE_PORT, containerd $containerd_version, node pid 1 is host pid $init_pid, $SSH_LAB_DIR/node.json"
