import v8 from 'node:v8';
import { gemmModuleBytes } from '../../src/lib/engine/backends/cpu/wasm/gemm-kernel';

// Chromium compiles relaxed SIMD, which the CPU backend's fused matmul kernel uses. Node 20
// needs a flag for it, so the unit tests run the kernel the browser runs. The kernel is
// compiled at the first matmul, after this file has run.
if (!WebAssembly.validate(gemmModuleBytes({ tileRows: 4, tileCols: 8, fused: true }))) {
	v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
}
