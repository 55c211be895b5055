/**
 * The notebook's dependency graph: which cell provides each name a cell uses, and the errors
 * that make a cell unrunnable before any code runs (a name declared twice, a circular
 * definition, a name declared nowhere). Pure data in, pure data out.
 */

import type { CellError, CellId } from '../worker/api';

export interface GraphCell {
	id: CellId;
	outputs: readonly string[];
	inputs: readonly string[];
	/** Inputs used only as `typeof name`, which may stay undeclared. */
	typeofOnly?: readonly string[];
	/** The cell does not compile and never did, so its outputs are unknown. */
	unknownOutputs?: boolean;
}

export interface CellPlan {
	/** Each input another cell provides, with the cell that provides it. */
	upstream: Map<string, CellId>;
	/** Every cell this one waits for, including all declarers of a name declared twice. */
	dependsOn: Set<CellId>;
	/** Why the cell cannot run, found without running it. */
	error?: CellError;
}

export interface NotebookGraph {
	plans: Map<CellId, CellPlan>;
	/** Dependency order; cells that do not depend on each other keep their notebook order. */
	order: CellId[];
	/** Cells that use a cell's outputs, directly. */
	readers: Map<CellId, Set<CellId>>;
}

/** Builds the graph; `isGlobal` says whether an undeclared name exists without a cell. */
export function buildGraph(
	cells: readonly GraphCell[],
	isGlobal: (name: string) => boolean
): NotebookGraph {
	const declarers = new Map<string, CellId[]>();
	for (const cell of cells) {
		for (const name of cell.outputs) {
			const list = declarers.get(name) ?? [];
			if (!list.includes(cell.id)) list.push(cell.id);
			declarers.set(name, list);
		}
	}

	// A name nobody declares may be declared by a cell that does not compile yet: wait for it.
	const unknown = cells.filter((cell) => cell.unknownOutputs).map((cell) => cell.id);
	const plans = new Map<CellId, CellPlan>();
	for (const cell of cells) plans.set(cell.id, planCell(cell, declarers, isGlobal, unknown));

	const readers = new Map<CellId, Set<CellId>>(cells.map((cell) => [cell.id, new Set()]));
	for (const [id, plan] of plans) {
		for (const provider of plan.dependsOn) readers.get(provider)?.add(id);
	}

	markCycles(cells, plans);
	return { plans, order: dependencyOrder(cells, plans), readers };
}

/** Every cell downstream of `ids` (transitively), not counting `ids` themselves. */
export function downstreamOf(graph: NotebookGraph, ids: Iterable<CellId>): Set<CellId> {
	const start = new Set(ids);
	const found = new Set<CellId>();
	const stack = [...start];
	while (stack.length > 0) {
		const id = stack.pop()!;
		for (const reader of graph.readers.get(id) ?? []) {
			if (found.has(reader) || start.has(reader)) continue;
			found.add(reader);
			stack.push(reader);
		}
	}
	return found;
}

function planCell(
	cell: GraphCell,
	declarers: Map<string, CellId[]>,
	isGlobal: (name: string) => boolean,
	unknown: readonly CellId[]
): CellPlan {
	const plan: CellPlan = { upstream: new Map(), dependsOn: new Set() };
	const undefinedNames: string[] = [];

	for (const name of cell.inputs) {
		const providers = declarers.get(name) ?? [];
		if (providers.length === 1) plan.upstream.set(name, providers[0]);
		for (const provider of providers) plan.dependsOn.add(provider);
		const optional = isGlobal(name) || cell.typeofOnly?.includes(name);
		if (providers.length > 0 || optional) continue;

		const others = unknown.filter((id) => id !== cell.id);
		if (others.length > 0) for (const id of others) plan.dependsOn.add(id);
		else undefinedNames.push(name);
	}

	plan.error = duplicateError(cell, declarers) ?? undefinedError(cell, undefinedNames);
	return plan;
}

function duplicateError(cell: GraphCell, declarers: Map<string, CellId[]>): CellError | undefined {
	const sentences: string[] = [];
	const related = new Set<CellId>();
	for (const name of cell.outputs) {
		const cells = declarers.get(name) ?? [];
		if (cells.length < 2) continue;
		sentences.push(`'${name}' is defined in cells ${listWords(cells)}.`);
		for (const other of cells) if (other !== cell.id) related.add(other);
	}
	if (sentences.length === 0) return undefined;

	const fix = sentences.length === 1 ? 'Rename one of them.' : 'Rename one of each.';
	return {
		cell: cell.id,
		kind: 'duplicate',
		message: `${sentences.join(' ')} ${fix}`,
		related: [...related]
	};
}

function undefinedError(cell: GraphCell, names: string[]): CellError | undefined {
	if (names.length === 0) return undefined;
	const [first] = names;
	const subject = names.length === 1 ? `${first} is` : `${listWords(names)} are`;
	const pronoun = names.length === 1 ? 'it' : 'them';
	return {
		cell: cell.id,
		kind: 'undefined',
		message:
			`ReferenceError: ${subject} not defined. No cell declares ${pronoun} and there is no ` +
			`global of that name. Declare ${pronoun} in a cell, or check the spelling.`
	};
}

/**
 * Marks every cell of a dependency cycle (Tarjan's strongly connected components) with a
 * 'cycle' error naming the names that close the loop; it replaces any other error.
 */
function markCycles(cells: readonly GraphCell[], plans: Map<CellId, CellPlan>): void {
	for (const component of stronglyConnected(cells, plans)) {
		if (component.length < 2) continue;
		const members = new Set(component);
		const uses = component.map((id) => {
			const names = [...plans.get(id)!.upstream]
				.filter(([, provider]) => members.has(provider))
				.map(([name, provider]) => `'${name}' from cell ${provider}`);
			return `cell ${id} uses ${listWords(names)}`;
		});

		for (const id of component) {
			plans.get(id)!.error = {
				cell: id,
				kind: 'cycle',
				message:
					`Circular definition: ${listWords(uses)}. Move the code that needs both into ` +
					'one cell, or rename one of the names.',
				related: component.filter((other) => other !== id)
			};
		}
	}
}

function stronglyConnected(cells: readonly GraphCell[], plans: Map<CellId, CellPlan>): CellId[][] {
	const index = new Map<CellId, number>();
	const low = new Map<CellId, number>();
	const onStack = new Set<CellId>();
	const stack: CellId[] = [];
	const components: CellId[][] = [];
	let counter = 0;

	const visit = (id: CellId): void => {
		index.set(id, counter);
		low.set(id, counter);
		counter++;
		stack.push(id);
		onStack.add(id);

		for (const next of plans.get(id)?.dependsOn ?? []) {
			if (!index.has(next)) {
				visit(next);
				low.set(id, Math.min(low.get(id)!, low.get(next)!));
			} else if (onStack.has(next)) {
				low.set(id, Math.min(low.get(id)!, index.get(next)!));
			}
		}

		if (low.get(id) === index.get(id)) {
			const component: CellId[] = [];
			let member: CellId;
			do {
				member = stack.pop()!;
				onStack.delete(member);
				component.push(member);
			} while (member !== id);
			components.push(component.reverse());
		}
	};

	for (const cell of cells) if (!index.has(cell.id)) visit(cell.id);
	return components;
}

/**
 * Kahn's algorithm, taking the earliest cell in notebook order among those ready, so runs are
 * deterministic. Cells left in a cycle are taken in notebook order once nothing else is ready.
 */
function dependencyOrder(cells: readonly GraphCell[], plans: Map<CellId, CellPlan>): CellId[] {
	const remaining = new Map<CellId, number>();
	for (const cell of cells) remaining.set(cell.id, plans.get(cell.id)!.dependsOn.size);

	const order: CellId[] = [];
	const done = new Set<CellId>();
	while (order.length < cells.length) {
		const ready =
			cells.find((cell) => !done.has(cell.id) && remaining.get(cell.id) === 0) ??
			cells.find((cell) => !done.has(cell.id))!;
		order.push(ready.id);
		done.add(ready.id);
		for (const cell of cells) {
			if (!done.has(cell.id) && plans.get(cell.id)!.dependsOn.has(ready.id)) {
				remaining.set(cell.id, remaining.get(cell.id)! - 1);
			}
		}
	}
	return order;
}

/** Joins words as prose: "a", "a and b", "a, b and c". */
function listWords(words: readonly string[]): string {
	if (words.length <= 1) return words.join('');
	return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
