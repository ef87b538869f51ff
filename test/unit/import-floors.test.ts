/**
 * `npm run check:imports` holds the floors (ARCHITECTURE.md). Each case writes a small tree
 * with one bad import into a temporary copy of the project's layout and runs
 * dependency-cruiser with the project's own config on it: the rule must fail there, and
 * name the rule that caught it.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const made: string[] = [];

afterAll(() => {
	for (const dir of made) fs.rmSync(dir, {recursive: true, force: true});
});

/** Runs the project's config over `files` (path → source) in a fresh directory. */
function cruise(files: Record<string, string>): {status: number | null; output: string} {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-floors-'));
	made.push(dir);
	fs.copyFileSync(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
	fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
	// React and Ink resolve from the project's node_modules, as they would in the tree.
	fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
	for (const [file, text] of Object.entries(files)) {
		fs.mkdirSync(path.dirname(path.join(dir, file)), {recursive: true});
		fs.writeFileSync(path.join(dir, file), text);
	}
	const roots = [...new Set(Object.keys(files).map((f) => f.split('/')[0]!))];
	const run = spawnSync(process.execPath, [DEPCRUISE, '--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...roots], {cwd: dir, encoding: 'utf8'});
	return {status: run.status, output: run.stdout + run.stderr};
}

describe('the import floors', () => {
	it('pass the tree as it is', () => {
		const run = spawnSync(process.execPath, [DEPCRUISE, '--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'source', 'hooks', 'views', 'cli.tsx'], {cwd: ROOT, encoding: 'utf8'});
		expect(run.stdout + run.stderr).toMatch(/no dependency violations found/);
		expect(run.status).toBe(0);
	});

	it('fail a model file that imports a view', () => {
		const run = cruise({
			'source/model/pick.ts': "import {Pane} from '../../views/Pane.js';\nexport const pick = Pane;\n",
			'views/Pane.tsx': 'export const Pane = 1;\n',
		});
		expect(run.status).not.toBe(0);
		expect(run.output).toMatch(/floor:source\/model: source\/model\/pick\.ts → views\/Pane\.tsx/);
	});

	it('fail collect importing the model, and the transport importing the session', () => {
		const run = cruise({
			'source/collect/read.ts': "import {build} from '../model/build.js';\nexport const read = build;\n",
			'source/model/build.ts': 'export const build = 1;\n',
			'source/transport/ssh.ts': "import {session} from '../session/node.js';\nexport const ssh = session;\n",
			'source/session/node.ts': 'export const session = 1;\n',
		});
		expect(run.status).not.toBe(0);
		expect(run.output).toMatch(/floor:source\/collect: source\/collect\/read\.ts → source\/model\/build\.ts/);
		expect(run.output).toMatch(/floor:source\/transport: source\/transport\/ssh\.ts → source\/session\/node\.ts/);
	});

	it('fail a cycle inside one floor', () => {
		const run = cruise({
			'source/ui/a.ts': "import {b} from './b.js';\nexport const a = () => b;\n",
			'source/ui/b.ts': "import {a} from './a.js';\nexport const b = () => a;\n",
		});
		expect(run.status).not.toBe(0);
		expect(run.output).toMatch(/no-cycle/);
	});

	it('fail React below hooks, and a file on no floor', () => {
		const run = cruise({
			'source/ui/rows.ts': "import {useMemo} from 'react';\nexport const rows = useMemo;\n",
			'source/stray/thing.ts': "import {rows} from '../ui/rows.js';\nexport const thing = rows;\n",
		});
		expect(run.status).not.toBe(0);
		expect(run.output).toMatch(/react-only-from-hooks-up: source\/ui\/rows\.ts → \S*node_modules\/react\//);
		expect(run.output).toMatch(/not-in-a-floor: source\/stray\/thing\.ts/);
	});
});
