#!/usr/bin/env bash
# `npm pack` gives a tarball that installs globally and runs: packs this checkout, installs
# the tarball with `npm install --global` into a temporary prefix (as the README says, with
# ssh2's native build allowed), checks that npm printed no install-script warning, and runs
# the installed crimon: --version, help, and a snapshot of this node as JSON.
#
#   bash scripts/pack-install.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/crimon-pack.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
tarball=$(npm pack --silent "$repo" | tail -n 1)
echo "pack-install: $tarball ($(tar tzf "$tarball" | wc -l) files, $(du -k "$tarball" | cut -f1) kB)"
npm install --global --prefix "$work/prefix" --no-audit --no-fund --allow-scripts=ssh2,cpu-features "./$tarball" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
if grep -i 'install-scripts\|npm warn' "$work/install.log"; then echo "pack-install: npm warned while installing (above)" >&2; exit 1; fi
crimon="$work/prefix/bin/crimon"
want=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
[[ $("$crimon" --version) == "crimon $want" ]] || { echo "pack-install: crimon --version says $("$crimon" --version), not crimon $want" >&2; exit 1; }
"$crimon" help snapshot | grep -q '^crimon snapshot:'
"$crimon" snapshot --json | node -e '
let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
	const doc = JSON.parse(text);
	if (doc.schema !== "crimon.snapshot/v1" || doc.nodes.length !== 1 || !doc.nodes[0].ok) throw new Error("not a snapshot of this node: " + text.slice(0, 200));
	console.log(`pack-install: the installed crimon polled ${doc.nodes[0].name}: ${doc.nodes[0].processes.length} processes, ${doc.nodes[0].containers.length} containers`);
});'
