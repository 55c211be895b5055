/**
 * The TypeScript diagnostics listed under a cell, as the reader sees them: syntax errors
 * (TypeScript codes below 2000) labelled as such, and a hint for the usual mistake of doing
 * arithmetic on a promise, such as `t.item() * 2` without `await`.
 */
import type { CellError } from '$lib/worker/api';
import type { TypeDiagnostic } from './cell-models.svelte';

export interface ListedTypeError {
	label: 'Syntax error' | 'Type error';
	line: number;
	/** The first line of TypeScript's message, which names what failed, plus a hint. */
	summary: string;
	/** The whole message, with the reasons TypeScript chains on further lines. */
	message: string;
}

/** TypeScript's "The left-hand side / right-hand side of an arithmetic operation must be...". */
const ARITHMETIC_OPERAND_CODES = new Set(['2362', '2363']);

const AWAIT_HINT =
	' If the value comes from .item(), .tolist() or .array(), add await: they return promises.';

/**
 * Lists the diagnostics to show. A cell that failed to compile already shows the compiler's
 * syntax error with its line, so TypeScript's syntax errors would repeat it and are left out.
 */
export function listTypeErrors(
	diagnostics: readonly TypeDiagnostic[],
	cellErrors: readonly CellError[]
): ListedTypeError[] {
	const compileFailed = cellErrors.some((error) => error.kind === 'compile');
	return diagnostics
		.filter((diagnostic) => !(compileFailed && isSyntaxCode(diagnostic.code)))
		.map((diagnostic) => {
			const end = diagnostic.message.indexOf('\n');
			const first = end < 0 ? diagnostic.message : `${diagnostic.message.slice(0, end)} …`;
			const hint = ARITHMETIC_OPERAND_CODES.has(diagnostic.code) ? AWAIT_HINT : '';
			return {
				label: isSyntaxCode(diagnostic.code) ? 'Syntax error' : 'Type error',
				line: diagnostic.line,
				summary: first + hint,
				message: diagnostic.message + hint
			};
		});
}

function isSyntaxCode(code: string): boolean {
	const value = Number(code);
	return Number.isInteger(value) && value >= 1000 && value < 2000;
}
