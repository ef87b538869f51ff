#!/usr/bin/env bash
# Is crimon's lab up? Exit 0 when both daemons answer and every container in lab.json is
# running with the id and pid recorded there; exit 1 otherwise (tests skip then). Prints one
# line saying which, unless -q. Read-only, takes no lock, and answers within seconds.
#
#   test/lab/lab-status.sh [-q]
set -uo pipefail

# shellcheck source=lab-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-common.sh"

quiet=0
[[ ${1-} == -q ]] && quiet=1
down() {
	((quiet)) || echo "crimon lab: down: $*"
	exit 1
}

[[ $(id -u) -eq 0 ]] || down "not root (the runtimes' sockets are root-only)"
[[ -r $LAB_DIR/lab.json ]] || down "no $LAB_DIR/lab.json (run test/lab/lab-up.sh)"
command -v node >/dev/null || down "node is missing"
(pick_docker) >/dev/null 2>&1 || down "no docker client"
pick_docker
containerd_answers || down "containerd does not answer on $CONTAINERD_SOCK"
docker_answers || down "dockerd does not answer on $DOCKER_SOCK"

# One "key source namespace id pid" line per container lab-up recorded.
expected=$(node -e '
	const lab = require(process.argv[1]);
	for (const [key, c] of Object.entries(lab.containers)) console.log(key, c.source, c.namespace, c.id, c.pid);
' "$LAB_DIR/lab.json") || down "$LAB_DIR/lab.json is not readable JSON"

docker_ids=()
declare -A ctr_tasks=() # "namespace/id" -> "pid STATUS"
while read -r key source ns id pid; do
	if [[ $source == docker ]]; then
		docker_ids+=("$id")
	elif [[ -z ${ctr_tasks["$ns/"]+x} ]]; then
		ctr_tasks["$ns/"]=listed
		while read -r task_id task_pid task_status; do
			ctr_tasks["$ns/$task_id"]="$task_pid $task_status"
		done < <(ctr_ -n "$ns" task ls 2>/dev/null | tail -n +2)
	fi
done <<<"$expected"

declare -A docker_state=() # id -> "pid running"
if ((${#docker_ids[@]})); then
	while read -r id pid running; do
		docker_state[$id]="$pid $running"
	done < <(docker_ inspect -f '{{.Id}} {{.State.Pid}} {{.State.Running}}' "${docker_ids[@]}" 2>/dev/null)
fi

count=0
while read -r key source ns id pid; do
	if [[ $source == docker ]]; then
		[[ ${docker_state[$id]-} == "$pid true" ]] || down "Docker container $key ($id) is not running as recorded"
	else
		[[ ${ctr_tasks["$ns/$id"]-} == "$pid RUNNING" ]] || down "containerd task $key ($ns/$id) is not running as recorded"
	fi
	count=$((count + 1))
done <<<"$expected"

v1_shim_under_containerd || down "the v1 shim of $OTHER_NS/$CTR_V1_NAME is no longer containerd's child (containerd restarted; rerun lab-up)"

((quiet)) || echo "crimon lab: up: $count containers running as recorded in $LAB_DIR/lab.json"
exit 0
