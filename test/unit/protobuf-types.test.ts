/**
 * Message types are derived from the schemas, so a parser that reads (or a request that sets) a field
 * the schema lacks, or treats a field as the wrong type, must fail to compile. tsconfig.json
 * covers source/ only, so these snippets are compiled here with the TypeScript compiler
 * API under the project's own options, as if they sat in source/.
 */
import path from 'node:path';
import ts from 'typescript';
import {describe, expect, it} from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const PROBE = path.join(ROOT, 'source', 'protocol', 'type-probe.ts');

function projectOptions(): ts.CompilerOptions {
	const configPath = path.join(ROOT, 'tsconfig.json');
	const {config} = ts.readConfigFile(configPath, ts.sys.readFile);
	// A probe imports more than each snippet uses; only the type errors are asked about.
	return {...ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options, noEmit: true, noUnusedLocals: false};
}

/** tsc's messages for `code` compiled as source/protocol/type-probe.ts. */
function compile(code: string): string[] {
	const options = projectOptions();
	const host = ts.createCompilerHost(options);
	const getSourceFile = host.getSourceFile.bind(host);
	host.getSourceFile = (file, language, ...rest) => (path.resolve(file) === PROBE
		? ts.createSourceFile(file, code, language)
		: getSourceFile(file, language, ...rest));
	const fileExists = host.fileExists.bind(host);
	host.fileExists = (file) => path.resolve(file) === PROBE || fileExists(file);
	const program = ts.createProgram([PROBE], options, host);
	const probe = program.getSourceFile(PROBE)!;
	return [...program.getSyntacticDiagnostics(probe), ...program.getSemanticDiagnostics(probe)]
		.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const HEADER = `
import * as containerd from './containerd-api.js';
import * as cri from './cri-api.js';
import {decode, encode} from './protobuf.js';
const bytes = new Uint8Array();
`;

describe('decoded protobuf types follow the schema', () => {
	it('types every field as the codec reads and writes it, and refuses the wrong name or type', () => {
		const diagnostics = compile(`${HEADER}
const container = decode(containerd.ListContainersResponse, bytes).containers[0]!;
const id: string = container.id;
const runtime: string | undefined = container.runtime?.name;
const label: string | undefined = container.labels['io.kubernetes.pod.name'];
const spec: Uint8Array | undefined = container.spec?.value;
const task = decode(containerd.ListTasksResponse, bytes).tasks[0]!;
const pid: number = task.pid;
const seconds: bigint | undefined = task.exitedAt?.seconds;
const attempt: number | undefined = decode(cri.ListContainersResponse, bytes).containers[0]?.metadata?.attempt;
// @ts-expect-error containerd's Container has no imageRef (the CRI's does)
void container.imageRef;
// @ts-expect-error a uint32 decodes to a number
const pidText: string = task.pid;
// @ts-expect-error an int64 decodes to a bigint
const secondsNumber: number | undefined = task.exitedAt?.seconds;
// @ts-expect-error an absent message decodes to null, so it must be checked first
void container.runtime.name;
// @ts-expect-error decoded messages are read-only
container.id = 'x';
const request = encode(cri.VersionRequest, {version: 'v1'});
// @ts-expect-error a request names only the schema's fields
encode(cri.VersionRequest, {versoin: 'v1'});
// @ts-expect-error and gives each its type
encode(cri.VersionRequest, {version: 1});
export {id, runtime, label, spec, pid, seconds, attempt, pidText, secondsNumber, request};
`);
		expect(diagnostics).toEqual([]);
	});

	it('names the misspelt field', () => {
		const diagnostics = compile(`${HEADER}
export const name = decode(cri.VersionResponse, bytes).runtimeNmae;
`);
		expect(diagnostics).toHaveLength(1);
		expect(diagnostics[0]).toMatch(/Property 'runtimeNmae' does not exist/);
	});
});
