#!/usr/bin/env bash
# Takes crimon's lab down: removes every container the lab makes (found by its fixed names,
# so this works without lab.json too), the images it built or imported, stops the dockerd
# and containerd that lab-up started (never ones it found running), unmounts what a crashed
# runtime left, and deletes the state dir. A lab daemon that crashed is restarted for the
# clean-up first. Every wait is bounded; exits 1 if anything could not be removed.
#
#   sudo test/lab/lab-down.sh [--keep-images]
#     --keep-images  leave the lab's images in Docker and containerd: the next lab-up
#                    then skips building them
set -euo pipefail

# shellcheck source=lab-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-common.sh"

keep_images=0
for arg in "$@"; do
	case $arg in
		--keep-images) keep_images=1 ;;
		-h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
		*) die "unknown argument $arg (try --help)" ;;
	esac
done

require_root
pick_docker
with_lab_lock
started_at=$SECONDS
removed=0
warnings=0
warn() { log "warning: $*"; warnings=$((warnings + 1)); }

# Ids from the last lab-up: Docker's are needed when dockerd is gone, and all of them to
# find mounts a crashed runtime left behind.
lab_ids=()
lab_docker_ids=()
if [[ -r $LAB_DIR/lab.json ]]; then
	mapfile -t lab_ids < <(node -e 'for (const c of Object.values(require(process.argv[1]).containers)) console.log(c.id)' "$LAB_DIR/lab.json" || true)
	mapfile -t lab_docker_ids < <(node -e 'for (const c of Object.values(require(process.argv[1]).containers)) if (c.source === "docker") console.log(c.id)' "$LAB_DIR/lab.json" || true)
fi

# ---- containers ---------------------------------------------------------------------------

# A lab containerd that crashed leaves its shims and containers running, and nothing but
# containerd can take them down cleanly: bring it back for the clean-up, then stop it below.
if ! containerd_answers && [[ -e $LAB_DIR/containerd.pid && -r $LAB_DIR/containerd.toml ]]; then
	log "containerd: the lab's is not answering; restarting it to remove the lab's containers"
	(start_daemon containerd 30 containerd_answers -- "${CONTAINERD_ARGV[@]}") || warn "could not restart the lab's containerd"
fi

# The bystanders lab-up made beside the lab (each removal is skipped when its daemon is gone).
bash "$LAB_HERE/bystanders.sh" down || warn "could not remove every bystander container"

if containerd_answers; then
	# The CRI pod goes first: its sidecar's rbind of /var/run holds copies of every mount
	# under /run (other containers' rootfs, Docker's netns files) until it exits.
	if cri_out=$(cri_client down); then
		n=$(node -e 'console.log(JSON.parse(process.argv[1]).removedSandboxes.length)' "$cri_out")
		removed=$((removed + n))
	else
		warn "the CRI pod could not be removed"
	fi
	for entry in "${LAB_CTR_CONTAINERS[@]}"; do
		ns=${entry%%/*}
		name=${entry#*/}
		ctr_ -n "$ns" container info "$name" >/dev/null 2>&1 || continue
		# rm -f kills the task first; its "exit code 137" warning is expected noise.
		ctr_ -n "$ns" task rm -f "$name" >/dev/null 2>&1 || true
		if ctr_ -n "$ns" container rm "$name" >/dev/null; then removed=$((removed + 1)); else warn "could not remove $ns/$name"; fi
	done
else
	log "containerd does not answer on $CONTAINERD_SOCK; no CRI or ctr containers to remove"
fi

# Likewise a crashed lab dockerd: only dockerd undoes its own rootfs and netns mounts and
# forgets its containers. Killing their tasks first spares the restart its 10 s wait on
# each container (sleep as pid 1 ignores the SIGTERM dockerd sends when it restores).
if ! docker_answers && [[ -e $LAB_DIR/dockerd.pid ]] && containerd_answers; then
	log "dockerd: the lab's is not answering; restarting it to remove the lab's containers"
	for id in "${lab_docker_ids[@]}"; do ctr_ -n moby task rm -f "$id" >/dev/null 2>&1 || true; done
	clear_stale_docker_pid
	(start_daemon dockerd 60 docker_answers -- "${DOCKERD_ARGV[@]}") ||
		warn "could not restart the lab's dockerd"
fi

if docker_answers; then
	for name in "${LAB_DOCKER_NAMES[@]}"; do
		docker_ inspect "$name" >/dev/null 2>&1 || continue
		if docker_ rm -f "$name" >/dev/null; then removed=$((removed + 1)); else warn "could not remove Docker container $name"; fi
	done
elif ((${#lab_docker_ids[@]})) && containerd_answers; then
	# Docker's containers are containerd's, in namespace moby, under the same ids: without
	# dockerd they can still be stopped there (a later dockerd forgets them on start).
	log "dockerd does not answer; removing the lab's Docker containers through containerd"
	for id in "${lab_docker_ids[@]}"; do
		ctr_ -n moby container info "$id" >/dev/null 2>&1 || continue
		ctr_ -n moby task rm -f "$id" >/dev/null 2>&1 || true
		if ctr_ -n moby container rm "$id" >/dev/null; then removed=$((removed + 1)); else warn "could not remove moby/$id"; fi
	done
else
	log "dockerd does not answer on $DOCKER_SOCK; no Docker containers to remove"
fi

# ---- images --------------------------------------------------------------------------------

# remove_ctr_images NAMESPACE: the images lab-up imported there (it labels them), and the
# "sha256:<image id>" references the CRI adds beside each image it sees - left alone,
# those pile up with every lab cycle.
remove_ctr_images() {
	local ns=$1 listing
	local -a refs
	listing=$(ctr_ -n "$ns" images ls | tail -n +2)
	mapfile -t refs < <(
		ctr_ -n "$ns" images ls -q "labels.\"$LAB_IMAGE_LABEL\"==1" |
			awk 'NR == FNR { wanted[$1]; next } ($1 in wanted) { print $3 }' - <(printf '%s\n' "$listing") |
			awk 'NR == FNR { digests[$1]; next } ($3 in digests) { print $1 }' - <(printf '%s\n' "$listing")
	)
	((${#refs[@]} == 0)) || ctr_ -n "$ns" images rm --sync "${refs[@]}" >/dev/null || warn "could not remove images ${refs[*]} from $ns"
}

remove_images() {
	local ref
	local -a names
	if docker_answers; then
		mapfile -t names < <(docker_ images --filter "label=$LAB_IMAGE_LABEL=1" --format '{{.Repository}}:{{.Tag}}')
		for ref in "${names[@]}"; do
			docker_ rmi "$ref" >/dev/null || warn "could not remove Docker image $ref"
		done
	fi
	containerd_answers || return 0
	remove_ctr_images k8s.io
	# The third namespace is wholly the lab's: it goes too, once empty.
	[[ $'\n'$(ctr_ namespaces ls -q)$'\n' == *$'\n'"$OTHER_NS"$'\n'* ]] || return 0
	remove_ctr_images "$OTHER_NS"
	# Even after a --sync removal, content and snapshots go in a garbage-collection pass
	# a moment later, and until then containerd refuses to drop the namespace.
	local deadline=$((SECONDS + 15))
	until ctr_ namespaces rm "$OTHER_NS" >/dev/null 2>&1; do
		((SECONDS < deadline)) || { warn "containerd namespace $OTHER_NS is still not empty"; return 0; }
		sleep 0.5
	done
}

if ((keep_images)); then log "keeping images"; else remove_images; fi

# ---- daemons ---------------------------------------------------------------------------------

stop_lab_daemon() {
	local name=$1 wait_s=$2 pid deadline
	if ! pid=$(lab_daemon_pid "$name"); then
		[[ ! -e $LAB_DIR/$name.pid ]] || log "$name: pid file names no running $name; nothing to stop"
		return 0
	fi
	log "$name: stopping pid $pid"
	kill -TERM "$pid" 2>/dev/null || true
	deadline=$((SECONDS + wait_s))
	while pid_running "$pid"; do
		if ((SECONDS >= deadline)); then
			warn "$name (pid $pid) ignored SIGTERM for ${wait_s}s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 1
			break
		fi
		sleep 0.2
	done
	rm -f "$LAB_DIR/$name.pid"
	stopped+=("$name")
}

stopped=()
# dockerd first: it is containerd's client, and stops more cleanly while containerd is up.
stop_lab_daemon dockerd 30
stop_lab_daemon containerd 20

# ---- leftovers --------------------------------------------------------------------------------

# See lab-up: only a crashed lab dockerd leaves its data root bind-mounted onto itself.
if [[ $(cat "$LAB_DIR/docker-root-premounted" 2>/dev/null) == no ]] && ! docker_answers && mountpoint -q /var/lib/docker; then
	if umount /var/lib/docker 2>/dev/null; then log "unmounted /var/lib/docker, left mounted by a lab dockerd that crashed"; else warn "could not unmount /var/lib/docker"; fi
fi
# A runtime that died mid-removal leaves rootfs, shm or netns mounts named after the
# container; unmount those of the lab's containers, deepest first.
if ((${#lab_ids[@]})); then
	mapfile -t leftovers < <(
		awk '{ print $5 }' /proc/self/mountinfo | grep -F -f <(printf '/%s\n' "${lab_ids[@]}") |
			awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- || true
	)
	for mount_point in "${leftovers[@]}"; do
		[[ -n $mount_point ]] || continue
		if umount -l "$mount_point" 2>/dev/null; then log "unmounted leftover $mount_point"; else warn "could not unmount $mount_point"; fi
	done
fi

if [[ -e $LAB_DIR/.crimon-lab ]]; then
	rm -rf "$LAB_DIR"
elif [[ -e $LAB_DIR ]]; then
	warn "$LAB_DIR has no .crimon-lab mark; not deleting it"
fi

summary="crimon lab down in $((SECONDS - started_at))s: removed $removed containers/pods, stopped ${stopped[*]:-no daemons}"
if ((warnings)); then
	echo "$summary, with $warnings warnings (above)"
	exit 1
fi
echo "$summary"
