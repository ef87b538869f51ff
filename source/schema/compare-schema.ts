/**
 * `crimon compare --json` (crimon.compare/v1), written once: model/compare.ts takes its types
 * from here, and `npm run schema` writes it out as schema/compare.schema.json.
 */
import {Type} from '@sinclair/typebox';
import {CriDiagnosisSchema, DiagnosisSchema, type FindingCode} from './diagnosis-schema.js';
import {flag, list, nullable, oneOf, record, text, whole, word} from './schema-kit.js';
import {COMPARE_SCHEMA} from './snapshot-version.js';

export const CompareSideSchema = record({
	name: text(),
	/** The name, with (A) or (B) when both nodes have the same one (local vs local). */
	label: text(),
	target: text(),
	ok: flag(),
	/** What Kubernetes runs on here: the kubelet's CRI, else the probed one. */
	runtime: CriDiagnosisSchema.properties.runtime,
	how: nullable(CriDiagnosisSchema.properties.how),
	endpoint: nullable(text()),
	kubelet: nullable(record({pid: whole(), version: nullable(text())})),
	cri: nullable(text()),
	containerd: nullable(text()),
	docker: nullable(text()),
	counts: record({containers: whole(), pods: whole(), shims: whole()}),
	diagnosis: nullable(DiagnosisSchema),
});

const shimCount = () => record({v1: whole(), v2: whole()});
export const ShimCountSchema = shimCount();
const ShimRowSchema = record({namespace: text(), a: shimCount(), b: shimCount()});

export const CompareItemSchema = record({
	/** The identity matched across the nodes. */
	key: text(),
	/** How many on that side carry this identity (replicas of one workload). */
	count: whole(),
	/** The names as they are on that node. */
	names: list(text()),
	/** Where they live: "cri", "docker-labels", or a containerd namespace. */
	where: list(text()),
});

export const OneSidedSchema = record({
	onlyA: list(CompareItemSchema),
	onlyB: list(CompareItemSchema),
	/** Identities present on both sides. */
	both: whole(),
});

const findingSide = () => nullable(record({severity: oneOf(['error', 'warn', 'info']), subjects: whole(), message: text()}));
export const FindingRowSchema = record({code: word<FindingCode>(), a: findingSide(), b: findingSide()});

const comparison = {
	/** "node01 on dockershim vs node02 on containerd" */
	headline: text(),
	a: CompareSideSchema,
	b: CompareSideSchema,
	shims: list(ShimRowSchema),
	pods: OneSidedSchema,
	containers: OneSidedSchema,
	findings: list(FindingRowSchema),
};
export const NodeComparisonSchema = record(comparison);

export const ComparisonDocumentSchema = Type.Object({
	schema: Type.Literal(COMPARE_SCHEMA),
	takenAt: Type.String({format: 'date-time'}),
	...comparison,
}, {
	$id: COMPARE_SCHEMA,
	title: 'crimon compare',
	description: 'What `crimon compare A B --json` prints: two nodes side by side. Fields are only ever added within v1; unknown fields are allowed.',
});
