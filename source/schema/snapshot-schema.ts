/**
 * The snapshot contract, crimon.snapshot/v1, written once: types.ts takes its types from
 * here, a `--from` file is checked against it (snapshot-file/), and `npm run schema` writes
 * it out as schema/snapshot.schema.json. Adding fields is fine; renaming or removing one
 * needs a new schema version. A field with since(…) was added within v1 (a file saved before
 * it lacks it and reads as the fill); Type.Optional ones may be absent from a file, and are
 * always set in a snapshot this crimon builds.
 */
import {Type} from '@sinclair/typebox';
import {DiagnosisSchema} from './diagnosis-schema.js';
import {PressureFiguresSchema, PressureUsageSchema, processIoProperties} from './io-schema.js';
import {flag, figure, list, nullable, oneOf, record, shared, since, stringMap, text, whole, word} from './schema-kit.js';
import {SNAPSHOT_SCHEMA} from './snapshot-version.js';
import {HostUsageSchema, nodePressureProperties, UsageSchema} from './usage-schema.js';

const SOURCES = ['processes', 'containerd', 'cri', 'docker', 'kubelet', 'node', 'usage', 'podman'] as const;

export const SourceErrorSchema = record({source: oneOf(SOURCES), message: text()});

export const ProcessInfoSchema = record({
	pid: whole(),
	ppid: whole(),
	user: text(),
	state: text(),
	/** Full command line, arguments joined by single spaces. */
	command: text(),
	// CPU time since start (user + system), resident memory, and CPU use in cores between its
	// last two reads (null until read twice); null when unknown.
	cpuSeconds: Type.Optional(nullable(figure())),
	rssBytes: Type.Optional(nullable(figure())),
	cpuCores: Type.Optional(nullable(figure())),
	...processIoProperties,
});

export const CriRuntimeInfoSchema = record({endpoint: text(), runtimeName: text(), runtimeVersion: text(), apiVersion: text()});
const runtimeAt = () => record({address: text(), version: text()});

export const RuntimesSchema = record({
	cri: nullable(CriRuntimeInfoSchema),
	containerd: nullable(runtimeAt()),
	docker: nullable(runtimeAt()),
	/** podman's Docker-compatible API (its own socket, or a docker.sock that is really podman); null when none answered. */
	podman: Type.Optional(nullable(runtimeAt())),
});

const runtimeState = () => oneOf(['answering', 'failing', 'absent']);
/** model/runtime-states.ts: each runtime answering, failing (probed, no answer) or absent (no socket). */
export const RuntimeStatesSchema = record({cri: runtimeState(), containerd: runtimeState(), docker: runtimeState(), podman: Type.Optional(runtimeState())});

export const ShimSchema = record({
	pid: whole(),
	version: oneOf(['v1', 'v2']),
	binary: word(),
	namespace: text(),
	id: text(),
	address: text(),
	children: list(whole()),
	/** The shim process's own resident memory; null when unknown. */
	rssBytes: Type.Optional(nullable(figure())),
	// The kind of shim (containerd's v1 and v2, or conmon, which podman and CRI-O start one of
	// per container); for conmon the OCI runtime it drives (its -r) and the engine that started
	// it (null: cannot tell). A conmon's `version` reads "v2": like a v2 shim it is one per
	// container, re-parented to pid 1 and tied to its container by id. A file from before
	// conmon was a kind holds containerd's shims only.
	kind: Type.Optional(oneOf(['containerd', 'conmon'])),
	ociRuntime: Type.Optional(nullable(text())),
	engine: Type.Optional(nullable(oneOf(['podman', 'cri-o']))),
});

export const NamespaceSummarySchema = record({
	name: text(),
	containers: list(text()),
	/** The sum of its containers' usage (null when none reported), and of its shims' RSS. */
	usage: Type.Optional(nullable(shared('Usage', UsageSchema))),
	shimRssBytes: Type.Optional(nullable(figure())),
});

export const PodRefSchema = record({name: text(), namespace: text(), uid: text()});
export const MountSchema = record({source: text(), destination: text()});

export const ContainerSchema = record({
	id: text(),
	name: text(),
	image: text(),
	state: text(),
	namespace: nullable(text()),
	pid: nullable(whole()),
	shimPid: nullable(whole()),
	sandbox: flag(),
	pod: nullable(PodRefSchema),
	seenBy: record({cri: flag(), containerd: flag(), docker: flag(), podman: Type.Optional(flag())}),
	// Details for the app and the diagnosis.
	podId: since(nullable(text()), null),
	runtime: since(nullable(text()), null),
	labels: since(stringMap(), {}),
	mounts: since(list(MountSchema), []),
	/** What it costs; null where no source answered for it (and in a file saved before usage was). */
	usage: Type.Optional(since(nullable(shared('Usage', UsageSchema)), null)),
});

export const PodSchema = record({
	/** The sandbox id. */
	id: text(),
	name: text(),
	namespace: text(),
	uid: text(),
	source: oneOf(['cri', 'docker-labels']),
	sandboxPid: nullable(whole()),
	containers: list(text()),
	/** The sandbox's state as its source reports it. */
	state: since(text(), ''),
	/** The sum of its containers' usage, the sandbox's included. */
	usage: Type.Optional(since(nullable(shared('Usage', UsageSchema)), null)),
});

export const NodeSnapshotSchema = record({
	/** The hostname for `local`, else the host or alias. */
	name: text(),
	/** `local` or `ssh://…` (`file:…` for a node read back from a saved file). */
	target: text(),
	/** False only when the node could not be reached at all. */
	ok: flag(),
	/** A source that failed while the rest still reports. */
	errors: list(SourceErrorSchema),
	runtimes: RuntimesSchema,
	processes: list(ProcessInfoSchema),
	shims: list(ShimSchema),
	namespaces: list(NamespaceSummarySchema),
	containers: list(ContainerSchema),
	pods: list(PodSchema),
	/** The node's CPUs and memory; null when not read. */
	host: Type.Optional(nullable(HostUsageSchema)),
	runtimeStates: Type.Optional(nullable(RuntimeStatesSchema)),
	/** Which runtime really runs the node, and what would break if it moved; null when unreachable. */
	diagnosis: since(nullable(DiagnosisSchema), null),
	...nodePressureProperties,
});

export const SnapshotSchema = Type.Object({
	schema: Type.Literal(SNAPSHOT_SCHEMA),
	takenAt: Type.String({format: 'date-time'}),
	nodes: list(NodeSnapshotSchema),
}, {
	$id: SNAPSHOT_SCHEMA,
	// What shared(name, …) refers to.
	definitions: {Usage: UsageSchema, PressureUsage: PressureUsageSchema, PressureFigures: PressureFiguresSchema},
	title: 'crimon snapshot',
	description: 'What `crimon snapshot --json` prints: every node as crimon saw it. Fields are only ever added within v1; unknown fields are allowed.',
});
