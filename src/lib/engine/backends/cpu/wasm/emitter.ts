/**
 * A small WebAssembly binary emitter: just the sections, types and opcodes the CPU kernels use.
 * Kernels are generated as bytes at module load and compiled with the synchronous
 * `new WebAssembly.Module`, which needs no bundler step and works in Node and in workers.
 * SIMD opcodes follow the table in WebAssembly/simd, proposals/simd/BinarySIMD.md: a 0xfd
 * prefix, then the opcode as unsigned LEB128. The kernel tests run every opcode emitted here.
 */

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof F64 | typeof V128;

const SIMD_PREFIX = 0xfd;
const BLOCK_EMPTY = 0x40;

/** Appends `value` as unsigned LEB128. */
function pushUnsigned(out: number[], value: number): void {
	do {
		let byte = value & 0x7f;
		value >>>= 7;
		if (value !== 0) byte |= 0x80;
		out.push(byte);
	} while (value !== 0);
}

/** Appends `value` (a 32-bit integer) as signed LEB128. */
function pushSigned(out: number[], value: number): void {
	value |= 0;
	for (;;) {
		const byte = value & 0x7f;
		value >>= 7;
		const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
		out.push(done ? byte : byte | 0x80);
		if (done) return;
	}
}

function pushName(out: number[], name: string): void {
	const bytes = new TextEncoder().encode(name);
	pushUnsigned(out, bytes.length);
	out.push(...bytes);
}

/** Appends a vector: its length, then the items' bytes. */
function pushVector(out: number[], items: number[][]): void {
	pushUnsigned(out, items.length);
	for (const item of items) out.push(...item);
}

/**
 * One function body. Methods append one instruction each and are named after the text format
 * (`i32.add` is `i32Add`). Branch depths count enclosing blocks outward from 0, as in the text
 * format.
 */
export class FunctionBuilder {
	private readonly code: number[] = [];
	private readonly localTypes: ValueType[] = [];

	constructor(readonly params: readonly ValueType[]) {}

	/** Declares a local of `type` and returns its index. */
	local(type: ValueType): number {
		this.localTypes.push(type);
		return this.params.length + this.localTypes.length - 1;
	}

	localGet(index: number): this {
		return this.op(0x20, index);
	}
	localSet(index: number): this {
		return this.op(0x21, index);
	}
	localTee(index: number): this {
		return this.op(0x22, index);
	}

	i32Const(value: number): this {
		this.code.push(0x41);
		pushSigned(this.code, value);
		return this;
	}
	i32Add(): this {
		return this.op(0x6a);
	}
	i32Sub(): this {
		return this.op(0x6b);
	}
	i32Mul(): this {
		return this.op(0x6c);
	}
	i32Eqz(): this {
		return this.op(0x45);
	}
	i32Eq(): this {
		return this.op(0x46);
	}
	i32LtU(): this {
		return this.op(0x49);
	}
	i32GeU(): this {
		return this.op(0x4f);
	}
	i32And(): this {
		return this.op(0x71);
	}
	/** Pops c, b, a and pushes c ? a : b. */
	select(): this {
		return this.op(0x1b);
	}

	block(): this {
		return this.op(0x02, BLOCK_EMPTY);
	}
	loop(): this {
		return this.op(0x03, BLOCK_EMPTY);
	}
	if(): this {
		return this.op(0x04, BLOCK_EMPTY);
	}
	else(): this {
		return this.op(0x05);
	}
	end(): this {
		return this.op(0x0b);
	}
	br(depth: number): this {
		return this.op(0x0c, depth);
	}
	brIf(depth: number): this {
		return this.op(0x0d, depth);
	}

	/** Loads a float32 from the popped address plus `offset`. */
	f32Load(offset: number): this {
		return this.op(0x2a, 2, offset);
	}
	/** Pops a value and an address, and stores the value at the address plus `offset`. */
	f32Store(offset: number): this {
		return this.op(0x38, 2, offset);
	}
	f32ConstZero(): this {
		this.code.push(0x43, 0, 0, 0, 0);
		return this;
	}

	/** Loads 16 bytes from the popped address plus `offset`. */
	v128Load(offset: number): this {
		return this.simd(0x00, 4, offset);
	}
	/** Loads one float32 from the popped address plus `offset` into all four lanes. */
	v128Load32Splat(offset: number): this {
		return this.simd(0x09, 2, offset);
	}
	/** Pops a value and an address, and stores the value at the address plus `offset`. */
	v128Store(offset: number): this {
		return this.simd(0x0b, 4, offset);
	}
	v128ConstZero(): this {
		this.code.push(SIMD_PREFIX);
		pushUnsigned(this.code, 0x0c);
		for (let i = 0; i < 16; i++) this.code.push(0);
		return this;
	}
	f32x4Add(): this {
		return this.simd(0xe4);
	}
	f32x4Sub(): this {
		return this.simd(0xe5);
	}
	/** Pops b, a and pushes b where a < b, else a, lane by lane (so NaN in a stays). */
	f32x4Pmax(): this {
		return this.simd(0xeb);
	}
	/** Lane by lane, all ones where a <= b, else zero. */
	f32x4Le(): this {
		return this.simd(0x45);
	}
	/** Pops b, a and pushes a & ~b. */
	v128Andnot(): this {
		return this.simd(0x4f);
	}
	/** Pops a float64 and pushes it in both lanes. */
	f64x2Splat(): this {
		return this.simd(0x14);
	}
	f32x4Mul(): this {
		return this.simd(0xe6);
	}
	/**
	 * Pops c, b, a and pushes a * b + c, rounded once where the CPU fuses it (relaxed SIMD lets an
	 * engine round twice instead, as on x64 without FMA).
	 */
	f32x4RelaxedMadd(): this {
		return this.simd(0x105);
	}

	/** Pushes a v128 whose two float64 lanes are both `value`. */
	f64x2Const(value: number): this {
		this.code.push(SIMD_PREFIX);
		pushUnsigned(this.code, 0x0c);
		const lane = new Uint8Array(Float64Array.of(value).buffer);
		this.code.push(...lane, ...lane);
		return this;
	}
	/** Pushes a v128 whose two 64-bit lanes both have only the sign bit set. */
	i64x2SignMask(): this {
		this.code.push(SIMD_PREFIX);
		pushUnsigned(this.code, 0x0c);
		for (let lane = 0; lane < 2; lane++) this.code.push(0, 0, 0, 0, 0, 0, 0, 0x80);
		return this;
	}
	/** Loads 8 bytes from the popped address plus `offset` into the low lane, zeroing the high. */
	v128Load64Zero(offset: number): this {
		return this.simd(0x5d, 3, offset);
	}
	/** Pops a v128 and an address, and stores the v128's 64-bit lane `lane` there plus `offset`. */
	v128Store64Lane(offset: number, lane: number): this {
		this.simd(0x5b, 3, offset);
		this.code.push(lane);
		return this;
	}
	/** Pops c, b, a and pushes (a & c) | (b & ~c), bit by bit. */
	v128Bitselect(): this {
		return this.simd(0x52);
	}
	/** Converts the low two float32 lanes to float64, exactly. */
	f64x2PromoteLowF32x4(): this {
		return this.simd(0x5f);
	}
	/** Rounds both float64 lanes to float32 (to nearest) into the low lanes, zeroing the rest. */
	f32x4DemoteF64x2Zero(): this {
		return this.simd(0x5e);
	}
	f64x2Lt(): this {
		return this.simd(0x49);
	}
	f64x2Nearest(): this {
		return this.simd(0x94);
	}
	i64x2Shl(): this {
		return this.simd(0xcb);
	}
	f64x2Abs(): this {
		return this.simd(0xec);
	}
	f64x2Add(): this {
		return this.simd(0xf0);
	}
	f64x2Sub(): this {
		return this.simd(0xf1);
	}
	f64x2Mul(): this {
		return this.simd(0xf2);
	}
	f64x2Div(): this {
		return this.simd(0xf3);
	}
	/** Lane-wise minimum; NaN in either lane gives NaN, as Math.min. */
	f64x2Min(): this {
		return this.simd(0xf4);
	}

	/** The body as the code section stores it: size, local declarations, code, `end`. */
	encode(): number[] {
		const body: number[] = [];
		pushUnsigned(body, this.localTypes.length);
		for (const type of this.localTypes) body.push(1, type);
		body.push(...this.code, 0x0b);
		const out: number[] = [];
		pushUnsigned(out, body.length);
		out.push(...body);
		return out;
	}

	private op(opcode: number, ...immediates: number[]): this {
		this.code.push(opcode);
		for (const immediate of immediates) pushUnsigned(this.code, immediate);
		return this;
	}

	/** A SIMD instruction, with a memory argument (log2 alignment, offset) when one is given. */
	private simd(opcode: number, alignLog2?: number, offset?: number): this {
		this.code.push(SIMD_PREFIX);
		pushUnsigned(this.code, opcode);
		if (alignLog2 !== undefined) {
			pushUnsigned(this.code, alignLog2);
			pushUnsigned(this.code, offset ?? 0);
		}
		return this;
	}
}

interface FunctionEntry {
	name: string;
	params: readonly ValueType[];
	results: readonly ValueType[];
	body: FunctionBuilder;
}

/** A module with one exported memory and exported functions, in that order of indices. */
export class ModuleBuilder {
	private readonly functions: FunctionEntry[] = [];

	constructor(
		/** Export name of the module's memory. */
		readonly memoryName: string,
		/** Initial memory size in 64 KiB pages. */
		readonly initialPages: number
	) {}

	/** Adds an exported function whose body `build` writes. */
	addFunction(
		name: string,
		params: readonly ValueType[],
		results: readonly ValueType[],
		build: (f: FunctionBuilder) => void
	): void {
		const body = new FunctionBuilder(params);
		build(body);
		this.functions.push({ name, params, results, body });
	}

	encode(): Uint8Array<ArrayBuffer> {
		const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
		const section = (id: number, content: number[]) => {
			out.push(id);
			pushUnsigned(out, content.length);
			out.push(...content);
		};

		const types = this.functions.map(({ params, results }) => {
			const type = [0x60];
			pushVector(
				type,
				params.map((p) => [p])
			);
			pushVector(
				type,
				results.map((r) => [r])
			);
			return type;
		});
		const typeSection: number[] = [];
		pushVector(typeSection, types);
		section(1, typeSection);

		const functionSection: number[] = [];
		pushVector(
			functionSection,
			this.functions.map((_, i) => {
				const index: number[] = [];
				pushUnsigned(index, i);
				return index;
			})
		);
		section(3, functionSection);

		const memorySection: number[] = [1, 0x00];
		pushUnsigned(memorySection, this.initialPages);
		section(5, memorySection);

		const exports: number[][] = this.functions.map(({ name }, i) => {
			const entry: number[] = [];
			pushName(entry, name);
			entry.push(0x00);
			pushUnsigned(entry, i);
			return entry;
		});
		const memoryExport: number[] = [];
		pushName(memoryExport, this.memoryName);
		memoryExport.push(0x02, 0x00);
		exports.push(memoryExport);
		const exportSection: number[] = [];
		pushVector(exportSection, exports);
		section(7, exportSection);

		const codeSection: number[] = [];
		pushVector(
			codeSection,
			this.functions.map(({ body }) => body.encode())
		);
		section(10, codeSection);

		return new Uint8Array(out);
	}
}
