/** Compiles a generated WebAssembly module for the CPU backend's kernels. */

/**
 * Returns an instance of the module in `bytes`, or null where this engine cannot run it: no
 * WebAssembly, no SIMD (the module does not validate), or a Content-Security-Policy without
 * 'wasm-unsafe-eval', which makes compiling throw. The JS kernels run in those cases.
 */
export function instantiateKernel(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Instance | null {
	if (typeof WebAssembly !== 'object') return null;
	if (!WebAssembly.validate(bytes)) return null;
	try {
		return new WebAssembly.Instance(new WebAssembly.Module(bytes));
	} catch (error) {
		// Chromium 156 reports the blocked compile as a CompileError; EvalError covers the CSP
		// errors that eval itself raises, in case an engine reports this one the same way.
		if (error instanceof WebAssembly.CompileError || error instanceof EvalError) return null;
		throw error;
	}
}
