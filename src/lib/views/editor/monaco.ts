/**
 * Loads Monaco on first use. The editor is large (its TypeScript worker alone is about 7 MB in
 * the production build), so the page shows highlighted or plain code first and loads Monaco in
 * the background.
 */

import type * as MonacoApi from 'monaco-editor/editor';

export type Monaco = typeof MonacoApi;
export type CodeEditor = MonacoApi.editor.IStandaloneCodeEditor;
export type TextModel = MonacoApi.editor.ITextModel;

let loading: Promise<Monaco> | null = null;

/** Resolves to the configured Monaco API; every call shares one load. */
export function loadMonaco(): Promise<Monaco> {
	// The constant condition lets the server build drop the import, so Monaco never reaches it.
	return import.meta.env.SSR
		? Promise.reject(new Error('loadMonaco: Monaco runs only in the browser'))
		: (loading ??= import('./monaco-setup').then((module) => module.monaco));
}

/** Resolves to `recheckModels` from the Monaco setup, which loads together with Monaco. */
export function loadRecheck(): Promise<(models: TextModel[]) => Promise<void>> {
	return import.meta.env.SSR
		? Promise.reject(new Error('loadRecheck: Monaco runs only in the browser'))
		: import('./monaco-setup').then((module) => module.recheckModels);
}

/** Editor font metrics shared with the highlighted (read-only) view, so switching does not jump. */
export const CODE_FONT = {
	fontFamily: "ui-monospace, 'SF Mono', Menlo, Consolas, 'Liberation Mono', monospace",
	fontSize: 13,
	lineHeight: 20,
	paddingY: 8
};

/** Options for a cell's live editor: sized to its content, no minimap or inner scrollbar. */
export function cellEditorOptions(
	model: TextModel,
	theme: string
): MonacoApi.editor.IStandaloneEditorConstructionOptions {
	return {
		model,
		theme,
		fontFamily: CODE_FONT.fontFamily,
		fontSize: CODE_FONT.fontSize,
		lineHeight: CODE_FONT.lineHeight,
		padding: { top: CODE_FONT.paddingY, bottom: CODE_FONT.paddingY },
		minimap: { enabled: false },
		scrollBeyondLastLine: false,
		scrollbar: { vertical: 'hidden', alwaysConsumeMouseWheel: false, useShadows: false },
		overviewRulerLanes: 0,
		hideCursorInOverviewRuler: true,
		lineNumbersMinChars: 3,
		lineDecorationsWidth: 8,
		glyphMargin: false,
		folding: false,
		renderLineHighlight: 'none',
		wordWrap: 'on',
		tabSize: 4,
		// Hover, suggest and marker widgets would be clipped by the cell's box otherwise.
		fixedOverflowWidgets: true,
		automaticLayout: false,
		accessibilitySupport: 'auto',
		ariaLabel: 'Cell code'
	};
}

/** Returns the HTML of each line of `code`, highlighted as TypeScript with the current theme. */
export async function colorizeLines(monaco: Monaco, code: string): Promise<string[]> {
	const html = await monaco.editor.colorize(code, 'typescript', { tabSize: 4 });
	const lines = html.split('<br/>');
	// colorize() ends every line with <br/>, so the last piece is empty.
	if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
	return lines;
}
