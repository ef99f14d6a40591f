/**
 * tfjs's summary table with three more columns, the protocol cost of each
 * layer (triples dealt, rounds, bytes sent by all players), and the totals;
 * functional models add tfjs's "Connected to" column.
 */
import { fmtLayerShape } from '../layers/index.js';
import { addCosts } from '../protocol/api/index.js';
import type { SummaryRow } from './model.js';

export function printSummary(rows: readonly SummaryRow[], batchSize: number, print: (line: string) => void): void {
  const known = rows.every((r) => r.cost !== undefined);
  const graph = rows.some((r) => r.connectedTo !== undefined);
  const total = addCosts(rows.map((r) => r.cost ?? { triples: 0, rounds: 0, bytes: 0 }));
  const header = ['Layer (type)', 'Output shape', 'Param #', 'Triples', 'Rounds', 'Bytes', ...(graph ? ['Connected to'] : [])];
  const lines = rows.map((r) => [
    `${r.name} (${r.className})`,
    fmtLayerShape(r.outputShape),
    String(r.params),
    r.cost === undefined ? '-' : String(r.cost.triples),
    r.cost === undefined ? '-' : String(r.cost.rounds),
    r.cost === undefined ? '-' : formatBytes(r.cost.bytes),
    ...(graph ? [(r.connectedTo ?? []).join(', ')] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)) + 2);
  const row = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('').trimEnd();
  const rule = (ch: string): string => ch.repeat(widths.reduce((a, b) => a + b, 0));
  print(rule('_'));
  print(row(header));
  print(rule('='));
  lines.forEach((l, i) => {
    print(row(l));
    print(i === lines.length - 1 ? rule('=') : rule('_'));
  });
  const params = rows.reduce((a, r) => a + r.params, 0);
  print(`Total params: ${params}`);
  const frozen = rows.reduce((a, r) => a + (r.nonTrainableParams ?? (r.trainable === false ? r.params : 0)), 0);
  print(`Trainable params: ${params - frozen}`);
  print(`Non-trainable params: ${frozen}`);
  print(known
    ? `Protocol cost per batch of ${batchSize} (after the first, which also opens the masked weights): ${total.triples} triples, ${total.rounds} rounds, ${formatBytes(total.bytes)}`
    : 'Protocol cost: build the model with a protocol (model.build(prot) or fromTfjs) to see it');
  print(rule('_'));
}

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(1)} KiB`;
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(2)} MiB`;
  return `${(b / 1024 ** 3).toFixed(2)} GiB`;
}
