#!/usr/bin/env bash
# Stops the lab VM vm-up.sh booted (its qemu, by the pid in its pid file, nothing else) and
# removes its state dir. The cached image in $CRIMON_VM_CACHE stays.
#
#   sudo test/lab/vm-down.sh
set -euo pipefail
# shellcheck source=vm-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/vm-common.sh"

vm_require_root
[[ -d $VM_DIR ]] || { echo "crimon VM: nothing to stop ($VM_DIR is absent)"; exit 0; }
with_vm_lock
if pid=$(vm_qemu_pid); then
	kill "$pid"
	for _ in $(seq 1 50); do [[ -d /proc/$pid ]] || break; sleep 0.2; done
	[[ ! -d /proc/$pid ]] || kill -KILL "$pid" 2>/dev/null || true
	vm_log "stopped qemu (pid $pid)"
fi
rm -rf "$VM_DIR"
echo "crimon VM down"
