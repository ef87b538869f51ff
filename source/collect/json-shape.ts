/** Checks for JSON a node sent: shapes are tested, never assumed. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The string-valued entries of an object (labels, annotations); anything else is dropped. */
export function stringMap(value: unknown): Record<string, string> {
	// No prototype: a label named `__proto__` is kept, and `constructor` is not a method.
	const out = Object.create(null) as Record<string, string>;
	if (!isRecord(value)) return out;
	for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
	return out;
}
