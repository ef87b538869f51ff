/**
 * The diagnosis part of the snapshot contract (crimon.snapshot/v1, see types.ts): which runtime
 * really runs a node, and the findings. Written once, as schema, in diagnosis-schema.ts; these
 * are its types, re-exported by types.ts.
 */
import type {Shape} from './schema-kit.js';
import type {
	CriDiagnosisSchema, DiagnosisSchema, FindingSchema, FindingSubjectSchema, KubeadmPickSchema, KubeletDiagnosisSchema,
} from './diagnosis-schema.js';

export type {FindingCode} from './diagnosis-schema.js';

export type KubeletDiagnosis = Shape<typeof KubeletDiagnosisSchema>;
export type KubeadmPick = Shape<typeof KubeadmPickSchema>;
export type CriDiagnosis = Shape<typeof CriDiagnosisSchema>;
export type FindingSubject = Shape<typeof FindingSubjectSchema>;
export type Finding = Shape<typeof FindingSchema>;
export type Diagnosis = Shape<typeof DiagnosisSchema>;

export type CriRuntimeKind = CriDiagnosis['runtime'];
/** Where the kubelet's CRI endpoint came from: its command line, kubeadm-flags.env, its --config file, or its built-in default. */
export type KubeletEndpointSource = NonNullable<KubeletDiagnosis['endpointSource']>;
export type CriChoiceHow = CriDiagnosis['how'];
export type FindingSeverity = Finding['severity'];
