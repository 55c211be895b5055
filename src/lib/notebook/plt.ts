/**
 * matplotlib's pyplot for notebook cells. Calls build `ChartSpec` data (plain numbers, no DOM)
 * and `show()` hands each open figure to `emit`; the views draw it on the page.
 *
 * Values may be JS arrays, typed arrays or engine tensors. A tensor is read with
 * `await t.tolist()` as soon as `plot()` (or `hist`, `imshow`…) is called, and `show()` awaits
 * every pending read before it emits, so cells write `await plt.show()`. Plain arrays are copied
 * at call time, so changing them afterwards does not change the chart.
 */

import type { ChartSpec, PlotAxes, PlotSeries } from '../worker/api';

/** Anything with a `tolist()`, sync or async: engine tensors, and numpy-like stand-ins. */
export interface TensorLike {
	tolist(): unknown;
}

/** A 1-D or 2-D list of numbers, a typed array, or a tensor. */
export type ArrayInput = ArrayLike<number> | ArrayLike<number>[] | TensorLike;

type Scale = 'linear' | 'log';

export interface PlotOptions {
	/** Name in the legend; labels starting with '_' are left out, as in matplotlib. */
	label?: string;
	/** matplotlib marker: 'o', '.', 's', '^', 'v', 'D', '*', '+', 'x'. */
	marker?: string;
	/** '-', '--', ':', '-.' or 'none'. */
	linestyle?: string;
	/** 'C0'…'C9', 'r', 'tab:orange', '#1f77b4' or a CSS colour name. */
	color?: string;
}

export interface HistOptions {
	/** Bin count (numpy's default is 10) or the bin edges, increasing. */
	bins?: number | ArrayInput;
	/** Lower and upper edge; values outside are not counted. */
	range?: [number, number];
	/** Divide counts so that the histogram integrates to 1. */
	density?: boolean;
	label?: string;
	color?: string;
}

export interface FigureOptions {
	/**
	 * Width and height in inches, as in matplotlib. The chart always fills the width it is
	 * given on the page, so only the ratio of the two is used, to set the height.
	 */
	figsize?: [number, number];
	/** With false, `subplots` always returns rows of axes, even for one row or column. */
	squeeze?: boolean;
}

/** `set_xlim(left, right)` or `set_xlim([left, right])`; null leaves an end autoscaled. */
export interface LimitFunction {
	(left?: number | null, right?: number | null): void;
	(limits: [number | null, number | null]): void;
}

/** `plot(y)`, `plot(x, y)`, each with an optional format string such as 'o--' and options. */
export interface PlotFunction {
	(y: ArrayInput, options?: PlotOptions): void;
	(y: ArrayInput, format: string, options?: PlotOptions): void;
	(x: ArrayInput | string[], y: ArrayInput, options?: PlotOptions): void;
	(x: ArrayInput | string[], y: ArrayInput, format: string, options?: PlotOptions): void;
}

/** One panel. Method names and arguments follow matplotlib's `Axes`. */
export interface Axes {
	/** Draws lines (and markers): `ax.plot(steps, losses, { label: 'loss' })`. */
	plot: PlotFunction;
	/** Draws markers only: `ax.scatter(xs, ys, { marker: 'x' })`. */
	scatter(x: ArrayInput | string[], y: ArrayInput, options?: PlotOptions): void;
	/**
	 * Draws bars 0.8 wide centred on x: `ax.bar([0, 1, 2], counts)`, or on named categories:
	 * `ax.bar(['SGD', 'Adam'], losses)`.
	 */
	bar(x: ArrayInput | string[], height: ArrayInput, options?: PlotOptions): void;
	/** Bins values as numpy.histogram does and draws the counts: `ax.hist(w, { bins: 30 })`. */
	hist(values: ArrayInput, options?: HistOptions): void;
	/** Draws a 2-D array as an image, row 0 at the top: `ax.imshow(layer.weight)`. */
	imshow(image: ArrayInput, options?: { cmap?: string }): void;
	set_title(text: string): void;
	set_xlabel(text: string): void;
	set_ylabel(text: string): void;
	/** 'log' takes its limits from the positive values; zeros are marked at the edge. */
	set_xscale(scale: Scale): void;
	set_yscale(scale: Scale): void;
	/**
	 * Fixes the x limits: `ax.set_xlim(0, 100)` or `ax.set_xlim([0, 100])`. A null or omitted
	 * end stays autoscaled; left > right flips the axis.
	 */
	set_xlim: LimitFunction;
	/** Fixes the y limits, as `set_xlim` does for x. */
	set_ylim: LimitFunction;
	/** Draws grid lines at the major ticks; `grid(false)` removes them. */
	grid(visible?: boolean): void;
	/** Shows the legend; `labels` name the series in drawing order. */
	legend(labels?: string[]): void;
}

export interface Figure {
	/** A title above every panel of the figure. */
	suptitle(text: string): void;
	/** Layout is always tight here; kept so that ported code runs. */
	tight_layout(): void;
}

/** Options that keep matplotlib's squeezing of one row or column of axes. */
type SqueezedOptions = FigureOptions & { squeeze?: true };

/** `plt.subplots` squeezes the axes as matplotlib does: one, a list, or rows of axes. */
export interface SubplotsFunction {
	(rows: number, cols: number, options: FigureOptions & { squeeze: false }): [Figure, Axes[][]];
	(rows?: 1, cols?: 1, options?: SqueezedOptions): [Figure, Axes];
	(rows: 1, cols: number, options?: SqueezedOptions): [Figure, Axes[]];
	(rows: number, cols?: 1, options?: SqueezedOptions): [Figure, Axes[]];
	(rows: number, cols: number, options?: SqueezedOptions): [Figure, Axes[][]];
}

/** The `plt` of a cell: matplotlib.pyplot's state machine over figures and their axes. */
export interface Pyplot extends Omit<Axes, `set_${string}`> {
	title(text: string): void;
	xlabel(text: string): void;
	ylabel(text: string): void;
	/** 'log' takes its limits from the positive values; zeros are marked at the edge. */
	xscale(scale: Scale): void;
	yscale(scale: Scale): void;
	/** Fixes the current axes' x limits, as `ax.set_xlim`. */
	xlim: LimitFunction;
	/** Fixes the current axes' y limits, as `ax.set_ylim`. */
	ylim: LimitFunction;
	suptitle(text: string): void;
	/** Starts a new figure; `show()` emits every open figure in order. */
	figure(options?: FigureOptions): Figure;
	/** A new figure with a grid of panels: `const [fig, [left, right]] = plt.subplots(1, 2)`. */
	subplots: SubplotsFunction;
	/** Selects panel `index` (1-based, row-major) of a rows×cols grid, as `plt.subplot(2, 1, 1)`. */
	subplot(rows: number, cols: number, index: number): Axes;
	/** The current axes. */
	gca(): Axes;
	/** The current figure. */
	gcf(): Figure;
	tight_layout(): void;
	/** Discards the current figure, or every open figure with 'all'. */
	close(which?: 'all'): void;
	/**
	 * Emits every open figure as a chart once its tensor reads finish, then starts afresh.
	 * Write `await plt.show()` so that read errors surface in the cell.
	 */
	show(): Promise<void>;
}

interface PanelState {
	/** Everything but the series, which are assembled from `groups` when the figure is shown. */
	axes: PlotAxes;
	/** The series of each drawing call, in call order; a slot fills once its reads finish. */
	groups: PlotSeries[][];
	legendLabels?: string[];
}

interface FigureState {
	rows: number;
	cols: number;
	panels: PanelState[];
	current: number;
	suptitle?: string;
	figsize?: [number, number];
	/** Set by any call that draws or labels; an untouched figure is not emitted. */
	touched: boolean;
	pending: Promise<unknown>[];
}

const SCALES: readonly Scale[] = ['linear', 'log'];

/**
 * Creates a `plt` for one cell run. Charts get the ids `${idPrefix}-0`, `${idPrefix}-1`, … in
 * the order `show()` is called, so a re-run replaces its own charts.
 */
export function createPlt(emit: (chart: ChartSpec) => void, idPrefix = 'plot'): Pyplot {
	const figures: FigureState[] = [];
	let shown = 0;
	let lastEmit: Promise<void> = Promise.resolve();

	function currentFigure(): FigureState {
		if (figures.length === 0) figures.push(newFigure(1, 1));
		return figures[figures.length - 1];
	}

	function axesAt(figure: FigureState, index: number): Axes {
		return createAxes(figure, figure.panels[index]);
	}

	const gca = () => {
		const figure = currentFigure();
		return axesAt(figure, figure.current);
	};

	const figureHandle = (figure: FigureState): Figure => ({
		suptitle: (text) => {
			figure.suptitle = String(text);
			figure.touched = true;
		},
		tight_layout: () => {}
	});

	function subplots(rows = 1, cols = 1, options: FigureOptions = {}) {
		checkGridSize('plt.subplots', rows, cols);
		const figure = newFigure(rows, cols, figureSize('plt.subplots', options));
		figure.touched = true;
		figures.push(figure);

		const all = figure.panels.map((_, i) => axesAt(figure, i));
		const grid = Array.from({ length: rows }, (_, r) => all.slice(r * cols, (r + 1) * cols));
		if (options.squeeze === false) return [figureHandle(figure), grid];
		if (rows === 1 && cols === 1) return [figureHandle(figure), all[0]];
		if (rows === 1 || cols === 1) return [figureHandle(figure), all];
		return [figureHandle(figure), grid];
	}

	function subplot(rows: number, cols: number, index: number): Axes {
		checkGridSize('plt.subplot', rows, cols);
		if (!Number.isInteger(index) || index < 1 || index > rows * cols) {
			throw new RangeError(
				`plt.subplot: index must be an integer from 1 to ${rows * cols}, got ${index}.`
			);
		}
		let figure = currentFigure();
		const fresh = !figure.touched;
		if (figure.rows !== rows || figure.cols !== cols) {
			if (!fresh) throw new Error(gridChangeMessage(figure, rows, cols));
			figure = newFigure(rows, cols, figure.figsize);
			figures[figures.length - 1] = figure;
		}
		figure.current = index - 1;
		figure.touched = true;
		return axesAt(figure, figure.current);
	}

	function show(): Promise<void> {
		const ready = figures.splice(0).filter((figure) => figure.touched);
		const charts = ready.map((figure) => ({ figure, id: `${idPrefix}-${shown++}` }));

		// Emits stay in call order even when a later figure's reads finish first.
		const previous = lastEmit;
		const done = (async () => {
			await previous.catch(() => {});
			for (const { figure, id } of charts) {
				await Promise.all(figure.pending);
				emit(figureSpec(figure, id));
			}
		})();
		lastEmit = done;
		return done;
	}

	return {
		plot: ((...args: unknown[]) => callPlot(gca(), args)) as PlotFunction,
		scatter: (x, y, options) => gca().scatter(x, y, options),
		bar: (x, height, options) => gca().bar(x, height, options),
		hist: (values, options) => gca().hist(values, options),
		imshow: (image, options) => gca().imshow(image, options),
		legend: (labels) => gca().legend(labels),
		title: (text) => gca().set_title(text),
		xlabel: (text) => gca().set_xlabel(text),
		ylabel: (text) => gca().set_ylabel(text),
		xscale: (scale) => gca().set_xscale(scale),
		yscale: (scale) => gca().set_yscale(scale),
		xlim: ((...args: unknown[]) => callLimits(gca().set_xlim, args)) as LimitFunction,
		ylim: ((...args: unknown[]) => callLimits(gca().set_ylim, args)) as LimitFunction,
		grid: (visible) => gca().grid(visible),
		suptitle: (text) => figureHandle(currentFigure()).suptitle(text),
		figure: (options = {}) => {
			const figure = newFigure(1, 1, figureSize('plt.figure', options));
			figures.push(figure);
			return figureHandle(figure);
		},
		subplots: subplots as SubplotsFunction,
		subplot,
		gca,
		gcf: () => figureHandle(currentFigure()),
		tight_layout: () => {},
		close: (which) => {
			if (which === 'all') figures.length = 0;
			else figures.pop();
		},
		show
	};
}

/** Calls an overloaded limit setter with arguments that its overloads check at the call site. */
function callLimits(setter: LimitFunction, args: unknown[]): void {
	(setter as (...rest: unknown[]) => void)(...args);
}

/** Calls an overloaded `plot` with arguments that the overloads check at the call site. */
function callPlot(axes: Axes, args: unknown[]): void {
	(axes.plot as (...rest: unknown[]) => void)(...args);
}

/** Checks `figsize`, which must be two positive finite numbers of inches. */
function figureSize(api: string, options: FigureOptions): [number, number] | undefined {
	const size = options.figsize;
	if (size === undefined) return undefined;
	const valid =
		Array.isArray(size) &&
		size.length === 2 &&
		size.every((inches) => typeof inches === 'number' && Number.isFinite(inches) && inches > 0);
	if (!valid) {
		throw new RangeError(
			`${api}: figsize must be [width, height] in inches, two positive numbers, got ` +
				`${JSON.stringify(size)}. matplotlib's default is [6.4, 4.8].`
		);
	}
	return [size[0], size[1]];
}

function newFigure(rows: number, cols: number, figsize?: [number, number]): FigureState {
	const panels = Array.from({ length: rows * cols }, (): PanelState => ({
		axes: { series: [] },
		groups: []
	}));
	return { rows, cols, panels, current: 0, figsize, touched: false, pending: [] };
}

function figureSpec(figure: FigureState, id: string): ChartSpec {
	const axes = figure.panels.map(panelSpec);
	const spec: ChartSpec = { kind: 'plot', id, rows: figure.rows, cols: figure.cols, axes };
	if (figure.suptitle !== undefined) spec.suptitle = figure.suptitle;
	if (figure.figsize !== undefined) spec.figsize = figure.figsize;
	return spec;
}

function checkGridSize(api: string, rows: number, cols: number): void {
	for (const [name, n] of [
		['rows', rows],
		['cols', cols]
	] as const) {
		if (!Number.isInteger(n) || n < 1) {
			throw new RangeError(`${api}: ${name} must be a positive integer, got ${n}.`);
		}
	}
}

function gridChangeMessage(figure: FigureState, rows: number, cols: number): string {
	return (
		`plt.subplot: the current figure is a ${figure.rows}x${figure.cols} grid, ` +
		`got ${rows}x${cols}. Call plt.figure() first to start a new figure.`
	);
}

/** Creates the `Axes` that records into `panel`, one panel of `figure`. */
function createAxes(figure: FigureState, panel: PanelState): Axes {
	const target = panel.axes;

	// Each call reserves its slot now, so series keep call order while tensor reads finish.
	function whenRead(inputs: unknown[], build: (values: unknown[]) => PlotSeries[]): void {
		figure.touched = true;
		const slot = panel.groups.length;
		panel.groups.push([]);
		const values = inputs.map(readInput);
		const fill = (read: unknown[]) => {
			panel.groups[slot] = build(read);
		};
		if (!values.some(isPromise)) return fill(values);

		// show() reports a failed read; the no-op catch only stops an early "unhandled" warning.
		const read = Promise.all(values).then(fill);
		read.catch(() => {});
		figure.pending.push(read);
	}

	return {
		plot(...args: unknown[]) {
			const { values, options } = splitPlotArgs(args);
			const [x, y] = values;
			whenRead([categoryPositions(target, x), y], (read) =>
				xySeries('plt.plot', 'line', read, options)
			);
		},
		scatter(x, y, options = {}) {
			const style = { marker: 'o', ...options, linestyle: 'none' };
			whenRead([categoryPositions(target, x), y], (read) =>
				xySeries('plt.scatter', 'scatter', read, style)
			);
		},
		bar(x, height, options = {}) {
			whenRead([categoryPositions(target, x), height], (read) =>
				xySeries('plt.bar', 'bar', read, options)
			);
		},
		hist(values, options = {}) {
			whenRead([values, options.bins ?? 10], ([data, bins]) => {
				const vector = toVector('plt.hist', data);
				const { counts, edges } = histogram('plt.hist', vector, bins, options);
				// A hist series stores numpy's pair: x is the n + 1 bin edges, y the n counts.
				const series: PlotSeries = { type: 'hist', x: edges, y: counts };
				if (options.label !== undefined) series.label = String(options.label);
				if (options.color !== undefined) series.color = String(options.color);
				return [series];
			});
		},
		imshow(image, options = {}) {
			whenRead([image], ([data]) => {
				const rows = toMatrix('plt.imshow', data);
				target.image = { rows: rows.length, cols: rows[0].length, data: rows.flat() };
				if (options.cmap !== undefined) target.image.cmap = String(options.cmap);
				return [];
			});
		},
		set_title: (text) => labelAxes(figure, target, 'title', text),
		set_xlabel: (text) => labelAxes(figure, target, 'xlabel', text),
		set_ylabel: (text) => labelAxes(figure, target, 'ylabel', text),
		set_xscale: (scale) => setScale(figure, target, 'xscale', scale),
		set_yscale: (scale) => setScale(figure, target, 'yscale', scale),
		set_xlim: ((...args: unknown[]) => setLimits(figure, target, 'xlim', args)) as LimitFunction,
		set_ylim: ((...args: unknown[]) => setLimits(figure, target, 'ylim', args)) as LimitFunction,
		grid(visible = true) {
			figure.touched = true;
			target.grid = Boolean(visible);
		},
		legend(labels) {
			figure.touched = true;
			target.legend = true;
			if (labels) panel.legendLabels = labels.map(String);
		}
	};
}

/**
 * Turns an array of strings into category positions 0, 1, 2…, as matplotlib's categorical axis
 * does, adding new names to the panel's `xcategories` in the order they first appear. Any other
 * value is returned unchanged.
 */
function categoryPositions(target: PlotAxes, x: unknown): unknown {
	if (!Array.isArray(x) || x.length === 0 || !x.every((v) => typeof v === 'string')) return x;
	const categories = (target.xcategories ??= []);
	return x.map((name: string) => {
		const known = categories.indexOf(name);
		return known >= 0 ? known : categories.push(name) - 1;
	});
}

/** Builds the panel as the views receive it. Legend labels apply in drawing order. */
function panelSpec(panel: PanelState): PlotAxes {
	const series = panel.groups.flat();
	panel.legendLabels?.forEach((label, i) => {
		if (series[i]) series[i].label = label;
	});
	return { ...panel.axes, series };
}

function labelAxes(
	figure: FigureState,
	target: PlotAxes,
	key: 'title' | 'xlabel' | 'ylabel',
	text: string
) {
	figure.touched = true;
	target[key] = String(text);
}

function setScale(figure: FigureState, target: PlotAxes, key: 'xscale' | 'yscale', scale: Scale) {
	if (!SCALES.includes(scale)) {
		throw new RangeError(`plt.${key}: scale must be 'linear' or 'log', got '${scale}'.`);
	}
	figure.touched = true;
	target[key] = scale;
}

/**
 * Records fixed limits. As in matplotlib, NaN or an infinite limit raises, and an end given
 * as null or undefined keeps its autoscaled value.
 */
function setLimits(
	figure: FigureState,
	target: PlotAxes,
	key: 'xlim' | 'ylim',
	args: unknown[]
): void {
	const pair = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
	if (pair.length > 2) {
		throw new TypeError(
			`plt.${key}: expected (left, right) or ([left, right]), got ${pair.length} values.`
		);
	}
	const [low = null, high = null] = pair as unknown[];
	const ends = [low, high].map((end, i) => {
		if (end === null) return null;
		const value = typeof end === 'number' ? end : Number.NaN;
		if (!Number.isFinite(value)) {
			const name = key === 'xlim' ? ['left', 'right'][i] : ['bottom', 'top'][i];
			throw new RangeError(
				`plt.${key}: ${name} must be a finite number or null, got ${String(end)}.`
			);
		}
		return value;
	}) as [number | null, number | null];
	figure.touched = true;
	target[key] = ends;
}

type SeriesStyle = PlotOptions;

/** plot(y), plot(x, y), plot(x, y, 'o--'), each with an optional trailing options object. */
function splitPlotArgs(args: unknown[]): { values: unknown[]; options: SeriesStyle } {
	const rest = [...args];
	let options: SeriesStyle = {};
	if (isOptionsObject(rest[rest.length - 1])) options = { ...(rest.pop() as SeriesStyle) };
	if (typeof rest[rest.length - 1] === 'string') {
		options = { ...parseFormat(rest.pop() as string), ...options };
	}
	if (rest.length < 1 || rest.length > 2) {
		throw new TypeError(
			`plt.plot: expected plot(y) or plot(x, y), got ${rest.length} arrays. ` +
				'Call plt.plot once per line.'
		);
	}
	return { values: rest.length === 1 ? [undefined, rest[0]] : rest, options };
}

function isOptionsObject(value: unknown): boolean {
	if (value === null || typeof value !== 'object') return false;
	return !isArrayLike(value) && typeof (value as TensorLike).tolist !== 'function';
}

const FORMAT_COLORS = 'bgrcmykw';
const FORMAT_MARKERS = '.,ov^<>1234sp*hH+xXDd|_';
const FORMAT_LINES = ['--', '-.', '-', ':'];

/** matplotlib's format string: `'ro--'` is red, circle markers, dashed line. */
export function parseFormat(format: string): SeriesStyle {
	const style: SeriesStyle = {};
	let rest = format;
	const line = FORMAT_LINES.find((l) => rest.includes(l));
	if (line) {
		style.linestyle = line;
		rest = rest.replace(line, '');
	}
	for (const ch of rest) {
		if (FORMAT_COLORS.includes(ch) && !style.color) style.color = ch;
		else if (FORMAT_MARKERS.includes(ch) && !style.marker) style.marker = ch;
		else throw new TypeError(`plt.plot: '${format}' is not a valid format string.`);
	}
	// A marker without a line style means markers only, as in matplotlib.
	if (style.marker && !line) style.linestyle = 'none';
	return style;
}

/** Builds the series of one plot/scatter/bar call; a 2-D y gives one series per column. */
function xySeries(
	api: string,
	type: PlotSeries['type'],
	[xInput, yInput]: unknown[],
	options: SeriesStyle
): PlotSeries[] {
	const columns = isMatrix(yInput)
		? transpose(toMatrix(api, yInput))
		: [toVector(api, yInput, 'y')];
	return columns.map((y) => {
		const x = xInput === undefined ? y.map((_, i) => i) : toVector(api, xInput, 'x');
		if (x.length !== y.length) {
			throw new RangeError(
				`${api}: x and y must have same first dimension, but have shapes (${x.length},) ` +
					`and (${y.length},).`
			);
		}
		const series: PlotSeries = { type, x, y };
		for (const key of ['label', 'marker', 'linestyle', 'color'] as const) {
			if (options[key] !== undefined) series[key] = String(options[key]);
		}
		return series;
	});
}

/** Reads a value: arrays as they are, tensors through `tolist()` (a promise for engine tensors). */
function readInput(value: unknown): unknown {
	if (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as TensorLike).tolist === 'function'
	) {
		return (value as TensorLike).tolist();
	}
	return value;
}

function isPromise(value: unknown): value is Promise<unknown> {
	return value instanceof Promise || typeof (value as PromiseLike<unknown>)?.then === 'function';
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
	return Array.isArray(value) || ArrayBuffer.isView(value);
}

function isMatrix(value: unknown): boolean {
	return Array.isArray(value) && value.length > 0 && isArrayLike(value[0]);
}

function toNumber(api: string, value: unknown, where: string): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
	// matplotlib draws None as a gap, which is what NaN does here.
	if (value === null || value === undefined) return NaN;
	throw new TypeError(`${api}: ${where} must be a number, got ${JSON.stringify(value)}.`);
}

/** Converts to a 1-D list of numbers. A scalar becomes a list of one, as numpy's atleast_1d. */
function toVector(api: string, value: unknown, name = 'values'): number[] {
	if (typeof value === 'number') return [value];
	if (!isArrayLike(value)) {
		throw new TypeError(`${api}: ${name} must be an array or a tensor, got ${describe(value)}.`);
	}
	if (isMatrix(value)) {
		throw new TypeError(`${api}: ${name} must be 1-D, got a 2-D array. Pass one row or column.`);
	}
	return Array.from(value, (v, i) => toNumber(api, v, `${name}[${i}]`));
}

function toMatrix(api: string, value: unknown): number[][] {
	if (!isMatrix(value))
		throw new TypeError(`${api}: expected a 2-D array or tensor, got ${describe(value)}.`);
	const rows = (value as ArrayLike<unknown>[]).map((row, r) => {
		if (isMatrix(row)) throw new TypeError(`${api}: expected 2-D data, got 3 or more dimensions.`);
		return Array.from(row as ArrayLike<unknown>, (v, c) => toNumber(api, v, `[${r}][${c}]`));
	});
	const width = rows[0].length;
	const ragged = rows.findIndex((row) => row.length !== width);
	if (ragged >= 0) {
		throw new RangeError(
			`${api}: every row must have the same length, got ${width} in row 0 and ` +
				`${rows[ragged].length} in row ${ragged}.`
		);
	}
	return rows;
}

function transpose(rows: number[][]): number[][] {
	return rows[0].map((_, c) => rows.map((row) => row[c]));
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (typeof value === 'object') return value.constructor?.name ?? 'object';
	return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * numpy.histogram: `bins` equal-width bins from the minimum to the maximum (or over `range`),
 * each half-open [a, b) except the last, which is closed. NaN is left out, as matplotlib does.
 */
export function histogram(
	api: string,
	values: number[],
	bins: unknown = 10,
	options: Pick<HistOptions, 'range' | 'density'> = {}
): { counts: number[]; edges: number[] } {
	const edges = isArrayLike(bins)
		? checkedEdges(api, toVector(api, bins, 'bins'))
		: equalEdges(api, values, bins, options.range);
	const counts = new Array<number>(edges.length - 1).fill(0);
	const uniform = !isArrayLike(bins);

	for (const v of values) {
		if (!(v >= edges[0] && v <= edges[edges.length - 1])) continue;
		const bin = uniform ? uniformBin(v, edges) : searchBin(v, edges);
		counts[bin] += 1;
	}

	if (!options.density) return { counts, edges };
	const total = counts.reduce((a, b) => a + b, 0);
	return { counts: counts.map((c, i) => c / total / (edges[i + 1] - edges[i])), edges };
}

function equalEdges(api: string, values: number[], bins: unknown, range?: [number, number]) {
	if (typeof bins !== 'number' || !Number.isInteger(bins) || bins < 1) {
		throw new RangeError(
			`${api}: bins must be a positive integer or a list of edges, got ${bins}.`
		);
	}
	let [first, last] = range ?? finiteRange(api, values);
	if (!(Number.isFinite(first) && Number.isFinite(last)) || first > last) {
		throw new RangeError(
			`${api}: max must be larger than min in range parameter, got [${first}, ${last}].`
		);
	}
	if (first === last) {
		first -= 0.5;
		last += 0.5;
	}

	// numpy.linspace: start + i * step, with the last edge set to stop exactly.
	const step = (last - first) / bins;
	const edges = Array.from({ length: bins + 1 }, (_, i) => first + i * step);
	edges[bins] = last;
	return edges;
}

function finiteRange(api: string, values: number[]): [number, number] {
	let min = Infinity;
	let max = -Infinity;
	for (const v of values) {
		if (Number.isNaN(v)) continue;
		if (!Number.isFinite(v)) {
			throw new RangeError(
				`${api}: autodetected range of [${v}, ${v}] is not finite. ` +
					'Filter out infinite values or pass { range: [min, max] }.'
			);
		}
		if (v < min) min = v;
		if (v > max) max = v;
	}
	return min <= max ? [min, max] : [0, 1];
}

function checkedEdges(api: string, edges: number[]): number[] {
	const bad = edges.findIndex((e, i) => !Number.isFinite(e) || (i > 0 && e < edges[i - 1]));
	if (edges.length < 2 || bad >= 0) {
		throw new RangeError(`${api}: bins must increase monotonically, got [${edges.join(', ')}].`);
	}
	return edges;
}

/** numpy's fast path for equal bins: compute the index, then correct for rounding at the edges. */
function uniformBin(v: number, edges: number[]): number {
	const n = edges.length - 1;
	const first = edges[0];
	let bin = Math.floor(((v - first) / (edges[n] - first)) * n);
	if (bin === n) bin -= 1;
	if (v < edges[bin]) bin -= 1;
	else if (bin < n - 1 && v >= edges[bin + 1]) bin += 1;
	return bin;
}

function searchBin(v: number, edges: number[]): number {
	const n = edges.length - 1;
	if (v === edges[n]) return n - 1;
	let lo = 0;
	let hi = n;
	while (hi - lo > 1) {
		const mid = (lo + hi) >> 1;
		if (edges[mid] <= v) lo = mid;
		else hi = mid;
	}
	return lo;
}
