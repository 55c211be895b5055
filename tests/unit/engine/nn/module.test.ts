import { describe, expect, test } from 'vitest';
import { torch } from '../../../../src/lib/engine';
import type { Tensor } from '../../../../src/lib/engine/tensor';

const { nn } = torch;

class Net extends nn.Module {
	fc2: InstanceType<typeof nn.Linear>;
	fc1: InstanceType<typeof nn.Linear>;
	scale: InstanceType<typeof nn.Parameter>;
	constructor() {
		super();
		this.fc2 = new nn.Linear(3, 1);
		this.fc1 = new nn.Linear(2, 3);
		this.scale = new nn.Parameter(torch.ones(1));
		this.register_buffer('steps', torch.zeros(1));
	}
	forward(x: Tensor): Tensor {
		return this.fc2(this.fc1(x).relu()).mul(this.scale);
	}
}

describe('Module', () => {
	test('module instances are callable and run forward', async () => {
		torch.manual_seed(0);
		const net = new Net();
		const x = torch.randn(4, 2);
		const y = net(x);
		expect(y.shape).toEqual([4, 1]);
		expect(await y.array()).toEqual(await net.forward(x).array());
		expect(typeof net).toBe('function');
		expect(net instanceof nn.Module).toBe(true);
		expect(net instanceof Net).toBe(true);
	});

	test('fields register in assignment order, own parameters before children', () => {
		const net = new Net();
		expect(net.named_parameters().map(([name]) => name)).toEqual([
			'scale',
			'fc2.weight',
			'fc2.bias',
			'fc1.weight',
			'fc1.bias'
		]);
		expect(net.named_children().map(([name]) => name)).toEqual(['fc2', 'fc1']);
		expect(net.named_buffers().map(([name]) => name)).toEqual(['steps']);
		expect(net.named_modules().map(([name]) => name)).toEqual(['', 'fc2', 'fc1']);
		expect(net.parameters().length).toBe(5);
		expect(net.children()).toEqual([net.fc2, net.fc1]);
	});

	test('field initializers register in declaration order', () => {
		class Fields extends nn.Module {
			encoder = new nn.Linear(2, 3);
			decoder = new nn.Linear(3, 2);
		}
		expect(new Fields().named_children().map(([name]) => name)).toEqual(['encoder', 'decoder']);
	});

	test('declared fields accept register_parameter', () => {
		class Declared extends nn.Module {
			bias: InstanceType<typeof nn.Parameter> | null;
			constructor() {
				super();
				this.register_parameter('bias', null);
				this.bias = null;
			}
		}
		const m = new Declared();
		expect(m._parameters.has('bias')).toBe(true);
		expect(m.parameters()).toEqual([]);
		expect(() => m.register_parameter('forward', null)).toThrow(
			/attribute 'forward' already exists/
		);
	});

	test('name and length stay assignable fields', () => {
		class Named extends nn.Module {
			name: string;
			length = 3;
			constructor() {
				super();
				this.name = 'encoder';
			}
		}
		const m = new Named();
		expect(m.name).toBe('encoder');
		m.name = 'decoder';
		m.length = 7;
		expect(m.name).toBe('decoder');
		expect(m.length).toBe(7);
	});

	test('assigning a plain tensor to a parameter name throws', () => {
		const lin = new nn.Linear(2, 2);
		expect(() => {
			(lin as unknown as { weight: Tensor }).weight = torch.zeros(2, 2);
		}).toThrow(/cannot assign 'torch.FloatTensor' as parameter 'weight'/);
		lin.bias = null;
		expect(lin.named_parameters().map(([n]) => n)).toEqual(['weight']);
	});

	test('deleting a field unregisters it', () => {
		const net = new Net();
		delete (net as unknown as Record<string, unknown>).fc1;
		expect(net.named_children().map(([n]) => n)).toEqual(['fc2']);
	});

	test('shared submodules and parameters appear once', () => {
		const shared = new nn.Linear(2, 2);
		const seq = new nn.Sequential(shared, shared);
		expect(seq.parameters().length).toBe(2);
		expect(seq.named_modules().length).toBe(2);
	});

	test('train() and eval() set training on every descendant', () => {
		const net = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Dropout()));
		expect(net.modules().every((m) => m.training)).toBe(true);
		expect(net.eval()).toBe(net);
		expect(net.modules().some((m) => m.training)).toBe(false);
		net.train();
		expect(net.modules().every((m) => m.training)).toBe(true);
	});

	test('zero_grad zeroes grads in place by default and sets null on request', async () => {
		const lin = new nn.Linear(2, 1);
		lin(torch.ones(1, 2)).sum().backward();
		lin.zero_grad();
		expect(Array.from(await (lin.weight.grad as Tensor).array())).toEqual([0, 0]);
		lin.zero_grad({ set_to_none: true });
		expect(lin.weight.grad).toBeNull();
	});

	test('state_dict round trip restores parameters and buffers', async () => {
		torch.manual_seed(0);
		const a = new Net();
		torch.manual_seed(1);
		const b = new Net();
		const state = a.state_dict();
		expect(Object.keys(state)).toEqual([
			'scale',
			'steps',
			'fc2.weight',
			'fc2.bias',
			'fc1.weight',
			'fc1.bias'
		]);
		expect(state['fc1.weight'].requires_grad).toBe(false);
		const result = b.load_state_dict(state);
		expect(result).toEqual({ missing_keys: [], unexpected_keys: [] });
		for (const [name, p] of b.named_parameters()) {
			expect(await p.array(), name).toEqual(await state[name].array());
		}
	});

	test('load_state_dict reports missing, unexpected and mis-shaped keys', () => {
		const lin = new nn.Linear(2, 3);
		expect(() => lin.load_state_dict({ weight: torch.zeros(3, 2) })).toThrow(
			/Missing key\(s\) in state_dict: "bias"/
		);
		expect(() =>
			lin.load_state_dict({
				weight: torch.zeros(3, 2),
				bias: torch.zeros(3),
				extra: torch.zeros(1)
			})
		).toThrow(/Unexpected key\(s\) in state_dict: "extra"/);
		expect(() => lin.load_state_dict({ weight: torch.zeros(2, 2), bias: torch.zeros(3) })).toThrow(
			/size mismatch for weight: copying a param with shape \[2, 2\] from checkpoint, the shape in current model is \[3, 2\]/
		);
		const partial = lin.load_state_dict({ weight: torch.zeros(3, 2) }, { strict: false });
		expect(partial.missing_keys).toEqual(['bias']);
	});

	test('non-persistent buffers stay out of state_dict', () => {
		const m = new nn.Module();
		m.register_buffer('a', torch.zeros(1));
		m.register_buffer('b', torch.zeros(1), { persistent: false });
		expect(Object.keys(m.state_dict())).toEqual(['a']);
		expect(m.named_buffers().map(([n]) => n)).toEqual(['a', 'b']);
	});

	test('forward pre-hooks and forward hooks fire and may replace values', async () => {
		const lin = new nn.Identity();
		const calls: string[] = [];
		const pre = lin.register_forward_pre_hook((_m, input) => {
			calls.push('pre');
			return [(input[0] as Tensor).mul(2)];
		});
		const post = lin.register_forward_hook((_m, _input, output) => {
			calls.push('post');
			return (output as Tensor).add(1);
		});
		expect(Array.from(await lin(torch.tensor([1, 2])).array())).toEqual([3, 5]);
		expect(calls).toEqual(['pre', 'post']);
		pre.remove();
		post.remove();
		expect(Array.from(await lin(torch.tensor([1, 2])).array())).toEqual([1, 2]);
		expect(calls.length).toBe(2);
	});

	test('full backward hooks see grad_input and grad_output', async () => {
		const lin = new nn.Linear(2, 1);
		const seen: { gradInput: (Tensor | null)[]; gradOutput: (Tensor | null)[] }[] = [];
		lin.register_full_backward_hook((_m, gradInput, gradOutput) => {
			seen.push({ gradInput, gradOutput });
		});
		const x = torch.ones(1, 2, { requires_grad: true });
		lin(x).mul(3).sum().backward();
		expect(seen.length).toBe(1);
		expect(Array.from(await (seen[0].gradOutput[0] as Tensor).array())).toEqual([3]);
		const weight = await lin.weight.array();
		expect(Array.from(await (seen[0].gradInput[0] as Tensor).array())).toEqual(
			Array.from(weight, (w) => Math.fround(3 * w))
		);
	});

	test('full backward hooks may replace grad_input', async () => {
		const id = new nn.Identity();
		id.register_full_backward_hook((_m, gradInput) => [(gradInput[0] as Tensor).mul(10)]);
		const x = torch.ones(2, { requires_grad: true });
		id(x).sum().backward();
		expect(Array.from(await (x.grad as Tensor).array())).toEqual([10, 10]);
	});

	test('full backward hooks run with grad_input null when no input needs grad', async () => {
		const lin = new nn.Linear(2, 1);
		let gradInput: (Tensor | null)[] = [];
		lin.register_full_backward_hook((_m, gi) => {
			gradInput = gi;
		});
		lin(torch.ones(1, 2)).sum().backward();
		expect(gradInput).toEqual([null]);
	});

	test('apply visits children first, then the module', () => {
		const net = new Net();
		const order: string[] = [];
		net.apply((m) => order.push(m.constructor.name));
		expect(order).toEqual(['Linear', 'Linear', 'Net']);
	});

	test('requires_grad_ freezes every parameter', () => {
		const net = new Net().requires_grad_(false);
		expect(net.parameters().some((p) => p.requires_grad)).toBe(false);
	});

	test('to(cpu) keeps parameter identity', () => {
		const lin = new nn.Linear(2, 2);
		const weight = lin.weight;
		lin.to('cpu');
		expect(lin.weight).toBe(weight);
	});

	test('a module without forward says what to define', () => {
		expect(() => new nn.Module()(torch.ones(1))).toThrow(/missing the required "forward" function/);
	});

	test('toString prints the module tree as PyTorch does', () => {
		const seq = new nn.Sequential(
			new nn.Linear(4, 3),
			new nn.ReLU(),
			new nn.Sequential(new nn.Dropout(0.1))
		);
		expect(seq.toString()).toBe(
			[
				'Sequential(',
				'  (0): Linear(in_features=4, out_features=3, bias=True)',
				'  (1): ReLU()',
				'  (2): Sequential(',
				'    (0): Dropout(p=0.1, inplace=False)',
				'  )',
				')'
			].join('\n')
		);
	});
});

describe('Parameter', () => {
	test('Parameter requires grad, shares storage and registers when assigned', async () => {
		const t = torch.zeros(2);
		const p = new nn.Parameter(t);
		expect(p.requires_grad).toBe(true);
		expect(p.is_leaf).toBe(true);
		t.fill_(3);
		expect(Array.from(await p.array())).toEqual([3, 3]);
		expect(new nn.Parameter(torch.zeros(1), false).requires_grad).toBe(false);
	});
});
