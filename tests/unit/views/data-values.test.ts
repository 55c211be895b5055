import { describe, expect, test } from 'vitest';
import {
	decodeDataValues,
	encodeDataValues,
	formatExact
} from '../../../src/lib/views/data-values';

describe('encodeDataValues', () => {
	test('encodeDataValues writes non-finite numbers as strings', () => {
		const text = encodeDataValues({ values: [0, Infinity, -Infinity, NaN, 1.5] });
		expect(text).toBe('{"values":[0,"Infinity","-Infinity","NaN",1.5]}');
	});

	test('decodeDataValues reads the strings back as numbers', () => {
		const value = { x: [1e-20, Infinity], y: [[NaN, -Infinity]] };
		expect(decodeDataValues(encodeDataValues(value))).toEqual(value);
	});
});

describe('formatExact', () => {
	test('formatExact keeps every digit of a double', () => {
		expect(formatExact(5.792895e-18)).toBe('5.792895e-18');
		expect(formatExact(0.1 + 0.2)).toBe('0.30000000000000004');
	});

	test('formatExact writes zero, infinities and NaN as the table shows them', () => {
		expect([0, -0, Infinity, -Infinity, NaN].map(formatExact)).toEqual([
			'0',
			'0',
			'Infinity',
			'-Infinity',
			'NaN'
		]);
	});
});
