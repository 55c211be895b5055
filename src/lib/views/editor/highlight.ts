/**
 * A small TypeScript highlighter for code shown read-only, where loading Monaco (megabytes) only
 * to colour text would cost more than the rest of the page: embeds without an editor, touch
 * screens, and the playground before Monaco arrives. It tokenises with one regular expression
 * and never parses, so an odd construct may be coloured wrongly but is always shown verbatim.
 */

export type TokenKind = 'comment' | 'string' | 'number' | 'keyword' | 'type' | 'plain';

export interface Token {
	kind: TokenKind;
	text: string;
}

const KEYWORDS = new Set(
	(
		'as async await break case catch class const continue debugger default delete do else ' +
		'export extends false finally for from function if import in instanceof let new null of ' +
		'return static super switch this throw true try typeof undefined var void while yield ' +
		'interface type implements readonly private protected public declare enum keyof'
	).split(' ')
);

// Alternatives in order: block comment, line comment, template or quoted string, number,
// identifier. Unterminated comments and strings run to the end of the text, as an editor shows.
const TOKEN =
	/(\/\*[\s\S]*?(?:\*\/|$))|(\/\/[^\n]*)|(`(?:[^`\\]|\\[\s\S])*`?|'(?:[^'\\\n]|\\.)*'?|"(?:[^"\\\n]|\\.)*"?)|(\b(?:0[xX][\da-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?n?|\.\d+(?:[eE][+-]?\d+)?)\b)|([A-Za-z_$][\w$]*)/g;

/** Splits `code` into tokens; joining their texts gives `code` back exactly. */
export function tokenize(code: string): Token[] {
	const tokens: Token[] = [];
	let last = 0;
	for (const match of code.matchAll(TOKEN)) {
		const start = match.index;
		if (start > last) tokens.push({ kind: 'plain', text: code.slice(last, start) });
		tokens.push({ kind: tokenKind(match), text: match[0] });
		last = start + match[0].length;
	}
	if (last < code.length) tokens.push({ kind: 'plain', text: code.slice(last) });
	return tokens;
}

function tokenKind(match: RegExpMatchArray): TokenKind {
	if (match[1] !== undefined || match[2] !== undefined) return 'comment';
	if (match[3] !== undefined) return 'string';
	if (match[4] !== undefined) return 'number';
	const word = match[5];
	if (KEYWORDS.has(word)) return 'keyword';
	// PascalCase names are classes and types in the series' code (nn.Linear, Tensor).
	return /^[A-Z]/.test(word) ? 'type' : 'plain';
}

/** Returns the tokens of each line of `code`; a token spanning lines is split at each newline. */
export function highlightLines(code: string): Token[][] {
	const lines: Token[][] = [[]];
	for (const token of tokenize(code)) {
		const pieces = token.text.split('\n');
		pieces.forEach((text, index) => {
			if (index > 0) lines.push([]);
			if (text) lines[lines.length - 1].push({ kind: token.kind, text });
		});
	}
	return lines;
}
