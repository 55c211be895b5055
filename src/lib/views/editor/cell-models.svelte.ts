/**
 * One Monaco model per cell, named `file:///cells/<id>.ts`. Models exist for every cell, not
 * only the one open in an editor, so that the TypeScript worker checks the whole notebook as one
 * program and can report type errors on cells that are not being edited.
 */

import type { CellError, CellId, CellSource } from '$lib/worker/api';
import type { Monaco, TextModel } from './monaco';

/** Marker owner for errors the notebook runtime reports (Monaco's TypeScript uses 'typescript'). */
const RUNTIME_MARKER_OWNER = 'notebook';
/** Quiet time after an edit before the other cells are type-checked again, in milliseconds. */
const RECHECK_DELAY_MS = 700;

/** A TypeScript diagnostic on a cell; line and column are 1-based. */
export interface TypeDiagnostic {
	line: number;
	column: number;
	message: string;
	code: string;
}

export function cellUri(monaco: Monaco, id: CellId) {
	return monaco.Uri.parse(`file:///cells/${encodeURIComponent(id)}.ts`);
}

export class CellModels {
	readonly monaco: Monaco;
	/** TypeScript errors per cell, kept in step with Monaco's markers. */
	typeErrors = $state.raw<Record<CellId, TypeDiagnostic[]>>({});

	// Bookkeeping only: components read `typeErrors`, never these maps.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#models = new Map<CellId, TextModel>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#idsByUri = new Map<string, CellId>();
	#onEdit: (id: CellId, code: string) => void;
	#recheck: (models: TextModel[]) => Promise<void>;
	#markerListener: { dispose(): void };
	#recheckTimer: ReturnType<typeof setTimeout> | null = null;
	/** Cells edited since the last recheck; Monaco checks those itself. */
	#edited: CellId[] = [];

	constructor(
		monaco: Monaco,
		onEdit: (id: CellId, code: string) => void,
		recheck: (models: TextModel[]) => Promise<void>
	) {
		this.monaco = monaco;
		this.#onEdit = onEdit;
		this.#recheck = recheck;
		this.#markerListener = monaco.editor.onDidChangeMarkers((uris) => this.#readMarkers(uris));
	}

	model(id: CellId): TextModel | undefined {
		return this.#models.get(id);
	}

	/** Creates, updates and disposes models so that they match `cells`. */
	sync(cells: readonly CellSource[]): void {
		let changed = false;
		for (const [id, model] of this.#models) {
			if (cells.some((cell) => cell.id === id)) continue;
			this.#idsByUri.delete(model.uri.toString());
			this.#models.delete(id);
			model.dispose();
			changed = true;
		}

		for (const { id, code } of cells) {
			const model = this.#models.get(id);
			if (!model) {
				this.#create(id, code);
				changed = true;
			} else if (model.getValue() !== code) {
				model.setValue(code);
			}
		}
		// A deleted cell can leave names undefined in others, and a new one can declare them.
		if (changed) this.#scheduleRecheck();
	}

	/**
	 * Shows the runtime's errors as markers on their lines, so an open editor underlines them.
	 * Errors without a line (a cycle, a stop) have no place in the code and stay in the output.
	 */
	setRuntimeErrors(id: CellId, errors: readonly CellError[]): void {
		const model = this.#models.get(id);
		if (!model) return;

		const lineCount = model.getLineCount();
		const markers = errors
			.filter((error) => error.line !== undefined && error.line >= 1 && error.line <= lineCount)
			.map((error) => {
				const line = error.line as number;
				const lastColumn = model.getLineMaxColumn(line);
				const column = Math.min(error.column ?? 1, lastColumn);
				return {
					severity: this.monaco.MarkerSeverity.Error,
					message: error.message,
					source: error.kind === 'compile' ? 'compile error' : `${error.kind} error`,
					startLineNumber: line,
					startColumn: column,
					endLineNumber: line,
					endColumn: column < lastColumn ? lastColumn : column + 1
				};
			});
		this.monaco.editor.setModelMarkers(model, RUNTIME_MARKER_OWNER, markers);
	}

	dispose(): void {
		if (this.#recheckTimer !== null) clearTimeout(this.#recheckTimer);
		this.#markerListener.dispose();
		for (const model of this.#models.values()) model.dispose();
		this.#models.clear();
		this.#idsByUri.clear();
	}

	#create(id: CellId, code: string): void {
		const uri = cellUri(this.monaco, id);
		// A model left over from an earlier session with the same id would make createModel throw.
		this.monaco.editor.getModel(uri)?.dispose();

		const model = this.monaco.editor.createModel(code, 'typescript', uri);
		model.onDidChangeContent(() => {
			this.#onEdit(id, model.getValue());
			this.#scheduleRecheck(id);
		});
		this.#models.set(id, model);
		this.#idsByUri.set(uri.toString(), id);
	}

	/** Type-checks every cell but the edited ones once typing pauses. */
	#scheduleRecheck(edited?: CellId): void {
		if (edited !== undefined && !this.#edited.includes(edited)) this.#edited.push(edited);
		if (this.#recheckTimer !== null) clearTimeout(this.#recheckTimer);

		this.#recheckTimer = setTimeout(() => {
			this.#recheckTimer = null;
			const others = [...this.#models]
				.filter(([id]) => !this.#edited.includes(id))
				.map(([, model]) => model);
			this.#edited = [];
			this.#recheck(others).catch((error: unknown) =>
				console.warn('type-checking the other cells failed', error)
			);
		}, RECHECK_DELAY_MS);
	}

	#readMarkers(uris: readonly { toString(): string }[]): void {
		let changed: Record<CellId, TypeDiagnostic[]> | null = null;
		for (const uri of uris) {
			const id = this.#idsByUri.get(uri.toString());
			const model = id === undefined ? undefined : this.#models.get(id);
			if (id === undefined || !model) continue;

			changed ??= { ...this.typeErrors };
			changed[id] = this.monaco.editor
				.getModelMarkers({ resource: model.uri, owner: 'typescript' })
				.filter((marker) => marker.severity === this.monaco.MarkerSeverity.Error)
				.map((marker) => ({
					line: marker.startLineNumber,
					column: marker.startColumn,
					message: marker.message,
					code: typeof marker.code === 'object' ? marker.code.value : String(marker.code ?? '')
				}));
		}
		if (changed) this.typeErrors = changed;
	}
}
