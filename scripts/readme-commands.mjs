/**
 * Prints the README's shell commands, one JSON object a line, for scripts/readme-commands.sh:
 * every line of every ```sh block, in order, except blocks right after a
 * `<!-- readme-commands: skip (why) -->` line (each skip is printed too, with its reason, so
 * the run says what it left out). A line ending in a backslash continues on the next.
 * `long` marks the commands that run until interrupted (the monitor, serve, --watch, events):
 * the runner gives them a terminal and a few seconds, and a clean exit or still running at
 * the end of them both pass.
 *
 *   node scripts/readme-commands.mjs [README.md]
 */
import fs from 'node:fs';

const file = process.argv[2] ?? 'README.md';
const lines = fs.readFileSync(file, 'utf8').split('\n');
let skip = null;
let block = null;
let pending = '';
for (let i = 0; i < lines.length; i++) {
	const line = lines[i];
	const marker = /^<!-- readme-commands: skip \((.+)\) -->$/.exec(line);
	if (block === null && marker) {
		skip = marker[1];
		continue;
	}
	if (block === null && /^```/.test(line)) {
		block = {lang: line.slice(3).trim(), start: i + 1, skip};
		if (block.lang === 'sh' && skip !== null) console.log(JSON.stringify({skip: true, line: i + 1, reason: skip}));
		skip = null;
		continue;
	}
	if (block !== null && /^```\s*$/.test(line)) {
		block = null;
		continue;
	}
	if (block === null || block.lang !== 'sh' || block.skip !== null) continue;
	const text = pending + line;
	if (text.endsWith('\\')) {
		pending = text.slice(0, -1) + ' ';
		continue;
	}
	pending = '';
	const command = text.trim();
	if (command === '' || command.startsWith('#')) continue;
	const words = command.split(/\s+/);
	const oneShot = words.some((w) => ['--help', '-h', '--version', '-V', 'help', 'completion'].includes(w));
	const long = words[0] === 'crimon' && !oneShot && (words.length === 1 || words[1].startsWith('-') || words[1] === 'serve' || words[1] === 'events' || words.includes('--watch'));
	console.log(JSON.stringify({line: i + 1, command, long}));
}
