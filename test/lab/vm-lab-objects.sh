#!/usr/bin/env bash
# Runs INSIDE the VM guest, piped over one ssh by vm-up.sh (under TCG every ssh costs
# seconds, so all of the guest's setup is this one script). Waits for the runtimes, mounts the
# host's 9p shares, imports the offline busybox image into Docker and containerd, starts the
# lab's containers where they are not already running, and prints lab.json on stdout.
# Idempotent: a second run reuses what is there. Arguments are vm-common.sh's fixed names.
#
#   vm-lab-objects.sh IMAGE REF NAMESPACE LABEL DOCKER_NAME CTR_NAME PODMAN_NAME OOM_NAME CPU_NAME
set -euo pipefail
shopt -s inherit_errexit
[[ $# -eq 9 ]] || { echo "usage: $0 IMAGE REF NAMESPACE LABEL DOCKER CTR PODMAN OOM CPU" >&2; exit 2; }
image=$1 ref=$2 ns=$3 label=$4 docker_name=$5 ctr_name=$6 podman_name=$7 oom_name=$8 cpu_name=$9
rootfs=/opt/crimon-vm/busybox-rootfs
sleep_forever=(sleep 2147483647)
say() { printf 'crimon-vm guest: %s\n' "$*" >&2; }

# ---- the runtimes: systemd starts them, slowly under TCG -------------------------------------
for _ in $(seq 1 180); do
	if systemctl is-active -q containerd docker podman.socket && [[ -S /run/containerd/containerd.sock && -S /var/run/docker.sock ]]; then break; fi
	sleep 1
done
systemctl is-active -q containerd docker podman.socket || {
	systemctl --no-pager status containerd docker podman.socket >&2 || true
	echo "containerd, docker or podman.socket did not become active" >&2
	exit 1
}
docker version >/dev/null 2>&1 || { sleep 5; docker version >/dev/null; }

# ---- the host's shares (the checkout, Node 24), read-only over 9p -------------------------
for tag in crimon node; do
	mkdir -p "/mnt/$tag"
	if ! mountpoint -q "/mnt/$tag"; then
		mount -t 9p -o trans=virtio,version=9p2000.L,ro "$tag" "/mnt/$tag" 2>/dev/null || say "no 9p share '$tag' (qemu without it)"
	fi
done

# ---- which shape this node is -----------------------------------------------------------------
containerd_version=$(containerd --version | awk '{print $3}')
containerd_version=${containerd_version#v}
# 2.x writes `version = 3`; 1.x's is 2. The lab has no v1 shim and no CRI v1alpha2 on 2.x.
config_version=$(containerd config dump 2>/dev/null | awk -F' *= *' '$1 == "version" { print $2; exit }')
case $containerd_version in
	1.*) runtime=io.containerd.runc.v2 v1_shim=true ;;
	*) runtime=io.containerd.runc.v2 v1_shim=false ;;
esac
docker_version=$(docker version -f '{{.Server.Version}}')
docker_api=$(docker version -f '{{.Server.APIVersion}}')
cgroup_driver=$(docker info -f '{{.CgroupDriver}}')
podman_version=$(podman version -f '{{.Server.Version}}' 2>/dev/null || podman --version | awk '{print $3}')
conmon_version=$(conmon --version | awk 'NR == 1 {print $3}')
crun_version=$(crun --version | awk 'NR == 1 {print $3}')
runc_version=$(runc --version | awk 'NR == 1 {print $3}')
systemd_version=$(systemctl --version | awk 'NR == 1 {print $2}')
kernel=$(uname -r)
cgroup_fs=$(stat -fc %T /sys/fs/cgroup)

# ---- the image, offline ------------------------------------------------------------------------
if ! docker image inspect "$image" >/dev/null 2>&1; then
	docker import --change 'CMD ["/bin/sh"]' --change "LABEL $label=1" "$rootfs.tar" "$image" >/dev/null
	say "imported $image into Docker"
fi
if ! ctr -n "$ns" images ls -q | grep -qxF "$ref"; then
	docker save "$image" | ctr -n "$ns" images import - >/dev/null
	say "imported $ref into containerd namespace $ns"
fi

# ---- the containers -----------------------------------------------------------------------------
# ensure_docker NAME [docker run flags...] -- COMMAND...
ensure_docker() {
	local name=$1
	shift
	local flags=()
	while [[ $1 != -- ]]; do flags+=("$1"); shift; done
	shift
	if [[ $(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null) != true ]]; then
		docker rm -f "$name" >/dev/null 2>&1 || true
		docker run -d --name "$name" --label "$label=1" "${flags[@]}" "$image" "$@" >/dev/null
		say "started Docker container $name"
	fi
}
ensure_docker "$docker_name" -- "${sleep_forever[@]}"
# The kernel OOM-kills the inner shell every few seconds while the container's init lives.
ensure_docker "$oom_name" --memory 24m --memory-swap 24m -- \
	sh -c 'while :; do sh -c "x=aaaa; while :; do x=\$x\$x; done"; sleep 5; done'
# A quarter of a CPU for a busy loop: CFS throttles it every period.
ensure_docker "$cpu_name" --cpus 0.25 -- sh -c 'while :; do :; done'

if ! ctr -n "$ns" tasks ls -q 2>/dev/null | grep -qxF "$ctr_name"; then
	ctr -n "$ns" tasks rm -f "$ctr_name" >/dev/null 2>&1 || true
	ctr -n "$ns" containers rm "$ctr_name" >/dev/null 2>&1 || true
	ctr -n "$ns" run -d --null-io --label "$label=1" "$ref" "$ctr_name" "${sleep_forever[@]}" >/dev/null
	say "started containerd container $ns/$ctr_name"
fi

if [[ $(podman inspect -f '{{.State.Running}}' "$podman_name" 2>/dev/null) != true ]]; then
	podman rm -f "$podman_name" >/dev/null 2>&1 || true
	# netavark wants nftables, which the image has not: no network for podman's container.
	podman run -d --name "$podman_name" --label "$label=1" --network none --rootfs "$rootfs" "${sleep_forever[@]}" >/dev/null
	say "started podman container $podman_name (under conmon)"
fi

# ---- lab.json ------------------------------------------------------------------------------------
docker_json() { # NAME
	local id pid cgroup
	id=$(docker inspect -f '{{.Id}}' "$1")
	pid=$(docker inspect -f '{{.State.Pid}}' "$1")
	cgroup=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	printf '{"name": "%s", "id": "%s", "pid": %s, "cgroup": "%s"}' "$1" "$id" "$pid" "$cgroup"
}
ctr_pid=$(ctr -n "$ns" tasks ls | awk -v id="$ctr_name" '$1 == id { print $2 }')
ctr_cgroup=$(awk -F: '$1 == "0" { print $3 }' "/proc/$ctr_pid/cgroup")
podman_id=$(podman inspect -f '{{.Id}}' "$podman_name")
podman_pid=$(podman inspect -f '{{.State.Pid}}' "$podman_name")
conmon_pid=$(podman inspect -f '{{.State.ConmonPid}}' "$podman_name")
podman_cgroup=$(awk -F: '$1 == "0" { print $3 }' "/proc/$podman_pid/cgroup")

cat <<EOF
{
  "schema": "crimon.vm-lab/v1",
  "label": "$label",
  "image": {"docker": "$image", "containerd": "$ref"},
  "shape": {
    "kernel": "$kernel", "cgroup": "$([[ $cgroup_fs == cgroup2fs ]] && echo v2 || echo v1)", "systemd": "$systemd_version",
    "containerd": "$containerd_version", "containerdConfigVersion": ${config_version:-null}, "runtime": "$runtime", "v1Shim": $v1_shim,
    "docker": "$docker_version", "dockerApi": "$docker_api", "dockerCgroupDriver": "$cgroup_driver",
    "podman": "$podman_version", "conmon": "$conmon_version", "crun": "$crun_version", "runc": "$runc_version"
  },
  "docker": {
    "box": $(docker_json "$docker_name"),
    "oom": $(docker_json "$oom_name"),
    "cpu": $(docker_json "$cpu_name")
  },
  "containerd": {"box": {"namespace": "$ns", "id": "$ctr_name", "pid": $ctr_pid, "cgroup": "$ctr_cgroup"}},
  "podman": {"box": {"name": "$podman_name", "id": "$podman_id", "pid": $podman_pid, "conmonPid": $conmon_pid, "cgroup": "$podman_cgroup"}}
}
EOF
