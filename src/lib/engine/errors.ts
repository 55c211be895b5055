/**
 * Error families of the engine. User mistakes (ShapeError, DTypeError, IndexError, ValueError,
 * AutogradError) are the user's to fix; UnsupportedOpError marks a gap in the engine;
 * InternalError is an engine bug. Messages put PyTorch's words first where PyTorch has them.
 */

/** Shapes that do not fit together: broadcasting, matmul, view, cat. */
export class ShapeError extends Error {
	override name = 'ShapeError';
}

/** A dtype the op does not accept, such as a float tensor used as indices. */
export class DTypeError extends Error {
	override name = 'DTypeError';
}

/** A dim or an index outside its valid range. */
export class IndexError extends Error {
	override name = 'IndexError';
}

/** An argument with an invalid value, such as a negative size or an unknown reduction. */
export class ValueError extends Error {
	override name = 'ValueError';
}

/** Autograd used against its rules: a second backward, a modified saved tensor. */
export class AutogradError extends Error {
	override name = 'AutogradError';
}

/** An op, dtype and backend combination the engine does not implement yet. */
export class UnsupportedOpError extends Error {
	override name = 'UnsupportedOpError';

	constructor(
		readonly op: string,
		readonly dtype: string,
		readonly backend: string,
		detail = ''
	) {
		const what = `${op}: not supported for dtype ${dtype} on the ${backend} backend`;
		const fix =
			backend === 'cpu' ? 'see COVERAGE.md' : "use torch.set_backend('cpu'), see COVERAGE.md";
		super(`${what}${detail ? ` (${detail})` : ''}. ${capitalize(fix)}.`);
	}
}

/** An engine bug: the message starts with `internal:` and requests a report. */
export class InternalError extends Error {
	override name = 'InternalError';

	constructor(message: string) {
		super(`internal: ${message}, please report it with your notebook's link`);
	}
}

function capitalize(text: string): string {
	return text[0].toUpperCase() + text.slice(1);
}
