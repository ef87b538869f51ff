/**
 * The `/` filter: case-insensitive, live. Words separated by spaces must all appear
 * (in any field), so `web k8s` narrows to the web pod in k8s.io without caring
 * which column holds which word.
 */
export type Matcher = (haystack: string) => boolean;

export function makeMatcher(filter: string): Matcher | null {
	const terms = filter.toLowerCase().split(/\s+/).filter((term) => term.length > 0);
	if (terms.length === 0) return null;
	if (terms.length === 1) {
		const [term] = terms as [string];
		return (haystack) => haystack.includes(term);
	}
	return (haystack) => terms.every((term) => haystack.includes(term));
}

/** Builds an item's haystack from raw (unescaped) fields: what the user sees is what they type. */
export function haystackOf(...fields: readonly (string | number | null | undefined)[]): string {
	let out = '';
	for (const field of fields) {
		if (field === null || field === undefined || field === '') continue;
		out += (out ? '\n' : '') + String(field).toLowerCase();
	}
	return out;
}
