/**
 * One radix-4 level of the parallel-prefix adder, in one round. With group
 * generates G and propagates P over spans of w bits and X_k = X << (k s):
 *   G' = G ^ P G_1 ^ P P_1 G_2 ^ P P_1 P_2 G_3,   P' = P P_1 P_2 P_3
 * over spans of 4w bits (Brent-Kung's carry operator applied three times;
 * the terms are exclusive, so XOR is OR). Two radix-2 levels take a round
 * each; this takes one: P and G are XOR-masked and opened once, and each
 * product of k shifted operands expands over the subsets U of its factors,
 *   prod_t (e_t ^ m_t) = XOR_U (prod_{t not in U} e_t) & M_U,
 * e_t public (the opened words), M_{} all ones (server 0's share),
 * M_{t} = m_t (each server's mask share) and M_U for |U| >= 2 dealt by the
 * crypto producer. Products of shifted masks are shifts of a few classes
 * ((mP << s) & (mP << 2s) = (mP & (mP << s)) << s), so the dealer deals one
 * word per class: 14 per word with P', 10 for G' alone, against 2 per
 * radix-2 level; the open is 2 words each way either way.
 */
import * as ring from '../../ring/index.js';
import { RingTensor, type ShiftedFactor, type Shape } from '../../ring/index.js';
import type { BilinearOp } from '../dealer/triple-source.js';
import { onServers, type TwoServerContext } from '../two-server.js';
import { openXor, type XorShares } from './xor.js';

/** An operand of the level: P or G shifted left by k times the level's shift. */
interface Operand {
  readonly g: boolean;
  readonly k: number;
}

/** Where a factor of a term comes from, on each server. */
type Source =
  | { readonly from: 'opened' | 'mask'; readonly operand: Operand }
  | { readonly from: 'dealt'; readonly cls: number; readonly k: number }
  | { readonly from: 'share' };

interface Term {
  readonly factors: readonly Source[];
  /** The all-ones share of M_{}: only server 0 adds this term. */
  readonly server0Only: boolean;
}

interface Plan {
  /** The dealer's mask products, each normalized so its smallest shift is 0. */
  readonly classes: readonly (readonly Operand[])[];
  readonly gTerms: readonly Term[];
  readonly pTerms: readonly Term[];
}

const P = (k: number): Operand => ({ g: false, k });
const G = (k: number): Operand => ({ g: true, k });

function makePlan(withP: boolean): Plan {
  const classes: Operand[][] = [];
  const index = new Map<string, number>();
  const classOf = (u: readonly Operand[]): Source => {
    const base = Math.min(...u.map((o) => o.k));
    const norm = u.map((o) => ({ g: o.g, k: o.k - base }));
    const key = norm.map((o) => `${o.g ? 'G' : 'P'}${o.k}`).join('');
    let cls = index.get(key);
    if (cls === undefined) {
      cls = classes.length;
      index.set(key, cls);
      classes.push(norm);
    }
    return { from: 'dealt', cls, k: base };
  };
  const expand = (product: readonly Operand[]): Term[] => {
    const terms: Term[] = [];
    for (let u = 0; u < 1 << product.length; u++) {
      const inU = product.filter((_, j) => (u >> j) & 1);
      const factors: Source[] = product.filter((_, j) => !((u >> j) & 1)).map((operand) => ({ from: 'opened', operand }));
      if (inU.length === 1) factors.push({ from: 'mask', operand: inU[0] });
      else if (inU.length > 1) factors.push(classOf(inU));
      terms.push({ factors, server0Only: inU.length === 0 });
    }
    return terms;
  };
  const gTerms = [{ factors: [{ from: 'share' } as const], server0Only: false }, ...expand([P(0), G(1)]), ...expand([P(0), P(1), G(2)]), ...expand([P(0), P(1), P(2), G(3)])];
  const pTerms = withP ? expand([P(0), P(1), P(2), P(3)]) : [];
  return { classes, gTerms, pTerms };
}

const PLANS = { withP: makePlan(true), gOnly: makePlan(false) } as const;

/** Dealer words per word of a level: one per class of mask products. */
export function dealtWords(withP: boolean): number {
  return (withP ? PLANS.withP : PLANS.gOnly).classes.length;
}

/** The classes of products of the shifted masks (mP, mG), as rows of one tensor: what the dealer deals. */
function classProducts(plan: Plan, s: number, n: number): BilinearOp {
  return {
    name: 'and4',
    outShape: () => [plan.classes.length, n],
    apply: (mP, mG) => {
      const [p, g] = [mP.withShape([n]), mG.withShape([n])];
      const rows = plan.classes.map((c) => ring.xorOfProducts([c.map((o): ShiftedFactor => [o.g ? g : p, o.k * s])]).withShape([1, n]));
      return ring.concat(rows, 0);
    },
  };
}

/**
 * One radix-4 level at shift s (operands P, G over spans of s bits): G' and,
 * when `withP`, P' over spans of 4s bits, in one round of operation `op`.
 */
export function prefixLevel4(ctx: TwoServerContext, op: number, Gs: XorShares, Ps: XorShares, s: number, withP: boolean): { G: XorShares; P: XorShares | undefined } {
  const plan = withP ? PLANS.withP : PLANS.gOnly;
  const shape: Shape = Gs.shape;
  const n = ring.sizeOf(shape);
  const [mP, mG] = openXor(ctx, op, [Ps, Gs]);
  const dealt = ctx.triples.binaryProduct(op, mP.mask, mG.mask, classProducts(plan, s, n), [plan.classes.length, n], 0);
  const both = onServers(ctx, async (i) => {
    const flat = async (t: Promise<RingTensor>): Promise<RingTensor> => (await t).withShape([n]);
    const [eP, eG, aP, aG, own, c] = await Promise.all([
      flat(mP.opened[i].value()),
      flat(mG.opened[i].value()),
      flat(mP.mask.shares[i].value()),
      flat(mG.mask.shares[i].value()),
      flat(Gs.shares[i].value()),
      dealt[i].value(),
    ]);
    const rows = plan.classes.map((_, j) => new RingTensor([n], c.data.subarray(j * n, (j + 1) * n)));
    const factor = (f: Source): ShiftedFactor => {
      switch (f.from) {
        case 'opened':
          return [f.operand.g ? eG : eP, f.operand.k * s];
        case 'mask':
          return [f.operand.g ? aG : aP, f.operand.k * s];
        case 'dealt':
          return [rows[f.cls], f.k * s];
        case 'share':
          return [own, 0];
      }
    };
    const evaluate = (terms: readonly Term[]): RingTensor =>
      ring.xorOfProducts(terms.filter((t) => i === 0 || !t.server0Only).map((t) => t.factors.map(factor))).withShape(shape);
    return { g: evaluate(plan.gTerms), p: withP ? evaluate(plan.pTerms) : undefined };
  }, op);
  const G2: XorShares = { shape, shares: onServers(ctx, async (i) => (await both[i].value()).g) };
  const P2: XorShares | undefined = withP ? { shape, shares: onServers(ctx, async (i) => (await both[i].value()).p as RingTensor) } : undefined;
  return { G: G2, P: P2 };
}
