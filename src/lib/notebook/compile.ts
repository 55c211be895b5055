/**
 * Turns a cell's TypeScript into an async function. Sucrase strips the types and keeps every
 * line where it was, so an error's line in the compiled code is its line in the cell. The
 * function takes the cell's inputs and returns its outputs and the value of its last
 * expression statement. Top-level loops get a pause, so the worker keeps handling messages.
 *
 * The generated source, for a cell `const y = x * 2; y` with input x:
 *
 *     (function (__nb, torch, nn, ...) { return async function (x) { "use strict"; let ...;<cell>
 *     return { outputs: { y: y }, value: __nb_value }; }; })
 *     //# sourceURL=cell-<id>.js
 *
 * The cell starts on line 1, after the header, so only columns on line 1 shift.
 */

import { transform } from 'sucrase';
import type { AnyNode, Program, Statement } from 'acorn';
import { analyseCell, parseCellJs, type CellAnalysis } from './parse';
import type { LoopPacer } from './cancel';

export interface CompiledCell extends CellAnalysis {
	/** The cell as JavaScript, line for line. */
	js: string;
	/** `js` with loop pauses and the capture of the last expression inserted. */
	body: string;
	/** Insertions made into `js`, as offset in `js` and inserted length, in offset order. */
	insertions: [offset: number, length: number][];
	hasValue: boolean;
	loopCount: number;
}

export class CellCompileError extends Error {
	override name = 'SyntaxError';
	constructor(
		message: string,
		readonly line?: number,
		readonly column?: number
	) {
		super(message);
	}
}

export interface CellResult {
	outputs: Record<string, unknown>;
	value: unknown;
}

/** The instantiated cell: it takes the injected globals and returns the runnable function. */
export type CellFactory = (
	pacer: LoopPacer,
	...globals: unknown[]
) => (...inputs: unknown[]) => Promise<CellResult>;

const VALUE = '__nb_value';
const PACER = '__nb';
const counter = (loop: number) => `__nb_c${loop}`;

/** Compiles a cell's TypeScript, or throws `CellCompileError` with a 1-based line and column. */
export function compileCell(code: string): CompiledCell {
	const js = stripTypes(code);
	const program = parseJs(js);
	rejectModuleSyntax(program);

	const analysis = analyseCell(program);
	const insertions: Insertion[] = [];
	const loopCount = insertLoopPauses(program, insertions);
	const hasValue = captureLastExpression(program, js, insertions);

	insertions.sort((a, b) => a.offset - b.offset);
	let body = '';
	let from = 0;
	for (const { offset, text } of insertions) {
		body += js.slice(from, offset) + text;
		from = offset;
	}
	body += js.slice(from);

	return {
		...analysis,
		js,
		body,
		insertions: insertions.map(({ offset, text }) => [offset, text.length]),
		hasValue,
		loopCount
	};
}

function stripTypes(code: string): string {
	try {
		return transform(code, { transforms: ['typescript'], disableESTransforms: true }).code;
	} catch (error) {
		// Sucrase reports 1-based columns and appends "(line:column)" to its message.
		const loc = (error as { loc?: { line: number; column: number } }).loc;
		throw new CellCompileError(
			trimLocation(String((error as Error).message)),
			loc?.line,
			loc?.column
		);
	}
}

function parseJs(js: string): Program {
	try {
		return parseCellJs(js);
	} catch (error) {
		// Acorn reports 0-based columns.
		const loc = (error as { loc?: { line: number; column: number } }).loc;
		const column = loc ? loc.column + 1 : undefined;
		throw new CellCompileError(trimLocation(String((error as Error).message)), loc?.line, column);
	}
}

function trimLocation(message: string): string {
	return message.replace(/\s*\(\d+:\d+\)$/, '');
}

function rejectModuleSyntax(program: Program): void {
	for (const statement of program.body) {
		if (statement.type.startsWith('Import') || statement.type.startsWith('Export')) {
			const line = statement.loc?.start.line;
			const word = statement.type.startsWith('Import') ? 'import' : 'export';
			throw new CellCompileError(
				`'${word}' is not allowed in a cell: cells share names directly, and torch, nn, F, ` +
					'optim, plt and views are already defined. Remove the statement.',
				line,
				1
			);
		}
	}
}

interface Insertion {
	offset: number;
	text: string;
}

/**
 * Inserts a pause at the start of the body of every loop that runs at the cell's top level,
 * including loops nested in top-level blocks and other loops. Loops in functions and classes
 * are left alone, because they cannot await.
 */
function insertLoopPauses(program: Program, insertions: Insertion[]): number {
	let loops = 0;
	const visit = (node: AnyNode | null | undefined): void => {
		if (!node || isFunctionLike(node)) return;
		if (isLoop(node)) {
			const pause = pauseCode(loops++);
			const body = node.body;
			if (body.type === 'BlockStatement') {
				insertions.push({ offset: body.start + 1, text: pause });
			} else {
				insertions.push({ offset: body.start, text: `{${pause}` });
				insertions.push({ offset: body.end, text: '}' });
			}
		}
		forEachChild(node, visit);
	};
	for (const statement of program.body) visit(statement);
	return loops;
}

function pauseCode(loop: number): string {
	const c = counter(loop);
	return `if (--${c} < 1 && (${c} = ${PACER}.tick(${loop})) < 1) ${c} = await ${PACER}.pause(${loop});`;
}

/** Wraps the last top-level statement, when it is an expression, in an assignment to VALUE. */
function captureLastExpression(program: Program, js: string, insertions: Insertion[]): boolean {
	const last = program.body.at(-1) as Statement | undefined;
	if (last?.type !== 'ExpressionStatement') return false;

	let end = last.end;
	if (js[end - 1] === ';') end -= 1;
	insertions.push({ offset: last.start, text: `;${VALUE} = (` });
	insertions.push({ offset: end, text: ')' });
	return true;
}

function isLoop(node: AnyNode): node is Extract<
	AnyNode,
	{
		type:
			'ForStatement' | 'ForInStatement' | 'ForOfStatement' | 'WhileStatement' | 'DoWhileStatement';
	}
> {
	return (
		node.type === 'ForStatement' ||
		node.type === 'ForInStatement' ||
		node.type === 'ForOfStatement' ||
		node.type === 'WhileStatement' ||
		node.type === 'DoWhileStatement'
	);
}

function isFunctionLike(node: AnyNode): boolean {
	return (
		node.type === 'FunctionDeclaration' ||
		node.type === 'FunctionExpression' ||
		node.type === 'ArrowFunctionExpression' ||
		node.type === 'ClassDeclaration' ||
		node.type === 'ClassExpression'
	);
}

function forEachChild(node: AnyNode, visit: (child: AnyNode) => void): void {
	for (const key of Object.keys(node)) {
		if (key === 'loc') continue;
		const child = (node as unknown as Record<string, unknown>)[key];
		if (Array.isArray(child)) {
			for (const item of child) if (isNode(item)) visit(item);
		} else if (isNode(child)) {
			visit(child);
		}
	}
}

function isNode(value: unknown): value is AnyNode {
	return typeof value === 'object' && value !== null && 'type' in value && 'start' in value;
}

/** Names for one instantiation of a compiled cell. */
export interface InstantiateOptions {
	cellId: string;
	globals: readonly string[];
	/** Inputs that other cells provide, passed as arguments in this order. */
	inputs: readonly string[];
}

export interface InstantiatedCell {
	factory: CellFactory;
	/** Length of the generated header in front of the cell on line 1. */
	headerColumns: number;
	sourceUrl: string;
}

/** Evaluates the compiled cell into a factory whose source is named `cell-<id>.js`. */
export function instantiateCell(
	compiled: CompiledCell,
	options: InstantiateOptions
): InstantiatedCell {
	const counters = Array.from({ length: compiled.loopCount }, (_, i) => `${counter(i)} = 1`);
	const locals = [VALUE, ...counters].join(', ');
	const header =
		`(function (${[PACER, ...options.globals].join(', ')}) { ` +
		`return async function (${options.inputs.join(', ')}) { "use strict"; let ${locals};`;

	const outputs = compiled.outputs.map((name) => `${JSON.stringify(name)}: ${name}`).join(', ');
	const sourceUrl = cellSourceUrl(options.cellId);
	const footer =
		`\nreturn { outputs: { ${outputs} }, value: ${VALUE} }; }; })` + `\n//# sourceURL=${sourceUrl}`;

	// Indirect eval runs in global scope and keeps the source's own line numbers, where
	// `new Function` would add two header lines.
	const factory = (0, eval)(header + compiled.body + footer) as CellFactory;
	return { factory, headerColumns: header.length, sourceUrl };
}

export function cellSourceUrl(cellId: string): string {
	return `cell-${cellId.replace(/[^A-Za-z0-9_-]/g, '_')}.js`;
}

/**
 * Finds where in the cell an error was thrown: the innermost stack frame in the cell's own
 * source, mapped back through the header and the insertions. Lines are exact. Columns are
 * those of the compiled JavaScript, which differ from the TypeScript where types were removed.
 */
export function locateError(
	error: unknown,
	compiled: CompiledCell,
	instance: Pick<InstantiatedCell, 'headerColumns' | 'sourceUrl'>
): { line: number; column: number } | undefined {
	const stack = (error as { stack?: unknown } | null)?.stack;
	if (typeof stack !== 'string') return undefined;

	const escaped = instance.sourceUrl.replace(/[.]/g, '\\.');
	const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
	if (!match) return undefined;

	const line = Number(match[1]);
	let column = Number(match[2]);
	if (line === 1) column -= instance.headerColumns;
	if (line > lineCount(compiled.js)) return undefined;
	return { line, column: Math.max(1, unshiftColumn(compiled, line, column)) };
}

function lineCount(text: string): number {
	return text.split('\n').length;
}

function lineStart(text: string, line: number): number {
	let offset = 0;
	for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
	return offset;
}

/** Maps a 1-based column of `body` back to `js`. No insertion contains a line break. */
function unshiftColumn(compiled: CompiledCell, line: number, column: number): number {
	const bodyOffset = lineStart(compiled.body, line) + column - 1;
	let inserted = 0;
	let jsOffset = bodyOffset;
	for (const [offset, length] of compiled.insertions) {
		const bodyStart = offset + inserted;
		if (bodyOffset < bodyStart) break;
		if (bodyOffset < bodyStart + length) {
			jsOffset = offset + inserted;
			break;
		}
		inserted += length;
	}
	return jsOffset - inserted - lineStart(compiled.js, line) + 1;
}
