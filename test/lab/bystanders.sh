#!/usr/bin/env bash
# Containers that are not the lab's, as on any machine that already runs other workloads:
# the lab tests must hold beside them, asserting on the lab's own containers by their ids
# and labels, never on counts of the whole machine. lab-up.sh starts them, lab-down.sh
# removes them; by hand:
#
#   sudo test/lab/bystanders.sh up|down|names
#
# What they are (every one labelled io.crimon.bystander=1 where its maker allows labels):
#   - Docker: a plain running container, one that has exited, and a dockershim-style pod
#     (sandbox and app with the kubelet's names and labels) of its own;
#   - containerd, namespace `default`: a container under the v1 `containerd-shim`;
#   - containerd, namespace `k8s.io`: a container made with ctr that carries the CRI's
#     labels (io.cri-containerd.kind, io.kubernetes.*) though the CRI does not list it;
#   - the CRI: a second pod with one container (cri-lab-client.ts --bystander).
set -euo pipefail

# shellcheck source=lab-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-common.sh"

BYSTANDER_LABEL=io.crimon.bystander
BYSTANDER_NS=default
BYSTANDER_POD_UID=0b7f2c4e-9999-4a6b-9c1d-d0c5e11a0009
BYSTANDER_DOCKER=(crimon-bystander-plain crimon-bystander-exited "k8s_app_bystander_default_${BYSTANDER_POD_UID}_0" "k8s_POD_bystander_default_${BYSTANDER_POD_UID}_0")
BYSTANDER_CTR=("$BYSTANDER_NS/crimon-bystander-v1" "k8s.io/crimon-bystander-cri-like")

command=${1:-}
case $command in
	up | down) ;;
	names) printf '%s\n' "${BYSTANDER_DOCKER[@]}" "${BYSTANDER_CTR[@]}" cri/bystander; exit 0 ;;
	*) die "usage: bystanders.sh up|down|names" ;;
esac

require_root
pick_docker

down() {
	local entry ns name
	cri_client down --bystander >/dev/null || log "warning: the bystander CRI pod could not be removed"
	for entry in "${BYSTANDER_CTR[@]}"; do
		ns=${entry%%/*}
		name=${entry#*/}
		ctr_ -n "$ns" container info "$name" >/dev/null 2>&1 || continue
		ctr_ -n "$ns" task rm -f "$name" >/dev/null 2>&1 || true
		ctr_ -n "$ns" container rm "$name" >/dev/null || log "warning: could not remove $entry"
	done
	# The image it imported into `default`, marked as the lab marks its own.
	if ctr_ -n "$BYSTANDER_NS" images ls -q "labels.\"$LAB_IMAGE_LABEL\"==1" 2>/dev/null | grep -qxF "$BUSYBOX_REF"; then
		ctr_ -n "$BYSTANDER_NS" images rm "$BUSYBOX_REF" >/dev/null || true
	fi
	for name in "${BYSTANDER_DOCKER[@]}"; do
		docker_ inspect "$name" >/dev/null 2>&1 || continue
		docker_ rm -f "$name" >/dev/null || log "warning: could not remove Docker container $name"
	done
}

if [[ $command == down ]]; then
	down
	log "bystanders removed"
	exit 0
fi

# up: made afresh each time (they are cheap), after the lab's images exist.
down
docker_ image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1 || die "no $BUSYBOX_IMAGE: run lab-up.sh first"

docker_ run -d --name crimon-bystander-plain --label "$BYSTANDER_LABEL=1" "$BUSYBOX_IMAGE" "${SLEEP_FOREVER[@]}" >/dev/null
# It exits 3 (docker run passes that on), then stays listed by Docker, gone from containerd.
docker_ run --name crimon-bystander-exited --label "$BYSTANDER_LABEL=1" "$BUSYBOX_IMAGE" sh -c 'exit 3' >/dev/null || true
[[ $(docker_ inspect -f '{{.State.Status}} {{.State.ExitCode}}' crimon-bystander-exited) == 'exited 3' ]] || die "crimon-bystander-exited did not exit 3"
pod_labels=(--label "$BYSTANDER_LABEL=1" --label io.kubernetes.pod.name=bystander --label io.kubernetes.pod.namespace=default --label "io.kubernetes.pod.uid=$BYSTANDER_POD_UID")
docker_ run -d --name "k8s_POD_bystander_default_${BYSTANDER_POD_UID}_0" --ipc shareable --network none "${pod_labels[@]}" \
	--label io.kubernetes.docker.type=podsandbox --label io.kubernetes.container.name=POD "$PAUSE_IMAGE" >/dev/null
sandbox_id=$(docker_ inspect -f '{{.Id}}' "k8s_POD_bystander_default_${BYSTANDER_POD_UID}_0")
docker_ run -d --name "k8s_app_bystander_default_${BYSTANDER_POD_UID}_0" --ipc "container:$sandbox_id" --network "container:$sandbox_id" "${pod_labels[@]}" \
	--label io.kubernetes.docker.type=container --label io.kubernetes.container.name=app --label "io.kubernetes.sandbox.id=$sandbox_id" \
	"$BUSYBOX_IMAGE" "${SLEEP_FOREVER[@]}" >/dev/null

if ! ctr_ -n "$BYSTANDER_NS" images ls -q | grep -qxF "$BUSYBOX_REF"; then
	docker_ save "${BUSYBOX_REF#docker.io/}" | ctr_ -n "$BYSTANDER_NS" images import - >/dev/null
	ctr_ -n "$BYSTANDER_NS" images label "$BUSYBOX_REF" "$LAB_IMAGE_LABEL=1" >/dev/null
fi
ctr_ -n "$BYSTANDER_NS" run -d --null-io --runtime io.containerd.runtime.v1.linux --label "$BYSTANDER_LABEL=1" \
	"$BUSYBOX_REF" crimon-bystander-v1 "${SLEEP_FOREVER[@]}" >/dev/null
ctr_ -n k8s.io run -d --null-io --label "$BYSTANDER_LABEL=1" --label io.cri-containerd.kind=container \
	--label io.kubernetes.pod.name=ghost --label io.kubernetes.pod.namespace=default \
	--label io.kubernetes.pod.uid=0b7f2c4e-8888-4a6b-9c1d-d0c5e11a0008 --label io.kubernetes.container.name=ghost \
	"$BUSYBOX_REF" crimon-bystander-cri-like "${SLEEP_FOREVER[@]}" >/dev/null

cri_client up --bystander >/dev/null
log "bystanders up: ${#BYSTANDER_DOCKER[@]} Docker containers, ${#BYSTANDER_CTR[@]} ctr containers, a CRI pod"
