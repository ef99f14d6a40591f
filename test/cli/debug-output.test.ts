/**
 * Nothing that carries a share, an input, a seed, a nonce or a proof is
 * printed by any library in a player's process, whatever DEBUG says.
 * socket.io and engine.io print every packet under their debug namespaces;
 * with DEBUG=* that was every frame and every handshake in full.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { spawnCli, startPlayers } from '../helpers/players.js';
import { encode } from '../../src/ring/fixed-point.js';
import type { Payload } from '../../src/network/index.js';
import { compareProgram, PLAYERS } from '../fixtures/pond-program.js';

tf.env().set('PROD', true);

/** The renderings of one 64-bit word that a debug printer may produce. */
function renderings(w: bigint): string[] {
  const le = Buffer.alloc(8);
  le.writeBigUInt64LE(w);
  const out = [
    le.toString('hex'), // a hex dump
    Buffer.from(le).reverse().toString('hex'),
    [...le].map((b) => b.toString(16).padStart(2, '0')).join(' '), // util.inspect of a Buffer
    [...le].join(','), // JSON of a Buffer: {"type":"Buffer","data":[...]}
    le.toString('latin1'), // raw bytes written as text
    w.toString(), // decimal, unsigned
  ];
  // Base64 of the word at each alignment, without the characters its neighbours affect.
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), le]).toString('base64');
    out.push(b64.slice(Math.ceil((pad * 4) / 3) + 1, Math.floor(((pad + 8) * 4) / 3) - 1));
  }
  const signed = BigInt.asIntN(64, w);
  if (signed <= -1_000_000n || signed >= 1_000_000n) out.push(signed.toString()); // shorter decimals would match ports and times
  return out.filter((r) => r.length >= 6);
}

/** The renderings of a byte string (a seed) that a debug printer may produce. */
function byteRenderings(b: Uint8Array): string[] {
  const buf = Buffer.from(b);
  return [buf.toString('hex'), [...buf].map((x) => x.toString(16).padStart(2, '0')).join(' '), [...buf].join(','), buf.toString('base64').replace(/=+$/, ''), buf.toString('latin1')];
}

/** Lines of `output` that look like binary data in any common rendering. */
function binaryLooking(output: string): Record<string, string[]> {
  const lines = output.split('\n');
  const offending = (re: RegExp): string[] => lines.filter((l) => re.test(l)).map((l) => l.slice(0, 200));
  return {
    'socket.io and engine.io lines': offending(/\bsocket\.io|\bengine(\.io)?[:-]/),
    'hex of 16 bytes or more (seeds, nonces, proofs)': offending(/[0-9a-f]{32}/i),
    'base64 of 16 bytes or more': offending(/[A-Za-z0-9+/]{24,}={0,2}/),
    'buffer dumps': offending(/"type":"Buffer"|<Buffer |(\d{1,3},){16}/),
    'raw binary': offending(/[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]/),
  };
}

test('with DEBUG=* the output of tfe run holds no input word, share, seed, nonce or proof in any common rendering', async (t) => {
  const r = spawnCli(t, ['run', 'examples/federated-average/main.ts'], { DEBUG: '*', DEBUG_COLORS: 'no' });
  const { code } = await r.exit;
  const output = r.stdout + r.stderr;
  t.is(code, 0, r.stderr.slice(-2000));
  t.regex(r.stdout, /max \|private - plaintext\|/, 'the example ran');
  // The five inputs of the example (seeded), as the inputters encode them.
  const words = [0, 1, 2, 3, 4].flatMap((k) => Array.from(encode(Float64Array.from(tf.randomNormal([10], 0, 1, 'float32', 1000 + k).dataSync()), [10]).data));
  t.is(words.length, 50);
  for (const w of words) {
    for (const rendering of renderings(w)) t.false(output.includes(rendering), `an input word appears in the output as ${JSON.stringify(rendering)}`);
  }
  // Shares, seeds, nonces and proofs are random: no rendering of binary data may appear at all.
  for (const [what, lines] of Object.entries(binaryLooking(output))) t.deepEqual(lines, [], what);
});

test('with DEBUG=* no message that players exchange appears in their output: the exact seeds and shares of a seeded run', async (t) => {
  // The same seeded program in one process tells every message the players send (the
  // multi-process run is identical bit for bit: test/network/multiprocess.test.ts).
  const local = new tfe.InProcessConfig(PLAYERS);
  const sent: Payload[] = [];
  const send = local.transport.send.bind(local.transport);
  local.transport.send = (from, to, key, payload, kind) => {
    sent.push(payload);
    send(from, to, key, payload, kind);
  };
  await compareProgram(local);
  await local.close();
  const players = await startPlayers(t, 'test/fixtures/pond-program.ts', PLAYERS, { TFE_TEST_SCENARIO: 'compare', DEBUG: '*', DEBUG_COLORS: 'no' });
  const exits = await Promise.all(players.map((p) => p.exit));
  players.forEach((p, i) => t.is(exits[i].code, 0, `${p.name}: ${p.stderr.slice(-1000)}`));
  const output = players.map((p) => p.stdout + p.stderr).join('\n');
  const looked = new Set<string>();
  let seeds = 0;
  for (const payload of sent) {
    for (const tensor of payload) {
      if (tensor.data instanceof Uint8Array) {
        seeds += 1;
        for (const r of byteRenderings(tensor.data)) t.false(output.includes(r), `a seed appears in the output as ${JSON.stringify(r)}`);
        continue;
      }
      for (const w of tensor.data) {
        for (const r of renderings(w)) {
          if (looked.has(r)) continue;
          looked.add(r);
          if (output.includes(r)) t.fail(`a share word appears in the output as ${JSON.stringify(r)}`);
        }
      }
    }
  }
  t.true(seeds > 0 && looked.size > 1000, `${seeds} seeds and ${looked.size} renderings of share words looked for`);
  // The fixture's own REPORT lines print SHA-256 digests of its result shares, on purpose.
  const printed = output.split('\n').filter((l) => !l.startsWith('REPORT ')).join('\n');
  for (const [what, lines] of Object.entries(binaryLooking(printed))) t.deepEqual(lines, [], what);
});
