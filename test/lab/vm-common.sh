# shellcheck shell=bash disable=SC2034  # the variables are for the scripts sourcing this
# Shared by vm-build.sh, vm-up.sh and vm-down.sh (sourced, not run): where the VM's image is
# cached, where a booted VM keeps its state, and the names of the lab's objects in the guest.

shopt -s inherit_errexit

VM_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_REPO=$(cd "$VM_HERE/../.." && pwd)
# The image is cached where a machine keeps files between runs, keyed by the build's hash.
VM_CACHE=${CRIMON_VM_CACHE:-/var/cache/crimon-vm}
# A booted VM's state: its disk copy, pid file, console log, lab HOME, vm.json and lab.json.
VM_DIR=${CRIMON_VM_DIR:-/tmp/crimon-vm}
VM_LOCK=${VM_DIR%/}.lock
VM_PORT=${CRIMON_VM_PORT:-10222}
VM_ALIAS=crimon-vm
VM_MIRROR=${CRIMON_VM_MIRROR:-http://deb.debian.org/debian}

# Everything a built image holds is decided in vm-build.sh: change it and the next build is new.
vm_build_hash() {
	sha256sum <"$VM_HERE/vm-build.sh" | cut -c1-16
}
vm_image_dir() { printf '%s/%s' "$VM_CACHE" "$(vm_build_hash)"; }

# The lab's objects inside the guest (lab.json repeats them for the suites).
VM_BUSYBOX_IMAGE=crimon-vm/busybox:1
VM_BUSYBOX_REF=docker.io/crimon-vm/busybox:1
VM_CTR_NS=crimon-vm
VM_DOCKER_NAME=vm-docker-box
VM_CTR_NAME=vm-ctr-box
VM_PODMAN_NAME=vm-podman-box
VM_OOM_NAME=vm-oom-loop
VM_CPU_NAME=vm-cpu-half
VM_LAB_LABEL=io.crimon.vm-lab

vm_log() { printf 'crimon-vm: %s\n' "$*" >&2; }
vm_die() { printf 'crimon-vm: error: %s\n' "$*" >&2; exit 1; }

vm_require_root() {
	[[ $(id -u) -eq 0 ]] || vm_die "must run as root (debootstrap, qemu's image, the lab HOME)"
}

# One lock for build, up and down: two of them at once would race on the same files.
with_vm_lock() {
	exec {VM_LOCK_FD}>"$VM_LOCK"
	flock -w 1800 "$VM_LOCK_FD" || vm_die "another vm-*.sh holds $VM_LOCK"
}

# ssh into a booted VM with the lab HOME's config (key, known_hosts, BatchMode).
vm_ssh() {
	HOME="$VM_DIR/home" ssh -F "$VM_DIR/home/.ssh/config" "$VM_ALIAS" "$@"
}

vm_qemu_pid() {
	local pid
	[[ -f $VM_DIR/qemu.pid ]] || return 1
	pid=$(<"$VM_DIR/qemu.pid")
	[[ -n $pid && -d /proc/$pid ]] || return 1
	grep -q qemu-system "/proc/$pid/cmdline" 2>/dev/null || return 1
	printf '%s' "$pid"
}
