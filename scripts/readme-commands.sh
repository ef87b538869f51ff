#!/usr/bin/env bash
# The README's commands, run as printed, in a fresh clone: so the README cannot drift from
# the code. Clones this repository's HEAD into a temporary directory, gives it a HOME of its
# own whose ~/.ssh/config names node01 and node02 (both the SSH lab node,
# test/lab/ssh-node-up.sh), and runs every line of the README's ```sh blocks in one shell, in
# order (so the set-up's `export PATH=…` holds for the rest), as root or, with --as USER, as
# that unprivileged user. Commands that run until interrupted (the monitor, serve, --watch)
# get a terminal (script(1)) and 6 seconds: still running then, or a clean exit, passes.
# Blocks after `<!-- readme-commands: skip (why) -->` are left out, and said so.
#
#   bash scripts/readme-commands.sh              as root
#   bash scripts/readme-commands.sh --as nobody  as an unprivileged user (run it as root)
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
as=""
if [[ ${1:-} == --as ]]; then as=${2:?--as wants a user name}; fi
node_json=${CRIMON_SSH_LAB_DIR:-/tmp/crimon-ssh-lab}/node.json
[[ -f $node_json ]] || { echo "readme-commands: no $node_json: the SSH lab node is needed for the README's SSH examples (bash test/lab/ssh-node-up.sh)" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "readme-commands: run it as root (it copies the SSH lab's key; --as drops to the user)" >&2; exit 2; }

work=$(mktemp -d /tmp/crimon-readme.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/crimon"
home="$work/home"
mkdir -p "$home/.ssh"
read -r host port key known < <(node -e 'const n = require(process.argv[1]); console.log(n.host, n.port, n.keys.client, n.knownHosts)' "$node_json")
cp "$key" "$home/.ssh/id_ed25519"
cp "$known" "$home/.ssh/known_hosts"
for alias in node01 node02; do
	printf 'Host %s\n\tHostName %s\n\tPort %s\n\tUser root\n\tIdentityFile %s\n\tIdentitiesOnly yes\n' "$alias" "$host" "$port" "$home/.ssh/id_ed25519"
done >"$home/.ssh/config"
chmod 700 "$home/.ssh"
chmod 600 "$home/.ssh/"*
node "$repo/scripts/readme-commands.mjs" "$repo/README.md" >"$work/commands.jsonl"

# The runner: one bash for every command, so exports carry over, each line's output in a log.
cat >"$work/run.sh" <<'RUN'
set -u
cd "$CLONE"
failed=0 ran=0
while IFS= read -r entry; do
	line=$(node -p 'JSON.parse(process.argv[1]).line' "$entry")
	if [[ $(node -p 'JSON.parse(process.argv[1]).skip === true' "$entry") == true ]]; then
		echo "  skip  README.md:$line: $(node -p 'JSON.parse(process.argv[1]).reason' "$entry")"
		continue
	fi
	command=$(node -p 'JSON.parse(process.argv[1]).command' "$entry")
	long=$(node -p 'JSON.parse(process.argv[1]).long' "$entry")
	ran=$((ran + 1))
	log="$LOGS/$line.log"
	if [[ $long == true ]]; then
		# A terminal, and six seconds: still running (124) or a clean exit passes.
		timeout -s TERM 6 script -qefc "$command" /dev/null </dev/null >"$log" 2>&1
		rc=$?
		[[ $rc == 124 ]] && rc=0
	else
		eval "$command" </dev/null >"$log" 2>&1
		rc=$?
	fi
	if [[ $rc == 0 ]]; then
		echo "  ok    README.md:$line: $command"
	else
		failed=$((failed + 1))
		echo "  FAIL  README.md:$line: $command (exit $rc)"
		sed 's/^/        | /' "$log" | tail -n 15
	fi
done <"$COMMANDS"
echo "readme-commands: $ran commands as $(id -un), $failed failed"
[[ $failed == 0 ]]
RUN

mkdir -p "$work/logs"
env_args=(HOME="$home" CLONE="$work/crimon" LOGS="$work/logs" COMMANDS="$work/commands.jsonl" PATH="$PATH" TERM=xterm-256color NO_COLOR=1 SSH_AUTH_SOCK=)
if [[ -n $as ]]; then
	uid=$(id -u "$as") gid=$(id -g "$as")
	chown -R "$uid:$gid" "$work"
	echo "readme-commands: a fresh clone of $(git -C "$repo" rev-parse --short HEAD) in $work/crimon, as $as"
	setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env -i "${env_args[@]}" USER="$as" bash "$work/run.sh"
else
	echo "readme-commands: a fresh clone of $(git -C "$repo" rev-parse --short HEAD) in $work/crimon, as root"
	env -i "${env_args[@]}" USER=root bash "$work/run.sh"
fi
