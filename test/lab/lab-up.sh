#!/usr/bin/env bash
# Brings up crimon's lab on this machine: containerd and dockerd (started here unless they
# already answer), offline-built images, and a fixed set of containers covering every
# ownership case crimon tells apart. Idempotent: a second run reuses what is running and
# rebuilds only what is missing or dead. Writes $CRIMON_LAB_DIR/lab.json for the tests and
# ends with a one-line summary on stdout (progress goes to stderr).
#
#   sudo test/lab/lab-up.sh          # state in ${CRIMON_LAB_DIR:-/tmp/crimon-lab}
set -euo pipefail

# shellcheck source=lab-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-common.sh"

require_root
for tool in containerd ctr dockerd runc busybox node timeout flock setsid ldd mountpoint ps tar; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install containerd runc docker.io busybox-static nodejs)"
done
pick_docker
with_lab_lock

started_at=$SECONDS
mkdir -p "$LAB_DIR"
# lab-down only deletes a state dir carrying this mark, so a stray CRIMON_LAB_DIR=/ is harmless.
touch "$LAB_DIR/.crimon-lab"
created=()

# ---- daemons ---------------------------------------------------------------------------

if ! containerd_answers; then write_containerd_config; fi
start_daemon containerd 30 containerd_answers -- "${CONTAINERD_ARGV[@]}"

if ! docker_answers; then
	clear_stale_docker_pid
	# dockerd bind-mounts its data root onto itself and undoes that only on a clean exit.
	# Noted once, before the lab's first dockerd, so lab-down can tell a mount left by a
	# crashed lab dockerd from one the machine had anyway.
	[[ -e $LAB_DIR/docker-root-premounted ]] || {
		if mountpoint -q /var/lib/docker; then echo yes; else echo no; fi
	} >"$LAB_DIR/docker-root-premounted"
fi
start_daemon dockerd 60 docker_answers -- "${DOCKERD_ARGV[@]}"

# ---- images (offline: no registry is reachable) ---------------------------------------

build_rootfs() {
	local root=$LAB_DIR/rootfs applet
	# The image has no libc: only a static busybox runs in it.
	if ldd /bin/busybox >/dev/null 2>&1; then die "/bin/busybox is dynamically linked; install busybox-static"; fi
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	for applet in sh sleep ls cat ps echo; do ln -s busybox "$root/bin/$applet"; done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
}

# The lab's mark goes on the image itself (a Docker image label, a containerd image label),
# so lab-down removes exactly what the lab made - even after --keep-images cycles - and
# never a pause image it found already there.
import_rootfs() {
	local image=$1
	shift
	tar --numeric-owner -C "$LAB_DIR/rootfs" -cf - . |
		docker_ import --change "LABEL $LAB_IMAGE_LABEL=1" \
			--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$@" - "$image" >/dev/null
	log "built image $image"
}

ensure_images() {
	local have_busybox=1 have_pause=1 ns ref have
	local -a missing saved
	docker_ image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1 || have_busybox=0
	docker_ image inspect "$PAUSE_IMAGE" >/dev/null 2>&1 || have_pause=0
	if ((!have_busybox || !have_pause)); then build_rootfs; fi
	((have_busybox)) || import_rootfs "$BUSYBOX_IMAGE" --change 'CMD ["/bin/sh"]'
	((have_pause)) || import_rootfs "$PAUSE_IMAGE" --change 'ENTRYPOINT ["/bin/sleep","2147483647"]'

	# The CRI looks for its images (and the sandbox image) in k8s.io; ctr's third
	# namespace needs its own copy, since containerd namespaces share nothing.
	for ns in k8s.io "$OTHER_NS"; do
		missing=()
		saved=()
		# Listed first, not piped into grep -q: an early-exiting grep can SIGPIPE ctr,
		# and pipefail would then read a present image as missing.
		have=$(ctr_ -n "$ns" images ls -q)
		for ref in "$BUSYBOX_REF" "$PAUSE_IMAGE"; do
			grep -qxF "$ref" <<<"$have" && continue
			missing+=("$ref")
			# Docker's short name for it: `docker save` tags carry no docker.io/ prefix.
			saved+=("${ref#docker.io/}")
		done
		((${#missing[@]})) || continue
		# Only the missing ones: importing both would repoint an existing pause image.
		docker_ save "${saved[@]}" | ctr_ -n "$ns" images import - >/dev/null
		for ref in "${missing[@]}"; do ctr_ -n "$ns" images label "$ref" "$LAB_IMAGE_LABEL=1" >/dev/null; done
		log "imported ${missing[*]} into containerd namespace $ns"
	done
}

ensure_images

# ---- containers -------------------------------------------------------------------------

docker_running_id() { docker_ inspect -f '{{if .State.Running}}{{.Id}}{{end}}' "$1" 2>/dev/null || true; }

# run_docker NAME ARGS...: (re)create a Docker container; a stopped one of that name is
# replaced, since its namespaces and ids are gone anyway.
run_docker() {
	local name=$1
	shift
	docker_ rm -f "$name" >/dev/null 2>&1 || true
	docker_ run -d --name "$name" "$@" >/dev/null
	created+=("$name")
}

ensure_docker() {
	local name=$1
	if [[ -n $(docker_running_id "$name") ]]; then return 0; fi
	run_docker "$@"
}

ensure_docker "$PLAIN_NAME" "$BUSYBOX_IMAGE" "${SLEEP_FOREVER[@]}"
ensure_docker "$DOCKER_SOCK_NAME" -v "$DOCKER_SOCK:$DOCKER_SOCK" "$BUSYBOX_IMAGE" "${SLEEP_FOREVER[@]}"
# sh stays the container's init (sleep is its child), so its argv keeps the hostile words.
ensure_docker "$HOSTILE_NAME" --label "io.crimon.lab.hostile=$HOSTILE_TITLE$HOSTILE_CLEAR$HOSTILE_BIDI" \
	"$BUSYBOX_IMAGE" sh -c 'sleep 2147483647; : "$@"' sh "$HOSTILE_TITLE" "$HOSTILE_CLEAR" "$HOSTILE_BIDI"

# A pod as the kubelet's dockershim made it: names and labels are all that tie the two
# Docker containers into a pod, which is what crimon rebuilds pods from when no CRI answers.
ensure_dockershim_pod() {
	local sandbox_id app_state
	local -a pod_labels=(
		--label io.kubernetes.pod.name=web
		--label io.kubernetes.pod.namespace=default
		--label "io.kubernetes.pod.uid=$SHIM_POD_UID"
	)
	sandbox_id=$(docker_running_id "$SHIM_SANDBOX_NAME")
	if [[ -z $sandbox_id ]]; then
		# dockershim gives a CNI pod's sandbox no network of its own (CNI wires it later)
		# and makes its IPC namespace shareable so the pod's containers can join it.
		run_docker "$SHIM_SANDBOX_NAME" --ipc shareable --network none "${pod_labels[@]}" \
			--label io.kubernetes.docker.type=podsandbox --label io.kubernetes.container.name=POD \
			"$PAUSE_IMAGE"
		sandbox_id=$(docker_running_id "$SHIM_SANDBOX_NAME")
		[[ -n $sandbox_id ]] || die "dockershim-style sandbox $SHIM_SANDBOX_NAME is not running after docker run"
	fi
	# The app is only valid while it points at (and shares namespaces with) this sandbox.
	app_state=$(docker_ inspect -f '{{.State.Running}} {{index .Config.Labels "io.kubernetes.sandbox.id"}}' "$SHIM_APP_NAME" 2>/dev/null || true)
	if [[ $app_state != "true $sandbox_id" ]]; then
		run_docker "$SHIM_APP_NAME" --ipc "container:$sandbox_id" --network "container:$sandbox_id" "${pod_labels[@]}" \
			--label io.kubernetes.docker.type=container --label io.kubernetes.container.name=nginx \
			--label "io.kubernetes.sandbox.id=$sandbox_id" \
			"$BUSYBOX_IMAGE" "${SLEEP_FOREVER[@]}"
	fi
}

ensure_dockershim_pod

# ensure_ctr NAMESPACE NAME [ctr run flags...]: containers the CRI does not know about.
ensure_ctr() {
	local ns=$1 name=$2
	shift 2
	if [[ $(ctr_task_status "$ns" "$name") == RUNNING ]]; then
		if [[ $name != "$CTR_V1_NAME" ]] || v1_shim_under_containerd; then return 0; fi
		log "$ns/$name: its v1 shim was orphaned by a containerd restart; recreating it"
	fi
	ctr_ -n "$ns" task rm -f "$name" >/dev/null 2>&1 || true
	ctr_ -n "$ns" container rm "$name" >/dev/null 2>&1 || true
	ctr_ -n "$ns" run -d --null-io "$@" "$BUSYBOX_REF" "$name" "${SLEEP_FOREVER[@]}" >/dev/null
	created+=("$ns/$name")
}

ensure_ctr k8s.io "$CTR_K8S_NAME"
ensure_ctr "$OTHER_NS" "$CTR_OTHER_NAME"
# The v1 runtime starts a `containerd-shim` that stays a child of containerd, as under Docker 19.03.
ensure_ctr "$OTHER_NS" "$CTR_V1_NAME" --runtime io.containerd.runtime.v1.linux

if ! cri_json=$(cri_client up); then
	die "the CRI pod could not be made (a containerd not started by the lab may have its CRI plugin disabled, or lack restrict_oom_score_adj = true; see $LAB_DIR/containerd.log if the lab started it)"
fi
cri_created=$(node -e 'const r = JSON.parse(process.argv[1]); console.log([!r.sandbox.reused && "cri/api", ...Object.entries(r.containers).filter(([, c]) => !c.reused).map(([n]) => "cri/api/" + n)].filter(Boolean).join(" "))' "$cri_json")
read -r -a cri_created_list <<<"$cri_created"
created+=("${cri_created_list[@]}")

# Containers that are not the lab's, as on any machine that already runs some: the lab
# tests must hold beside them (CRIMON_LAB_BYSTANDERS=0 leaves them out).
if [[ ${CRIMON_LAB_BYSTANDERS:-1} != 0 ]]; then bash "$LAB_HERE/bystanders.sh" up; fi

# ---- lab.json ---------------------------------------------------------------------------

docker_row() { # KEY NAME: one TSV row for a Docker container
	local fields id pid image
	fields=$(docker_ inspect -f '{{.Id}}	{{.State.Pid}}	{{.Config.Image}}' "$2")
	IFS=$'\t' read -r id pid image <<<"$fields"
	printf '%s\t%s\t%s\tmoby\t%s\tv2\tdocker\t%s\n' "$1" "$id" "$2" "$pid" "$image"
}

containerd_row() { # KEY ID NAME NAMESPACE SHIM SOURCE IMAGE
	local pid
	pid=$(ctr_task_pid "$4" "$2")
	[[ -n $pid ]] || die "containerd task $4/$2 is not running after lab-up made it"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$pid" "$5" "$6" "$7"
}

cri_ids=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.sandbox.id, r.containers.app.id, r.containers.sidecar.id)' "$cri_json")
read -r cri_sandbox_id cri_app_id cri_sidecar_id <<<"$cri_ids"

rows=$(
	docker_row plain "$PLAIN_NAME"
	docker_row dockerSock "$DOCKER_SOCK_NAME"
	docker_row hostile "$HOSTILE_NAME"
	docker_row dockershimSandbox "$SHIM_SANDBOX_NAME"
	docker_row dockershimApp "$SHIM_APP_NAME"
	containerd_row criSandbox "$cri_sandbox_id" api k8s.io v2 cri "$PAUSE_IMAGE"
	containerd_row criApp "$cri_app_id" app k8s.io v2 cri "$BUSYBOX_REF"
	containerd_row criSidecar "$cri_sidecar_id" sidecar k8s.io v2 cri "$BUSYBOX_REF"
	containerd_row ctrK8s "$CTR_K8S_NAME" "$CTR_K8S_NAME" k8s.io v2 ctr "$BUSYBOX_REF"
	containerd_row ctrOther "$CTR_OTHER_NAME" "$CTR_OTHER_NAME" "$OTHER_NS" v2 ctr "$BUSYBOX_REF"
	containerd_row ctrV1 "$CTR_V1_NAME" "$CTR_V1_NAME" "$OTHER_NS" v1 ctr "$BUSYBOX_REF"
)

containerd_version=$(ctr_ version | awk '/^Server:/ { s = 1 } s && $1 == "Version:" && !v { v = $2 } END { print v }')
docker_version=$(docker_ version --format '{{.Server.Version}}')
containerd_pid=$(lab_daemon_pid containerd || true)
dockerd_pid=$(lab_daemon_pid dockerd || true)

# Values go to node through the environment, never spliced into its source.
LAB_ROWS=$rows LAB_CRI=$cri_json LAB_STATE_DIR=$LAB_DIR CONTAINERD_SOCK=$CONTAINERD_SOCK DOCKER_SOCK=$DOCKER_SOCK \
	DOCKER_CLI=$DOCKER_CLI CONTAINERD_VERSION=$containerd_version DOCKER_VERSION=$docker_version \
	CONTAINERD_PID=$containerd_pid DOCKERD_PID=$dockerd_pid BUSYBOX_IMAGE=$BUSYBOX_IMAGE BUSYBOX_REF=$BUSYBOX_REF \
	PAUSE_IMAGE=$PAUSE_IMAGE OTHER_NS=$OTHER_NS SHIM_POD_UID=$SHIM_POD_UID CRI_POD_UID=$CRI_POD_UID \
	node - "$LAB_DIR/lab.json.tmp" <<'EOF'
const fs = require('node:fs');
const env = process.env;
const containers = {};
for (const line of env.LAB_ROWS.split('\n').filter(Boolean)) {
	const [key, id, name, namespace, pid, shim, source, image] = line.split('\t');
	containers[key] = {id, name, namespace, pid: Number(pid), shim, source, image};
}
const cri = JSON.parse(env.LAB_CRI);
const daemon = (version, pid) => ({version, pid: pid ? Number(pid) : null, startedByLab: Boolean(pid)});
const lab = {
	schema: 'crimon.lab/v1',
	createdAt: new Date().toISOString(),
	stateDir: env.LAB_STATE_DIR,
	containerdSocket: env.CONTAINERD_SOCK,
	dockerSocket: env.DOCKER_SOCK,
	dockerCli: env.DOCKER_CLI,
	containerd: daemon(env.CONTAINERD_VERSION, env.CONTAINERD_PID),
	dockerd: daemon(env.DOCKER_VERSION, env.DOCKERD_PID),
	cri: {runtimeName: cri.runtime.name, runtimeVersion: cri.runtime.version, apiVersion: cri.api},
	images: {busybox: env.BUSYBOX_IMAGE, busyboxRef: env.BUSYBOX_REF, pause: env.PAUSE_IMAGE},
	namespaces: ['moby', 'k8s.io', env.OTHER_NS],
	pods: {
		dockershim: {name: 'web', namespace: 'default', uid: env.SHIM_POD_UID, source: 'docker-labels',
			sandbox: 'dockershimSandbox', containers: ['dockershimApp']},
		cri: {name: 'api', namespace: 'shop', uid: env.CRI_POD_UID, source: 'cri',
			sandbox: 'criSandbox', containers: ['criApp', 'criSidecar']},
	},
	containers,
};
fs.writeFileSync(process.argv[2], JSON.stringify(lab, null, 2) + '\n');
EOF
mv "$LAB_DIR/lab.json.tmp" "$LAB_DIR/lab.json"

count=$(wc -l <<<"$rows")
echo "crimon lab up in $((SECONDS - started_at))s: containerd $containerd_version${containerd_pid:+ (lab pid $containerd_pid)}, docker $docker_version${dockerd_pid:+ (lab pid $dockerd_pid)}, $count containers (${#created[@]} created, $((count - ${#created[@]})) reused), $LAB_DIR/lab.json"
