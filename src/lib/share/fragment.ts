/**
 * The URL fragment of a share or embed link: `#nb=v1.<data>` followed by embed options as
 * readable `key=value` pairs that a blog author can edit by hand, for example
 * `#nb=v1.…&cells=vanishing,bn&code=hidden&theme=auto&run=load`.
 */

export interface EmbedOptions {
	/** Cell ids to show; empty shows every cell. */
	cells: string[];
	code: 'shown' | 'hidden' | 'collapsible';
	edit: 'editable' | 'readonly';
	run: 'load' | 'click';
	theme: 'auto' | 'light' | 'dark';
}

export const DEFAULT_EMBED_OPTIONS: EmbedOptions = {
	cells: [],
	code: 'shown',
	edit: 'editable',
	run: 'load',
	theme: 'auto'
};

const CHOICES = {
	code: ['shown', 'hidden', 'collapsible'],
	edit: ['editable', 'readonly'],
	run: ['load', 'click'],
	theme: ['auto', 'light', 'dark']
} as const;

export interface ParsedFragment {
	/** The `nb=` payload, undefined when the fragment has none. */
	payload?: string;
	options: EmbedOptions;
	/** One sentence per option that was not understood; the default is used instead. */
	warnings: string[];
}

/** Parses `location.hash` (with or without the leading `#`). Never throws. */
export function parseFragment(hash: string): ParsedFragment {
	const options: EmbedOptions = { ...DEFAULT_EMBED_OPTIONS, cells: [] };
	const warnings: string[] = [];
	let payload: string | undefined;

	for (const pair of hash.replace(/^#/, '').split('&')) {
		if (!pair) continue;
		const equals = pair.indexOf('=');
		const key = equals < 0 ? pair : pair.slice(0, equals);
		const value = equals < 0 ? '' : safeDecode(pair.slice(equals + 1));

		if (key === 'nb') payload = value;
		else if (key === 'cells') options.cells = value.split(',').filter(Boolean);
		else if (key in CHOICES) {
			const choices: readonly string[] = CHOICES[key as keyof typeof CHOICES];
			if (choices.includes(value)) Object.assign(options, { [key]: value });
			else warnings.push(`Option ${key}=${value} is invalid; use one of ${choices.join(', ')}.`);
		} else warnings.push(`Option "${key}" is unknown and was ignored.`);
	}
	return { payload, options, warnings };
}

/** Builds a fragment (without `#`): the payload, then only the options that differ from defaults. */
export function formatFragment(payload: string, options: Partial<EmbedOptions> = {}): string {
	const parts = [`nb=${payload}`];
	if (options.cells?.length) parts.push(`cells=${options.cells.map(encodeURIComponent).join(',')}`);
	for (const key of ['code', 'edit', 'run', 'theme'] as const) {
		const value = options[key];
		if (value !== undefined && value !== DEFAULT_EMBED_OPTIONS[key]) parts.push(`${key}=${value}`);
	}
	return parts.join('&');
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}
