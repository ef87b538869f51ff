#!/usr/bin/env bash
# Refreshes the README's picture: the monitor at 80x24 in a private tmux, on this node and
# (when the SSH lab node is up) node01 over SSH, on the Containers pane; capture-pane's text
# replaces what is between <!-- screen --> and <!-- /screen --> in README.md.
#
#   npm run build && bash scripts/readme-picture.sh
set -euo pipefail
cd "$(dirname "$0")/.."
socket="crimon-readme-picture-$$"
home=$(mktemp -d /tmp/crimon-readme-picture.XXXXXX)
cleanup() {
	tmux -L "$socket" kill-server 2>/dev/null || true
	rm -rf "$home"
}
trap cleanup EXIT

nodes=(--node local)
node_json=/tmp/crimon-ssh-lab/node.json
if [[ -f $node_json ]]; then
	# node01 is the SSH lab node, named in a private ~/.ssh/config as an operator's would be.
	read -r host port key known < <(node -e 'const n = require(process.argv[1]); console.log(n.host, n.port, n.keys.client, n.knownHosts)' "$node_json")
	mkdir -m 700 "$home/.ssh"
	printf 'Host node01\n\tHostName %s\n\tPort %s\n\tUser root\n\tIdentityFile %s\n\tIdentitiesOnly yes\n\tUserKnownHostsFile %s\n' "$host" "$port" "$key" "$known" >"$home/.ssh/config"
	nodes+=(--node node01)
fi

tmux -L "$socket" -f /dev/null new-session -d -s pic -x 80 -y 24 -e NO_COLOR=1 -e TERM=xterm-256color -e "HOME=$home" -e SSH_AUTH_SOCK= \
	node dist/cli.js "${nodes[@]}"
tmux -L "$socket" set-option -t pic status off >/dev/null
sleep 4
tmux -L "$socket" send-keys -t pic Tab Tab
sleep 2
screen=$(tmux -L "$socket" capture-pane -p -t pic)
tmux -L "$socket" send-keys -t pic q

SCREEN="$screen" node -e '
const fs = require("node:fs");
const readme = fs.readFileSync("README.md", "utf8");
const start = "<!-- screen -->\n", end = "<!-- /screen -->";
const a = readme.indexOf(start), b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error("README.md has no <!-- screen --> ... <!-- /screen --> markers");
const picture = "```text\n" + process.env.SCREEN.replace(/\s+$/gm, "") + "\n```\n";
fs.writeFileSync("README.md", readme.slice(0, a + start.length) + picture + readme.slice(b));
'
echo "README.md: picture refreshed (${#screen} characters, 80x24)"
