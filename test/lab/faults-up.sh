#!/usr/bin/env bash
# Makes, for real, each runtime fault crimon's health findings name - on objects of its own,
# never on the lab's or anyone else's:
#   - two private containerds (own config, root, state and socket under $FAULTS_RUN), each
#     with the lab's busybox image in namespace $FAULTS_NS;
#   - "leak": a shim leaked as in containerd#6771 (its containerd stopped with SIGTERM, the
#     task's init killed, containerd started again: the task is STOPPED, the shim stays),
#     and a container whose init leaves a zombie;
#   - "orphan": a container whose containerd was then killed: its shim reports to a socket
#     nobody answers;
#   - in the shared dockerd, labelled $FAULTS_LABEL: a restart loop, and a container whose
#     child the kernel OOM-kills every few seconds while its init lives.
# Writes $FAULTS_RUN/faults.json for the tests; test/lab/faults-down.sh removes it all.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=faults-common.sh
source "$HERE/faults-common.sh"

require_root
pick_docker
docker_ image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1 || die "the lab's image $BUSYBOX_IMAGE is missing: run test/lab/lab-up.sh first"

# Whatever an earlier run left behind goes first.
bash "$HERE/faults-down.sh" >/dev/null 2>&1 || true
mkdir -p "$FAULTS_RUN" "$FAULTS_ROOT"
touch "$FAULTS_RUN/.crimon-faults"

save_image() {
	[[ -s $FAULTS_RUN/busybox.tar ]] || docker_ save "$BUSYBOX_IMAGE" -o "$FAULTS_RUN/busybox.tar"
}
save_image

# ---- leak: a shim leaked as in containerd#6771, and a container that leaves a zombie ----
start_private leak
import_image leak
fctr leak run -d --label "$FAULTS_LABEL=1" "$BUSYBOX_REF" "$LEAK_ID" "${SLEEP_FOREVER[@]}"
fctr leak run -d --label "$FAULTS_LABEL=1" "$BUSYBOX_REF" "$ZOMBIE_ID" sh -c 'sleep 1 & exec sleep 1000000'
leak_init=$(task_pid leak "$LEAK_ID")
zombie_init=$(task_pid leak "$ZOMBIE_ID")
leak_shim=$(ppid_of "$leak_init")
stop_private leak TERM
kill -9 "$leak_init"
for _ in $(seq 1 50); do pid_running "$leak_init" || break; sleep 0.1; done
start_private leak
for _ in $(seq 1 50); do [[ $(task_status leak "$LEAK_ID") == STOPPED ]] && break; sleep 0.2; done
[[ $(task_status leak "$LEAK_ID") == STOPPED ]] || die "the leaked task is $(task_status leak "$LEAK_ID"), not STOPPED"
pid_running "$leak_shim" || die "the shim of $LEAK_ID (pid $leak_shim) did not survive: no leak"
# The zombie appears once the background sleep ends.
for _ in $(seq 1 50); do [[ -n $(zombies_under "$zombie_init") ]] && break; sleep 0.1; done
[[ -n $(zombies_under "$zombie_init") ]] || die "no zombie under $ZOMBIE_ID's init $zombie_init"
zombie_shim=$(ppid_of "$zombie_init")

# ---- orphan: a shim whose containerd is gone ------------------------------------------
start_private orphan
import_image orphan
fctr orphan run -d --label "$FAULTS_LABEL=1" "$BUSYBOX_REF" "$ORPHAN_ID" "${SLEEP_FOREVER[@]}"
orphan_init=$(task_pid orphan "$ORPHAN_ID")
orphan_shim=$(ppid_of "$orphan_init")
stop_private orphan KILL
pid_running "$orphan_shim" || die "the shim of $ORPHAN_ID did not outlive its containerd"

# ---- Docker: a restart loop, and OOM kills in a live container -------------------------
restart_id=$(docker_ run -d --name "$RESTART_NAME" --label "$FAULTS_LABEL=1" --restart always "$BUSYBOX_IMAGE" sh -c 'sleep 2; exit 3')
oom_id=$(docker_ run -d --name "$OOM_NAME" --label "$FAULTS_LABEL=1" --memory 24m --memory-swap 24m "$BUSYBOX_IMAGE" \
	sh -c 'while :; do sh -c "x=aaaa; while :; do x=\$x\$x; done"; sleep 5; done')

cat >"$FAULTS_RUN/faults.json" <<EOF
{
  "schema": "crimon.faults/v1",
  "namespace": "$FAULTS_NS",
  "label": "$FAULTS_LABEL",
  "leak": {"socket": "$(socket_of leak)", "id": "$LEAK_ID", "shimPid": $leak_shim, "killedInit": $leak_init,
           "zombieId": "$ZOMBIE_ID", "zombieInit": $zombie_init, "zombieShim": $zombie_shim},
  "orphan": {"socket": "$(socket_of orphan)", "id": "$ORPHAN_ID", "shimPid": $orphan_shim, "init": $orphan_init},
  "docker": {"restart": {"name": "$RESTART_NAME", "id": "$restart_id"}, "oom": {"name": "$OOM_NAME", "id": "$oom_id"}}
}
EOF
log "faults up: leaked shim $leak_shim, zombie under $zombie_init, orphaned shim $orphan_shim, restart loop ${restart_id:0:12}, OOM ${oom_id:0:12}"
echo "$FAULTS_RUN/faults.json"
