// The virtual module that the cellTypes plugin in scripts/vite-plugin-cell-types.ts generates.
declare module 'virtual:cell-types' {
	/** Declaration files for Monaco's `setExtraLibs`: the engine, the notebook and cell globals. */
	const files: { filePath: string; content: string }[];
	export default files;
}
