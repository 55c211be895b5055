/**
 * Def/use analysis of one cell's compiled JavaScript. A cell's outputs are the names it
 * declares at its top level. Its inputs are the names it reads or assigns without declaring
 * them in any enclosing scope. The notebook graph later decides whether an input comes from
 * another cell or from the globals.
 */

import { parse as acornParse } from 'acorn';
import type { AnyNode, Node, Pattern, Program, VariableDeclaration } from 'acorn';

export interface CellAnalysis {
	/** Top-level declarations in source order: const/let/var (destructured too), function, class. */
	outputs: string[];
	/** Free names in first-use order, excluding the cell's own outputs. */
	inputs: string[];
	/** Free names that appear only as the operand of `typeof`, which does not throw for them. */
	typeofOnly: string[];
}

/** Parses compiled cell JavaScript: strict, top-level `await` allowed, positions with lines. */
export function parseCellJs(js: string): Program {
	return acornParse(js, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
}

/** Finds a parsed cell's outputs and inputs. */
export function analyseCell(program: Program): CellAnalysis {
	const walker = new ScopeWalker();
	const top = walker.enterFunctionScope(null, program.body);
	for (const statement of program.body) walker.walk(statement, top);

	const outputs = [...top.names];
	const inputs = [...walker.free.keys()];
	const typeofOnly = inputs.filter((name) => walker.free.get(name) === 'typeof');
	return { outputs, inputs, typeofOnly };
}

class Scope {
	readonly names = new Set<string>();
	constructor(readonly parent: Scope | null) {}

	has(name: string): boolean {
		return this.names.has(name) || (this.parent?.has(name) ?? false);
	}
}

type ReferenceKind = 'typeof' | 'value';

class ScopeWalker {
	/** Free name -> 'typeof' while every use so far was `typeof name`. */
	readonly free = new Map<string, ReferenceKind>();

	/**
	 * Opens the scope of a function or program body. `var` declarations anywhere in the body
	 * (outside nested functions) belong here, as do the body's own lexical declarations.
	 */
	enterFunctionScope(parent: Scope | null, body: readonly AnyNode[]): Scope {
		const scope = new Scope(parent);
		for (const statement of body) {
			collectVarNames(statement, scope.names);
			declareLexical([statement], scope.names);
		}
		return scope;
	}

	walk(node: AnyNode | null | undefined, scope: Scope): void {
		if (!node) return;
		switch (node.type) {
			case 'Identifier':
				this.reference(node.name, scope, 'value');
				return;
			case 'UnaryExpression':
				if (node.operator === 'typeof' && node.argument.type === 'Identifier') {
					this.reference(node.argument.name, scope, 'typeof');
				} else {
					this.walk(node.argument, scope);
				}
				return;
			case 'MemberExpression':
				this.walk(node.object, scope);
				if (node.computed) this.walk(node.property, scope);
				return;
			case 'Property':
			case 'PropertyDefinition':
			case 'MethodDefinition':
				if (node.computed) this.walk(node.key, scope);
				this.walk(node.value, scope);
				return;
			case 'LabeledStatement':
				this.walk(node.body, scope);
				return;
			case 'BreakStatement':
			case 'ContinueStatement':
			case 'MetaProperty':
			case 'PrivateIdentifier':
			case 'Literal':
			case 'ThisExpression':
			case 'Super':
			case 'TemplateElement':
				return;
			case 'VariableDeclaration':
				for (const declarator of node.declarations) {
					this.walkPattern(declarator.id, scope);
					this.walk(declarator.init, scope);
				}
				return;
			case 'FunctionDeclaration':
			case 'FunctionExpression':
			case 'ArrowFunctionExpression':
				this.walkFunction(node, scope);
				return;
			case 'ClassDeclaration':
			case 'ClassExpression':
				this.walkClass(node, scope);
				return;
			case 'StaticBlock': {
				const inner = this.enterFunctionScope(scope, node.body);
				for (const statement of node.body) this.walk(statement, inner);
				return;
			}
			case 'BlockStatement': {
				const inner = new Scope(scope);
				declareLexical(node.body, inner.names);
				for (const statement of node.body) this.walk(statement, inner);
				return;
			}
			case 'SwitchStatement': {
				this.walk(node.discriminant, scope);
				const inner = new Scope(scope);
				declareLexical(
					node.cases.flatMap((c) => c.consequent),
					inner.names
				);
				for (const switchCase of node.cases) this.walk(switchCase, inner);
				return;
			}
			case 'ForStatement': {
				const inner = this.loopHeadScope(node.init, scope);
				this.walk(node.init, inner);
				this.walk(node.test, inner);
				this.walk(node.update, inner);
				this.walk(node.body, inner);
				return;
			}
			case 'ForInStatement':
			case 'ForOfStatement': {
				const inner = this.loopHeadScope(node.left, scope);
				if (node.left.type === 'VariableDeclaration') this.walk(node.left, inner);
				else this.walkPattern(node.left, inner);
				this.walk(node.right, scope);
				this.walk(node.body, inner);
				return;
			}
			case 'CatchClause': {
				const inner = new Scope(scope);
				if (node.param) collectPatternNames(node.param, inner.names);
				if (node.param) this.walkPattern(node.param, inner);
				this.walk(node.body, inner);
				return;
			}
			case 'AssignmentExpression':
				this.walkPattern(node.left, scope);
				this.walk(node.right, scope);
				return;
			default:
				this.walkChildren(node, scope);
		}
	}

	/** Opens the scope of a `for (let ...)` head. A `var` head is declared in the function. */
	private loopHeadScope(head: AnyNode | null | undefined, scope: Scope): Scope {
		if (head?.type !== 'VariableDeclaration' || head.kind === 'var') return scope;
		const inner = new Scope(scope);
		for (const declarator of head.declarations) collectPatternNames(declarator.id, inner.names);
		return inner;
	}

	/**
	 * Walks a binding or assignment target: identifiers in it are declared (bindings) or
	 * references (assignments), and default values and computed keys are ordinary reads.
	 */
	private walkPattern(pattern: Pattern, scope: Scope): void {
		switch (pattern.type) {
			case 'Identifier':
				this.reference(pattern.name, scope, 'value');
				return;
			case 'MemberExpression':
				this.walk(pattern, scope);
				return;
			case 'ObjectPattern':
				for (const property of pattern.properties) {
					if (property.type === 'RestElement') {
						this.walkPattern(property.argument, scope);
					} else {
						if (property.computed) this.walk(property.key, scope);
						this.walkPattern(property.value, scope);
					}
				}
				return;
			case 'ArrayPattern':
				for (const element of pattern.elements) if (element) this.walkPattern(element, scope);
				return;
			case 'RestElement':
				this.walkPattern(pattern.argument, scope);
				return;
			case 'AssignmentPattern':
				this.walkPattern(pattern.left, scope);
				this.walk(pattern.right, scope);
				return;
		}
	}

	private walkFunction(
		node: Extract<
			AnyNode,
			{ type: 'FunctionDeclaration' | 'FunctionExpression' | 'ArrowFunctionExpression' }
		>,
		scope: Scope
	): void {
		// A named function expression binds its own name inside itself. A declaration's name
		// is already declared in the enclosing scope.
		let outer = scope;
		if (node.type === 'FunctionExpression' && node.id) {
			outer = new Scope(scope);
			outer.names.add(node.id.name);
		}

		const body = node.body.type === 'BlockStatement' ? node.body.body : [];
		const inner = this.enterFunctionScope(outer, body);
		for (const param of node.params) collectPatternNames(param, inner.names);
		if (node.type !== 'ArrowFunctionExpression') inner.names.add('arguments');

		for (const param of node.params) this.walkPattern(param, inner);
		if (node.body.type === 'BlockStatement') {
			for (const statement of node.body.body) this.walk(statement, inner);
		} else {
			this.walk(node.body, inner);
		}
	}

	private walkClass(
		node: Extract<AnyNode, { type: 'ClassDeclaration' | 'ClassExpression' }>,
		scope: Scope
	): void {
		this.walk(node.superClass, scope);
		const inner = new Scope(scope);
		if (node.id) inner.names.add(node.id.name);
		for (const member of node.body.body) this.walk(member, inner);
	}

	private walkChildren(node: AnyNode, scope: Scope): void {
		for (const key of Object.keys(node)) {
			if (key === 'loc' || key === 'range') continue;
			const child = (node as unknown as Record<string, unknown>)[key];
			if (Array.isArray(child)) {
				for (const item of child) if (isNode(item)) this.walk(item, scope);
			} else if (isNode(child)) {
				this.walk(child, scope);
			}
		}
	}

	private reference(name: string, scope: Scope, kind: ReferenceKind): void {
		if (scope.has(name)) return;
		const previous = this.free.get(name);
		this.free.set(name, previous === 'value' || kind === 'value' ? 'value' : 'typeof');
	}
}

function isNode(value: unknown): value is AnyNode {
	return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** Adds the names a statement list declares with let/const/class/function to `names`. */
function declareLexical(statements: readonly AnyNode[], names: Set<string>): void {
	for (const statement of statements) {
		if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
			for (const declarator of statement.declarations) collectPatternNames(declarator.id, names);
		} else if (
			(statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') &&
			statement.id
		) {
			names.add(statement.id.name);
		}
	}
}

/** Adds every `var` name declared in `node` (but not in nested functions) to `names`. */
function collectVarNames(node: AnyNode | null | undefined, names: Set<string>): void {
	if (!node) return;
	switch (node.type) {
		case 'VariableDeclaration':
			if (node.kind === 'var') collectDeclarationNames(node, names);
			return;
		case 'FunctionDeclaration':
		case 'FunctionExpression':
		case 'ArrowFunctionExpression':
		case 'ClassDeclaration':
		case 'ClassExpression':
			return;
		case 'BlockStatement':
			for (const statement of node.body) collectVarNames(statement, names);
			return;
		case 'IfStatement':
			collectVarNames(node.consequent, names);
			collectVarNames(node.alternate, names);
			return;
		case 'ForStatement':
			collectVarNames(node.init, names);
			collectVarNames(node.body, names);
			return;
		case 'ForInStatement':
		case 'ForOfStatement':
			collectVarNames(node.left, names);
			collectVarNames(node.body, names);
			return;
		case 'WhileStatement':
		case 'DoWhileStatement':
		case 'LabeledStatement':
		case 'WithStatement':
			collectVarNames(node.body, names);
			return;
		case 'TryStatement':
			collectVarNames(node.block, names);
			collectVarNames(node.handler?.body, names);
			collectVarNames(node.finalizer, names);
			return;
		case 'SwitchStatement':
			for (const switchCase of node.cases) {
				for (const statement of switchCase.consequent) collectVarNames(statement, names);
			}
			return;
	}
}

function collectDeclarationNames(declaration: VariableDeclaration, names: Set<string>): void {
	for (const declarator of declaration.declarations) collectPatternNames(declarator.id, names);
}

/** Adds the names a binding pattern binds: `{ a, b: [c, d = 1], ...rest }` binds a, c, d, rest. */
export function collectPatternNames(pattern: Pattern, names: Set<string>): void {
	switch (pattern.type) {
		case 'Identifier':
			names.add(pattern.name);
			return;
		case 'ObjectPattern':
			for (const property of pattern.properties) {
				collectPatternNames(
					property.type === 'RestElement' ? property.argument : property.value,
					names
				);
			}
			return;
		case 'ArrayPattern':
			for (const element of pattern.elements) if (element) collectPatternNames(element, names);
			return;
		case 'RestElement':
			collectPatternNames(pattern.argument, names);
			return;
		case 'AssignmentPattern':
			collectPatternNames(pattern.left, names);
			return;
		case 'MemberExpression':
			return;
	}
}
