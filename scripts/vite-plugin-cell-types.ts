/**
 * Vite plugin that gives Monaco the types of everything a notebook cell can use.
 *
 * It runs the TypeScript compiler over the engine and the notebook globals at build time and
 * emits their declarations (with their JSDoc, which becomes Monaco's hover text), plus one
 * script that declares the cell globals (`torch`, `nn`, `plt`, `slider`, ...). The page imports
 * them as `virtual:cell-types`: a list of `{ filePath, content }` for Monaco's `setExtraLibs`.
 * Completions and hover therefore come from the real code and cannot drift from it.
 *
 * Node's own modules are not imported here because the project has no Node type definitions;
 * `ts.sys` does the file-system work.
 */

import ts from 'typescript';
import type { Plugin } from 'vite';

const VIRTUAL_ID = 'virtual:cell-types';
const RESOLVED_ID = '\0' + VIRTUAL_ID;

/** Root of the declaration paths in Monaco: `src/lib/engine/index.ts` -> `file:///gp/engine/index.d.ts`. */
export const CELL_TYPES_ROOT = 'file:///gp/';

export interface CellTypesOptions {
	/** Modules whose declarations cells need, relative to the project root. */
	entries?: string[];
	/** Text of the global-declarations script; its imports are relative to `src/lib/`. */
	globals?: string;
}

export interface CellTypesFile {
	filePath: string;
	content: string;
}

/** Default entries: the engine and the notebook modules that define the cell globals. */
export const DEFAULT_ENTRIES = [
	'src/lib/engine/index.ts',
	'src/lib/notebook/plt.ts',
	'src/lib/notebook/inputs.ts',
	'src/lib/notebook/landscape.ts'
];

/**
 * The cell globals. `nn`, `optim` and `F` are namespace aliases, not constants, so that their
 * classes also work as types in cells (`model: nn.Module`), as in PyTorch's type hints.
 */
export const DEFAULT_GLOBALS = `import type { torch as engineTorch } from './engine/index';
import * as nnNamespace from './engine/nn/index';
import * as optimNamespace from './engine/optim/index';
import * as functionalNamespace from './engine/functional';
import type { Tensor as EngineTensor } from './engine/tensor';
import type { CellInputs } from './notebook/inputs';
import type { Landscape, LandscapeOptions } from './notebook/landscape';
import type { Pyplot } from './notebook/plt';

declare global {
	/** The PyTorch-compatible engine: tensors, autograd, \`torch.nn\`, \`torch.optim\`. */
	const torch: typeof engineTorch;
	export import nn = nnNamespace;
	export import optim = optimNamespace;
	export import F = functionalNamespace;
	type Tensor = EngineTensor;

	/** matplotlib's pyplot, drawn with D3 under the cell: \`plt.plot(xs, ys); await plt.show()\`. */
	const plt: Pyplot;
	/** Live training views computed in the worker. */
	const views: {
		/**
		 * Charts the weight-gradient norm of each layer, refreshed after every \`backward()\`
		 * and kept over training steps as a layer-by-step heat map. \`title\` is drawn above it.
		 */
		grad_norms(model: nnNamespace.Module, options?: { title?: string }): void;
		/**
		 * Draws the loss around the model's current parameters along random filter-normalised
		 * directions, as in Li et al., "Visualizing the Loss Landscape of Neural Nets" (2018).
		 * \`loss_fn(model)\` must return a scalar tensor.
		 */
		loss_landscape<M extends nnNamespace.Module>(
			model: M,
			loss_fn: (model: M) => EngineTensor,
			options?: LandscapeOptions
		): Promise<Landscape>;
	};

	/** A slider under the cell; moving it re-runs the cells that use its value. */
	const slider: CellInputs['slider'];
	/** A number field under the cell. */
	const number: CellInputs['number'];
	/** A drop-down list under the cell. */
	const select: CellInputs['select'];
	/** A checkbox under the cell. */
	const checkbox: CellInputs['checkbox'];
	/** A button under the cell; its value counts the clicks. */
	const button: CellInputs['button'];
	/** Reports progress under the cell and lets the page update: \`await progress(step + 1, steps)\`. */
	function progress(done: number, total: number): Promise<void>;
	/** Shows a value under the cell now, before the cell ends. */
	function display(value: unknown): Promise<void>;
}
`;

/** Declared when the engine or the notebook globals do not compile yet, so cells still load. */
const FALLBACK_GLOBALS = `declare const torch: any;
declare const nn: any;
declare namespace nn {
	type Module = any;
	type Linear = any;
	type Sequential = any;
	type ModuleList = any;
}
declare const optim: any;
declare namespace optim {
	type Optimizer = any;
}
declare const F: any;
type Tensor = any;
declare const plt: any;
declare const views: any;
declare function slider(options: { label: string; min: number; max: number; step?: number; value?: number }): number;
declare function number(options: { label: string; value?: number; min?: number; max?: number; step?: number }): number;
declare function select<T extends string>(options: { label: string; options: T[]; value?: T }): T;
declare function checkbox(options: { label: string; value?: boolean }): boolean;
declare function button(options: { label: string }): number;
declare function progress(done: number, total: number): Promise<void>;
declare function display(value: unknown): Promise<void>;
`;

export function cellTypes(options: CellTypesOptions = {}): Plugin {
	const entries = options.entries ?? DEFAULT_ENTRIES;
	const globals = options.globals ?? DEFAULT_GLOBALS;
	let root = '';
	let sources = new Set<string>();

	return {
		name: 'gradient-playground:cell-types',

		configResolved(config) {
			root = config.root.replace(/\\/g, '/').replace(/\/$/, '');
		},

		// In dev, an edit to a declaration source regenerates the types on the next page load.
		// Until every entry exists (fallback globals), any new or changed file under src/lib counts.
		configureServer(server) {
			const invalidate = (changed: string) => {
				const file = changed.replace(/\\/g, '/');
				const relevant = sources.size > 0 ? sources.has(file) : file.startsWith(`${root}/src/lib/`);
				if (!relevant) return;
				for (const environment of Object.values(server.environments)) {
					const module = environment.moduleGraph.getModuleById(RESOLVED_ID);
					if (module) environment.moduleGraph.invalidateModule(module);
				}
			};
			server.watcher.on('change', invalidate);
			server.watcher.on('add', invalidate);
		},

		resolveId(id) {
			return id === VIRTUAL_ID ? RESOLVED_ID : null;
		},

		load(id) {
			if (id !== RESOLVED_ID) return null;

			const result = generateCellTypes(root, entries, globals);
			for (const warning of result.warnings) this.warn(warning);
			sources = new Set(result.sources);
			return `export default ${JSON.stringify(result.files)};`;
		}
	};
}

interface GeneratedTypes {
	files: CellTypesFile[];
	/** Source files the declarations came from, to watch in dev. */
	sources: string[];
	warnings: string[];
}

/**
 * Emits declarations for `entries` and everything they import under `src/lib/`, and checks the
 * globals script against them. Falls back to loose `any` globals, with a warning, when an entry
 * is missing, so that cells still get an editor while the engine is incomplete.
 */
export function generateCellTypes(
	root: string,
	entries: string[],
	globals: string
): GeneratedTypes {
	const libDir = `${root}/src/lib/`;
	const globalsPath = `${libDir}__cell-globals.d.ts`;
	const warnings: string[] = [];

	const entryPaths = entries.map((entry) => `${root}/${entry}`);
	const missing = entryPaths.filter((path) => !ts.sys.fileExists(path));
	if (missing.length > 0) {
		warnings.push(`cell types: ${missing.join(', ')} not found; cells get untyped globals.`);
		return { files: [fallbackGlobals()], sources: [], warnings };
	}

	const compilerOptions: ts.CompilerOptions = {
		target: ts.ScriptTarget.ES2022,
		module: ts.ModuleKind.ESNext,
		moduleResolution: ts.ModuleResolutionKind.Bundler,
		lib: ['lib.es2023.d.ts', 'lib.webworker.d.ts'],
		types: ['@webgpu/types'],
		strict: true,
		skipLibCheck: true,
		declaration: true,
		emitDeclarationOnly: true,
		stripInternal: true,
		paths: { $lib: [`${root}/src/lib`], '$lib/*': [`${root}/src/lib/*`] }
	};

	const host = ts.createCompilerHost(compilerOptions);
	const readFile = host.readFile.bind(host);
	const fileExists = host.fileExists.bind(host);
	host.readFile = (path) => (path === globalsPath ? globals : readFile(path));
	host.fileExists = (path) => path === globalsPath || fileExists(path);

	const program = ts.createProgram([...entryPaths, globalsPath], compilerOptions, host);
	const files: CellTypesFile[] = [];
	program.emit(undefined, (fileName, text) => {
		const path = fileName.replace(/\\/g, '/');
		if (!path.startsWith(libDir) || !path.endsWith('.d.ts')) return;
		const relative = path.slice(libDir.length);
		files.push({
			filePath: CELL_TYPES_ROOT + relative,
			content: rewriteLibSpecifiers(text, relative)
		});
	});

	// Monaco shows no diagnostics for library files, so a problem here only makes some globals
	// `any` in cells. The build warns so that the mismatch gets fixed.
	const globalsFile = program.getSourceFile(globalsPath);
	const problems = globalsFile ? ts.getPreEmitDiagnostics(program, globalsFile) : [];
	if (problems.length > 0) {
		warnings.push(
			`cell types: the cell globals do not type-check:\n${formatDiagnostics(problems)}`
		);
	}

	files.push({ filePath: `${CELL_TYPES_ROOT}cell-globals.d.ts`, content: globals });
	const sources = program
		.getSourceFiles()
		.map((file) => file.fileName)
		.filter((name) => name.startsWith(libDir) && name !== globalsPath);
	return { files, sources, warnings };
}

/**
 * Rewrites `$lib/...` module specifiers in an emitted declaration file to relative ones, because
 * Monaco's TypeScript worker resolves no path aliases.
 */
export function rewriteLibSpecifiers(text: string, relativePath: string): string {
	const depth = relativePath.split('/').length - 1;
	const up = depth === 0 ? './' : '../'.repeat(depth);
	const imports = ts.preProcessFile(text, true, true).importedFiles;

	let out = '';
	let last = 0;
	for (const { fileName, pos } of imports) {
		if (fileName !== '$lib' && !fileName.startsWith('$lib/')) continue;
		// `pos` is the opening quote of the string literal.
		const start = pos + 1;
		if (text.slice(start, start + fileName.length) !== fileName) continue;

		const target = fileName === '$lib' ? 'index' : fileName.slice('$lib/'.length);
		out += text.slice(last, start) + up + target;
		last = start + fileName.length;
	}
	return out + text.slice(last);
}

function fallbackGlobals(): CellTypesFile {
	return { filePath: `${CELL_TYPES_ROOT}cell-globals.d.ts`, content: FALLBACK_GLOBALS };
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
	return ts.formatDiagnostics(diagnostics, {
		getCanonicalFileName: (name) => name,
		getCurrentDirectory: () => '',
		getNewLine: () => '\n'
	});
}
