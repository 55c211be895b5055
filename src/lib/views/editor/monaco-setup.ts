/**
 * Monaco, configured for notebook cells. Import it only through `loadMonaco()` in `monaco.ts`,
 * which keeps it out of the server bundle and the first page load.
 *
 * Cells are TypeScript global scripts: one model per cell, no imports or exports, so all cells
 * form one program and a name declared in one cell is known in the others. The engine's
 * declarations and the cell globals come from the `virtual:cell-types` module, which the
 * `cellTypes` Vite plugin generates from the real sources at build time.
 */

import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import {
	getTypeScriptWorker,
	ModuleKind,
	ModuleResolutionKind,
	ScriptTarget,
	typescriptDefaults,
	type Diagnostic
} from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TypeScriptWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import cellTypes from 'virtual:cell-types';

export { monaco };

/**
 * TypeScript diagnostics that cells never show: a script reports top-level `await` and
 * `for await` as errors (1375, 1378, 1431, 1432), but the notebook supports both in cells.
 */
export const IGNORED_DIAGNOSTICS = [1375, 1378, 1431, 1432];

// Vite bundles each `?worker` import as a same-origin module worker, so Monaco never falls back
// to running its language services on the main thread.
globalThis.MonacoEnvironment = {
	getWorker(_workerId: string, label: string): Worker {
		if (label === 'typescript' || label === 'javascript') {
			return new TypeScriptWorker({ name: 'monaco-typescript' });
		}
		return new EditorWorker({ name: 'monaco-editor' });
	}
};

typescriptDefaults.setCompilerOptions({
	target: ScriptTarget.ESNext,
	module: ModuleKind.ESNext,
	moduleResolution: ModuleResolutionKind.NodeJs,
	// Cells run in a Web Worker, so they see the worker's globals, not the DOM's.
	lib: ['esnext', 'webworker'],
	strict: true,
	// Ported Python snippets often leave parameters untyped; that is not worth a squiggle.
	noImplicitAny: false,
	allowNonTsExtensions: true,
	noEmit: true
});
typescriptDefaults.setDiagnosticsOptions({
	noSemanticValidation: false,
	noSyntaxValidation: false,
	diagnosticCodesToIgnore: IGNORED_DIAGNOSTICS
});
// Every cell model joins the program even before it is opened in an editor.
typescriptDefaults.setEagerModelSync(true);
typescriptDefaults.setExtraLibs(cellTypes);

monaco.editor.defineTheme('playground-light', {
	base: 'vs',
	inherit: true,
	rules: [],
	colors: { 'editor.background': '#fbfbfd', 'editorGutter.background': '#fbfbfd' }
});
monaco.editor.defineTheme('playground-dark', {
	base: 'vs-dark',
	inherit: true,
	rules: [],
	colors: { 'editor.background': '#1b1d23', 'editorGutter.background': '#1b1d23' }
});

/**
 * Type-checks `models` again and replaces their TypeScript markers. Monaco re-checks a model
 * only when its own text changes, but a cell's errors also depend on the other cells (rename a
 * name in one cell and its users break), so the notebook calls this for the cells not edited.
 */
export async function recheckModels(models: monaco.editor.ITextModel[]): Promise<void> {
	const getWorker = await getTypeScriptWorker();
	for (const model of models) {
		if (model.isDisposed()) continue;
		const worker = await getWorker(model.uri);
		const file = model.uri.toString();
		const diagnostics = [
			...(await worker.getSyntacticDiagnostics(file)),
			...(await worker.getSemanticDiagnostics(file))
		];
		if (model.isDisposed()) continue;

		const markers = diagnostics
			.filter((diagnostic) => !IGNORED_DIAGNOSTICS.includes(diagnostic.code))
			.map((diagnostic) => diagnosticMarker(model, diagnostic));
		monaco.editor.setModelMarkers(model, 'typescript', markers);
	}
}

function diagnosticMarker(
	model: monaco.editor.ITextModel,
	diagnostic: Diagnostic
): monaco.editor.IMarkerData {
	const start = model.getPositionAt(diagnostic.start ?? 0);
	const end = model.getPositionAt((diagnostic.start ?? 0) + (diagnostic.length ?? 1));
	const severities = [
		monaco.MarkerSeverity.Warning,
		monaco.MarkerSeverity.Error,
		monaco.MarkerSeverity.Hint,
		monaco.MarkerSeverity.Info
	];
	return {
		severity: severities[diagnostic.category],
		message: flattenMessage(diagnostic.messageText),
		code: String(diagnostic.code),
		startLineNumber: start.lineNumber,
		startColumn: start.column,
		endLineNumber: end.lineNumber,
		endColumn: end.column
	};
}

/** Joins a TypeScript message chain as Monaco prints it: one reason per line, indented. */
function flattenMessage(message: Diagnostic['messageText'], depth = 0): string {
	if (typeof message === 'string') return message;
	const line = `${depth > 0 ? '\n' + '  '.repeat(depth) : ''}${message.messageText}`;
	return line + (message.next ?? []).map((next) => flattenMessage(next, depth + 1)).join('');
}
