/**
 * Loads the WebAssembly kernels (kernels.wat) and moves data in and out of
 * their memory. Tensors live in ordinary typed arrays; a kernel call copies its
 * operands into a scratch arena at the bottom of the wasm memory, runs, and
 * copies the result out. The arena is reset after every call, and since calls
 * are synchronous no two of them ever interleave.
 */
import { KERNELS_WASM_BASE64 } from './wasm/kernels.generated.js';

/** Signatures of the exports of kernels.wat (pointers are byte offsets). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  add(a: number, b: number, out: number, n: number): void;
  sub(a: number, b: number, out: number, n: number): void;
  mul(a: number, b: number, out: number, n: number): void;
  and(a: number, b: number, out: number, n: number): void;
  or(a: number, b: number, out: number, n: number): void;
  xor(a: number, b: number, out: number, n: number): void;
  add2d(a: number, lda: number, b: number, ldb: number, out: number, ldo: number, rows: number, cols: number): void;
  sub2d(a: number, lda: number, b: number, ldb: number, out: number, ldo: number, rows: number, cols: number): void;
  neg(a: number, out: number, n: number): void;
  not(a: number, out: number, n: number): void;
  shr_s(a: number, out: number, n: number, bits: number): void;
  shr_u(a: number, out: number, n: number, bits: number): void;
  shl(a: number, out: number, n: number, bits: number): void;
  and_shifted(c: number, d: number, b: number, a: number, e: number, g: number, out: number, n: number, s: number, flags: number): void;
  xor_and4(table: number, nterms: number, out: number, n: number): void;
  select_mul_add(c: number, x: number, alpha: number, r: number, ar: number, out: number, n: number): void;
  inject_dot(c: number, r: number, w: number, out: number, count: number, n: number, first: number): void;
  truncate_opened(mine: number, theirs: number, rtop: number, rhigh: number, acc: number, out: number, n: number, bits: number, flags: number): void;
  pack_bit_rows(a: number, out: number, n: number, first: number, count: number): void;
  unpack_bits(a: number, out: number, n: number): void;
  sum_axis(a: number, out: number, outer: number, len: number, inner: number): void;
  copy_strided(src: number, dst: number, rank: number, dims: number, sstr: number, dstr: number, idx: number): void;
  encode(x: number, out: number, n: number, scale: number, bound: number): number;
  decode(a: number, y: number, n: number, invScale: number): void;
  pack_b(b: number, ldb: number, k: number, n: number, bp: number): void;
  matmul(a: number, lda: number, bp: number, c: number, ldc: number, m: number, k: number, n: number): void;
  im2col(
    x: number, out: number, nb: number, h: number, w: number, ch: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number,
  ): void;
}

const PAGE = 65536;
/** Byte offset where the arena starts (0 stays unused as a null pointer). */
const HEAP_BASE = 64;
/** wasm32 memories stop at 4 GiB. */
const MAX_BYTES = 4 * 1024 * 1024 * 1024;
/**
 * Results of at most this many words (2 KiB) share slabs of SLAB_BYTES: a
 * long-lived small result keeps one 32 KiB slab from being freed, at most.
 */
const SLAB_MAX_WORDS = 256;
const SLAB_BYTES = 32 * 1024;

/**
 * Most bytes of wasm memory that packed right-hand matrices stay in between
 * calls ({@link Arena.pinned}); past it every pinned matrix is dropped.
 */
const PINNED_BYTES = 64 * 1024 * 1024;

interface Pinned {
  readonly ptr: number;
  readonly words: number;
  readonly generation: number;
}

/**
 * Bump allocator over the wasm memory, valid for the duration of one call.
 * Below it, from HEAP_BASE to `base`, lie pinned matrices that outlive calls.
 */
export class Arena {
  private base = HEAP_BASE;
  private top = HEAP_BASE;
  /** Pinned matrices by the array they were made from, and the arrays seen once. */
  private readonly pins = new WeakMap<BigUint64Array, Pinned>();
  private readonly seen = new WeakSet<BigUint64Array>();
  /** Raised when the pinned region is dropped: older pins are void. */
  private generation = 0;
  /** Where small results are carved out ({@link take}); a full slab is left to the views that hold it. */
  private slab = new ArrayBuffer(SLAB_BYTES);
  private slabTop = 0;
  private buffer: ArrayBuffer | undefined;
  private u64View = new BigUint64Array(0);
  private f64View = new Float64Array(0);
  private i32View = new Int32Array(0);

  constructor(private readonly memory: WebAssembly.Memory) {}

  /** Reserves `words` 64-bit words, 16-byte aligned for SIMD loads. */
  alloc(words: number): number {
    const ptr = (this.top + 15) & ~15;
    const end = ptr + words * 8;
    if (end > MAX_BYTES) {
      throw new RangeError(`ring kernels: an operation needs ${end} bytes of WebAssembly memory, above the 4 GiB limit of wasm32`);
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    return ptr;
  }

  /** Reserves and zeroes. */
  allocZeroed(words: number): number {
    const ptr = this.alloc(words);
    this.u64.fill(0n, ptr / 8, ptr / 8 + words);
    return ptr;
  }

  put(data: BigUint64Array): number {
    const ptr = this.alloc(data.length);
    this.u64.set(data, ptr / 8);
    return ptr;
  }

  putF64(data: Float64Array): number {
    const ptr = this.alloc(data.length);
    this.f64.set(data, ptr / 8);
    return ptr;
  }

  putI32(values: readonly number[]): number {
    const ptr = this.alloc(Math.ceil(values.length / 2) + 1);
    this.i32.set(values, ptr / 4);
    return ptr;
  }

  /**
   * Copies `words` words out of wasm memory into a fresh array. Small results
   * are views into a shared slab: a fresh ArrayBuffer costs 1-4 us to create
   * and later to collect whatever its size, a view 0.1-0.3 us, and a private
   * inference takes hundreds of results of a few hundred words each. Nothing
   * reads a tensor's `buffer` beyond its byteOffset and byteLength.
   */
  take(ptr: number, words: number): BigUint64Array {
    if (words > SLAB_MAX_WORDS) return this.u64.slice(ptr / 8, ptr / 8 + words);
    const bytes = words * 8;
    if (this.slabTop + bytes > SLAB_BYTES) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.slabTop = 0;
    }
    const out = new BigUint64Array(this.slab, this.slabTop, words);
    this.slabTop += bytes;
    out.set(new BigUint64Array(this.u64.buffer, ptr, words));
    return out;
  }

  takeF64(ptr: number, n: number): Float64Array {
    return this.f64.slice(ptr / 8, ptr / 8 + n);
  }

  reset(): void {
    this.top = this.base;
  }

  /**
   * A pointer to `words` words made from `source` by `make(dst, src)` (src:
   * `source` copied into the arena), kept in wasm memory across calls for
   * the next call with the same array: a served model multiplies by the same
   * weights (their masked value, the server's share of their mask) every
   * query, and copying and packing them cost as much as a one-row product.
   * Undefined the first time an array is seen (most arrays, as in training,
   * are used once) or when it does not fit; then the caller does the work
   * itself. Call it first in a call, before anything is allocated. Relies on
   * tensors being immutable, as every op leaves them.
   */
  pinned(source: BigUint64Array, words: number, make: (dst: number, src: number) => void): number | undefined {
    const pin = this.pins.get(source);
    if (pin !== undefined && pin.generation === this.generation && pin.words === words) return pin.ptr;
    if (!this.seen.has(source)) {
      this.seen.add(source);
      return undefined;
    }
    if (this.top !== this.base || words * 8 > PINNED_BYTES / 4) return undefined;
    if (this.base + words * 8 + 16 - HEAP_BASE > PINNED_BYTES) {
      // Full: drop every pin (arrays already seen, a model's weights, are pinned again on their next use).
      this.generation += 1;
      this.base = HEAP_BASE;
      this.top = HEAP_BASE;
    }
    const ptr = this.alloc(words);
    make(ptr, this.put(source));
    this.base = ptr + words * 8;
    this.top = this.base;
    this.pins.set(source, { ptr, words, generation: this.generation });
    return ptr;
  }

  // Views are rebuilt after memory.grow, which detaches the old buffer.
  private refresh(): void {
    if (this.buffer !== this.memory.buffer) {
      this.buffer = this.memory.buffer;
      this.u64View = new BigUint64Array(this.buffer);
      this.f64View = new Float64Array(this.buffer);
      this.i32View = new Int32Array(this.buffer);
    }
  }
  get u64(): BigUint64Array {
    this.refresh();
    return this.u64View;
  }
  get f64(): Float64Array {
    this.refresh();
    return this.f64View;
  }
  get i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }
}

/** One instance of the kernels module with its arena. */
export class WasmKernels {
  readonly exports: KernelExports;
  private readonly arena: Arena;
  private busy = false;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {});
    this.exports = instance.exports as unknown as KernelExports;
    this.arena = new Arena(this.exports.memory);
  }

  /** Runs `fn` with the arena; everything allocated is released afterwards. */
  run<T>(fn: (arena: Arena, k: KernelExports) => T): T {
    if (this.busy) throw new Error('ring kernels: re-entrant call (a kernel call started inside another one)');
    this.busy = true;
    try {
      return fn(this.arena, this.exports);
    } finally {
      this.arena.reset();
      this.busy = false;
    }
  }
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

let compiled: WebAssembly.Module | undefined;
let instance: WasmKernels | undefined;

/**
 * The shared kernel instance. It holds no protocol state, only scratch memory,
 * so every player of a process can use it. Compiles synchronously on first use
 * (the module is a few KiB, under every browser's synchronous-compile limit).
 */
export function kernels(): WasmKernels {
  if (instance === undefined) {
    compiled ??= new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
    instance = new WasmKernels(compiled);
  }
  return instance;
}
