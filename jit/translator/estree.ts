// ESTree construction for the translator (ESTree spec, ES2022): small node builders plus `js` snippet templates
// parsed once by acorn and instantiated by substitution, so templates read like the JavaScript they produce.
import { parse } from 'acorn';

// A deliberately loose node type: the translator builds trees that only astring consumes.
export type Node = { type: string; [k: string]: any };

export const id = (name: string): Node => ({ type: 'Identifier', name });

export function lit(v: number | string | boolean): Node {
  if (typeof v === 'number' && (v < 0 || Object.is(v, -0))) {
    return { type: 'UnaryExpression', operator: '-', prefix: true, argument: { type: 'Literal', value: -v } };
  }
  return { type: 'Literal', value: v };
}

/** Values that can be spliced into a template: nodes, identifier names (strings), numbers (literals). */
export type Hole = Node | Node[] | string | number | boolean;

function toNode(v: Hole): Node {
  if (Array.isArray(v)) return v as unknown as Node; // statement list: spliced where it stands as a statement
  if (typeof v === 'boolean') return lit(v);
  if (typeof v === 'number') return lit(v);
  if (typeof v === 'string') return id(v);
  return v;
}

interface Parsed {
  statements: Node[];
}

const cache = new WeakMap<TemplateStringsArray, Parsed>();

function parseTemplate(strings: TemplateStringsArray): Parsed {
  let src = strings[0];
  for (let i = 1; i < strings.length; i++) src += `__h${i - 1}` + strings[i];
  const prog = parse(src, { ecmaVersion: 2022, sourceType: 'script', allowReturnOutsideFunction: true }) as unknown as Node;
  return { statements: prog.body as Node[] };
}

function instantiate(n: any, holes: Node[]): any {
  if (Array.isArray(n)) {
    const out: any[] = [];
    for (const x of n) {
      const v = instantiate(x, holes);
      if (v && v.type === 'ExpressionStatement' && Array.isArray(v.expression)) out.push(...v.expression);
      else out.push(v);
    }
    return out;
  }
  if (n === null || typeof n !== 'object') return n;
  if (n.type === 'Identifier' && n.name.startsWith('__h')) {
    const h = holes[Number(n.name.slice(3))];
    return h;
  }
  const out: any = {};
  for (const k in n) {
    if (k === 'start' || k === 'end' || k === 'loc' || k === 'range') continue;
    out[k] = instantiate(n[k], holes);
  }
  // `__h0: 1` style labels and `x.__h0` member names are not used; statement holes are unwrapped below.
  return out;
}

/** Statements from a template: js`s[${idx}] = ${val};` */
export function js(strings: TemplateStringsArray, ...values: Hole[]): Node[] {
  let p = cache.get(strings);
  if (p === undefined) cache.set(strings, (p = parseTemplate(strings)));
  const holes = values.map(toNode);
  const out: Node[] = [];
  for (const st of p.statements) {
    const inst = instantiate(st, holes);
    // A hole standing alone as a statement (`${stmts};`) splices statements in place.
    if (inst.type === 'ExpressionStatement' && Array.isArray(inst.expression)) out.push(...inst.expression);
    else if (inst.type === 'ExpressionStatement' && inst.expression?.type?.endsWith('Statement')) out.push(inst.expression);
    else if (inst.type === 'ExpressionStatement' && inst.expression?.type === 'BlockStatement') out.push(inst.expression);
    else out.push(inst);
  }
  return out;
}

/** One expression from a template: expr`(${a} + ${b}) | 0` */
export function expr(strings: TemplateStringsArray, ...values: Hole[]): Node {
  const st = js(strings, ...values);
  if (st.length !== 1 || st[0].type !== 'ExpressionStatement') throw new Error('expr template must be one expression');
  return st[0].expression;
}

export const block = (body: Node[]): Node => ({ type: 'BlockStatement', body });
export const exprStmt = (e: Node): Node => ({ type: 'ExpressionStatement', expression: e });
export const assign = (target: Hole, value: Hole, op = '='): Node =>
  exprStmt({ type: 'AssignmentExpression', operator: op, left: toNode(target), right: toNode(value) });
export const bin = (op: string, a: Hole, b: Hole): Node => ({ type: 'BinaryExpression', operator: op, left: toNode(a), right: toNode(b) });
export const index = (obj: Hole, i: Hole): Node => ({ type: 'MemberExpression', object: toNode(obj), property: toNode(i), computed: true, optional: false });
export const ifStmt = (test: Node, cons: Node[], alt?: Node[]): Node => ({
  type: 'IfStatement', test, consequent: block(cons), alternate: alt === undefined ? null : block(alt),
});
export const letDecl = (names: string[], init?: Hole[]): Node => ({
  type: 'VariableDeclaration',
  kind: 'let',
  declarations: names.map((n, i) => ({ type: 'VariableDeclarator', id: id(n), init: init?.[i] === undefined ? null : toNode(init[i]) })),
});
export const constDecl = (name: string, init: Hole): Node => ({
  type: 'VariableDeclaration', kind: 'const', declarations: [{ type: 'VariableDeclarator', id: id(name), init: toNode(init) }],
});
export const comment = (text: string): Node => ({ type: 'EmptyStatement', comments: [{ type: 'Line', value: ' ' + text }] });
