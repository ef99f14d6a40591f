;; Hot loops of the ring Z_(2^64), in WebAssembly with native i64 arithmetic.
;;
;; Every pointer is a byte offset into the exported memory; every count is in
;; 64-bit words. The host (kernels.ts) copies operands in, calls one export and
;; copies the result out; nothing here keeps state between calls.
;; Arithmetic wraps mod 2^64, which is exactly the ring.
(module
  (memory (export "memory") 2)

  ;; ------------------------------------------------------------------
  ;; Elementwise binary ops: out[i] = a[i] op b[i], i < n.
  ;; add/sub/and/or/xor use i64x2 (two words per instruction) and a scalar tail.
  ;; ------------------------------------------------------------------
  (func (export "add") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (i64x2.add (v128.load (local.get $a)) (v128.load (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.add (i64.load (local.get $a)) (i64.load (local.get $b)))))))

  (func (export "sub") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (i64x2.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.sub (i64.load (local.get $a)) (i64.load (local.get $b)))))))

  (func (export "and") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (v128.and (v128.load (local.get $a)) (v128.load (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.and (i64.load (local.get $a)) (i64.load (local.get $b)))))))

  (func (export "or") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (v128.or (v128.load (local.get $a)) (v128.load (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.or (i64.load (local.get $a)) (i64.load (local.get $b)))))))

  (func (export "xor") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (v128.xor (v128.load (local.get $a)) (v128.load (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.xor (i64.load (local.get $a)) (i64.load (local.get $b)))))))

  ;; Elementwise product. i64x2.mul is lowered by V8 to three 32-bit multiplies
  ;; plus shuffles, slower than scalar i64.mul, so this loop is scalar, unrolled by 2.
  (func (export "mul") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (i64.store (local.get $out) (i64.mul (i64.load (local.get $a)) (i64.load (local.get $b))))
      (i64.store offset=8 (local.get $out) (i64.mul (i64.load offset=8 (local.get $a)) (i64.load offset=8 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.mul (i64.load (local.get $a)) (i64.load (local.get $b)))))))

  ;; 2-D blocks with leading dimensions (words): out = a + b or a - b over
  ;; rows x cols. Used by Strassen-Winograd on quadrants of larger matrices.
  (func (export "add2d") (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32)
        (param $out i32) (param $ldo i32) (param $rows i32) (param $cols i32)
    (local $r i32)
    (local.set $r (i32.const 0))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $r) (local.get $rows)))
      (call $row_addsub (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r) (local.get $lda)) (i32.const 3)))
        (i32.add (local.get $b) (i32.shl (i32.mul (local.get $r) (local.get $ldb)) (i32.const 3)))
        (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $ldo)) (i32.const 3)))
        (local.get $cols) (i32.const 0))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $l))))

  (func (export "sub2d") (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32)
        (param $out i32) (param $ldo i32) (param $rows i32) (param $cols i32)
    (local $r i32)
    (local.set $r (i32.const 0))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $r) (local.get $rows)))
      (call $row_addsub (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r) (local.get $lda)) (i32.const 3)))
        (i32.add (local.get $b) (i32.shl (i32.mul (local.get $r) (local.get $ldb)) (i32.const 3)))
        (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $ldo)) (i32.const 3)))
        (local.get $cols) (i32.const 1))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $l))))

  ;; One row of add2d (sub = 0) or sub2d (sub = 1).
  (func $row_addsub (param $a i32) (param $b i32) (param $out i32) (param $n i32) (param $sub i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (if (local.get $sub)
      (then
        (block $vd (loop $vl
          (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
          (v128.store (local.get $out) (i64x2.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 16)))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (br $vl)))
        (if (i32.lt_u (local.get $out) (local.get $end))
          (then (i64.store (local.get $out) (i64.sub (i64.load (local.get $a)) (i64.load (local.get $b)))))))
      (else
        (block $wd (loop $wl
          (br_if $wd (i32.ge_u (local.get $out) (local.get $vend)))
          (v128.store (local.get $out) (i64x2.add (v128.load (local.get $a)) (v128.load (local.get $b))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 16)))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (br $wl)))
        (if (i32.lt_u (local.get $out) (local.get $end))
          (then (i64.store (local.get $out) (i64.add (i64.load (local.get $a)) (i64.load (local.get $b)))))))))

  ;; ------------------------------------------------------------------
  ;; Elementwise unary ops: out[i] = op a[i].
  ;; ------------------------------------------------------------------
  (func (export "neg") (param $a i32) (param $out i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (i64x2.neg (v128.load (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.sub (i64.const 0) (i64.load (local.get $a)))))))

  (func (export "not") (param $a i32) (param $out i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (v128.not (v128.load (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.xor (i64.const -1) (i64.load (local.get $a)))))))

  ;; Shifts by a public amount 0 <= bits < 64: arithmetic right (signed
  ;; two's complement, for truncation), logical right and left.
  (func (export "shr_s") (param $a i32) (param $out i32) (param $n i32) (param $bits i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (i64x2.shr_s (v128.load (local.get $a)) (local.get $bits)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.shr_s (i64.load (local.get $a)) (i64.extend_i32_u (local.get $bits)))))))

  (func (export "shr_u") (param $a i32) (param $out i32) (param $n i32) (param $bits i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (i64x2.shr_u (v128.load (local.get $a)) (local.get $bits)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.shr_u (i64.load (local.get $a)) (i64.extend_i32_u (local.get $bits)))))))

  (func (export "shl") (param $a i32) (param $out i32) (param $n i32) (param $bits i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vd (loop $vl
      (br_if $vd (i32.ge_u (local.get $out) (local.get $vend)))
      (v128.store (local.get $out) (i64x2.shl (v128.load (local.get $a)) (local.get $bits)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then (i64.store (local.get $out) (i64.shl (i64.load (local.get $a)) (i64.extend_i32_u (local.get $bits)))))))

  ;; Bit packing: bit 0 of each of n words, 64 per output word (LSB first), so
  ;; that opened bits travel at 1/64 of a word each; and the inverse.
  ;; pack_bit_rows: bit max(0, first + k) of each of n words, for k < count,
  ;; packed row by row: bit k n + i of the output (LSB first, 64 per word) is
  ;; bit max(0, first + k) of a[i] (first may be negative). count = 1,
  ;; first = 0 packs bit 0 (opened bits).
  (func (export "pack_bit_rows") (param $a i32) (param $out i32) (param $n i32) (param $first i32) (param $count i32)
    (local $i i32) (local $k i32) (local $src i32) (local $w i64) (local $j i64) (local $sh i64)
    (local.set $w (i64.const 0))
    (local.set $j (i64.const 0))
    (local.set $k (i32.const 0))
    (block $kd (loop $kl
      (br_if $kd (i32.ge_u (local.get $k) (local.get $count)))
      (local.set $sh (i64.extend_i32_s (i32.add (local.get $first) (local.get $k))))
      (local.set $sh (select (local.get $sh) (i64.const 0) (i64.gt_s (local.get $sh) (i64.const 0))))
      (local.set $src (local.get $a))
      (local.set $i (i32.const 0))
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $w (i64.or (local.get $w)
          (i64.shl (i64.and (i64.shr_u (i64.load (local.get $src)) (local.get $sh)) (i64.const 1)) (local.get $j))))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $j (i64.add (local.get $j) (i64.const 1)))
        (if (i64.eq (local.get $j) (i64.const 64))
          (then
            (i64.store (local.get $out) (local.get $w))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (local.set $w (i64.const 0))
            (local.set $j (i64.const 0))))
        (br $l)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $kl)))
    (if (i64.ne (local.get $j) (i64.const 0)) (then (i64.store (local.get $out) (local.get $w)))))

  (func (export "unpack_bits") (param $a i32) (param $out i32) (param $n i32)
    (local $i i32) (local $w i64)
    (local.set $i (i32.const 0))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.eqz (i32.and (local.get $i) (i32.const 63)))
        (then
          (local.set $w (i64.load (local.get $a)))
          (local.set $a (i32.add (local.get $a) (i32.const 8)))))
      (i64.store (local.get $out) (i64.and (local.get $w) (i64.const 1)))
      (local.set $w (i64.shr_u (local.get $w) (i64.const 1)))
      (local.set $out (i32.add (local.get $out) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; ------------------------------------------------------------------
  ;; Fused protocol steps (generic ring formulas, named by what they compute).
  ;;
  ;; and_shifted: out = c ^ (d & (b << s)) ^ (a & (e << s))
  ;;                    [^ (d & (e << s)) when flags & 1] [^ g when flags & 2]
  ;; (the local part of a Beaver AND of XOR shares with a shifted operand).
  ;; ------------------------------------------------------------------
  (func (export "and_shifted") (param $c i32) (param $d i32) (param $b i32) (param $a i32) (param $e i32) (param $g i32)
        (param $out i32) (param $n i32) (param $s i32) (param $flags i32)
    (local $end i32) (local $vend i32) (local $vd v128) (local $ve v128) (local $z v128)
    (local $sd i64) (local $se i64) (local $zs i64) (local $s64 i64)
    (local.set $s64 (i64.extend_i32_u (local.get $s)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $vdone (loop $vl
      (br_if $vdone (i32.ge_u (local.get $out) (local.get $vend)))
      (local.set $vd (v128.load (local.get $d)))
      (local.set $ve (i64x2.shl (v128.load (local.get $e)) (local.get $s)))
      (local.set $z (v128.xor (v128.load (local.get $c))
        (v128.xor (v128.and (local.get $vd) (i64x2.shl (v128.load (local.get $b)) (local.get $s)))
                  (v128.and (v128.load (local.get $a)) (local.get $ve)))))
      (if (i32.and (local.get $flags) (i32.const 1))
        (then (local.set $z (v128.xor (local.get $z) (v128.and (local.get $vd) (local.get $ve))))))
      (if (i32.and (local.get $flags) (i32.const 2))
        (then (local.set $z (v128.xor (local.get $z) (v128.load (local.get $g))))))
      (v128.store (local.get $out) (local.get $z))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $e (i32.add (local.get $e) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vl)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then
        (local.set $sd (i64.load (local.get $d)))
        (local.set $se (i64.shl (i64.load (local.get $e)) (local.get $s64)))
        (local.set $zs (i64.xor (i64.load (local.get $c))
          (i64.xor (i64.and (local.get $sd) (i64.shl (i64.load (local.get $b)) (local.get $s64)))
                   (i64.and (i64.load (local.get $a)) (local.get $se)))))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then (local.set $zs (i64.xor (local.get $zs) (i64.and (local.get $sd) (local.get $se))))))
        (if (i32.and (local.get $flags) (i32.const 2))
          (then (local.set $zs (i64.xor (local.get $zs) (i64.load (local.get $g))))))
        (i64.store (local.get $out) (local.get $zs)))))

;; xor_and4: out ^= (A << sa) & (B << sb) & (C << sc) & (D << sd) for each of
  ;; `nterms` terms, read from a table of 8 i32 per term (pointer, shift) x 4.
  ;; A term of fewer factors repeats one (x & x = x). The caller zeroes out.
  ;; (The local part of an AND of several XOR-masked words: a sum of products.)
  ;; ------------------------------------------------------------------
  (func (export "xor_and4") (param $table i32) (param $nterms i32) (param $out i32) (param $n i32)
    (local $t i32) (local $i i32) (local $nv i32)
    (local $pa i32) (local $pb i32) (local $pc i32) (local $pd i32)
    (local $sa i32) (local $sb i32) (local $sc i32) (local $sd i32) (local $po i32)
    (local.set $nv (i32.and (local.get $n) (i32.const -2)))
    (local.set $t (i32.const 0))
    (block $tdone (loop $tl
      (br_if $tdone (i32.ge_u (local.get $t) (local.get $nterms)))
      (local.set $pa (i32.load offset=0 (local.get $table)))
      (local.set $sa (i32.load offset=4 (local.get $table)))
      (local.set $pb (i32.load offset=8 (local.get $table)))
      (local.set $sb (i32.load offset=12 (local.get $table)))
      (local.set $pc (i32.load offset=16 (local.get $table)))
      (local.set $sc (i32.load offset=20 (local.get $table)))
      (local.set $pd (i32.load offset=24 (local.get $table)))
      (local.set $sd (i32.load offset=28 (local.get $table)))
      (local.set $po (local.get $out))
      (local.set $i (i32.const 0))
      (block $vd (loop $vl
        (br_if $vd (i32.ge_u (local.get $i) (local.get $nv)))
        (v128.store (local.get $po) (v128.xor (v128.load (local.get $po))
          (v128.and
            (v128.and (i64x2.shl (v128.load (local.get $pa)) (local.get $sa)) (i64x2.shl (v128.load (local.get $pb)) (local.get $sb)))
            (v128.and (i64x2.shl (v128.load (local.get $pc)) (local.get $sc)) (i64x2.shl (v128.load (local.get $pd)) (local.get $sd))))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 16)))
        (local.set $pd (i32.add (local.get $pd) (i32.const 16)))
        (local.set $po (i32.add (local.get $po) (i32.const 16)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $vl)))
      (if (i32.lt_u (local.get $i) (local.get $n))
        (then
          (i64.store (local.get $po) (i64.xor (i64.load (local.get $po))
            (i64.and
              (i64.and (i64.shl (i64.load (local.get $pa)) (i64.extend_i32_u (local.get $sa))) (i64.shl (i64.load (local.get $pb)) (i64.extend_i32_u (local.get $sb))))
              (i64.and (i64.shl (i64.load (local.get $pc)) (i64.extend_i32_u (local.get $sc))) (i64.shl (i64.load (local.get $pd)) (i64.extend_i32_u (local.get $sd)))))))))
      (local.set $table (i32.add (local.get $table) (i32.const 32)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tl))))

    ;; select_mul_add: with t = alpha * r + ar, out = c ? x - t : t  (c is 0 or 1).
  ;; This is c x + (1 - 2c) t: multiplying by an opened bit in bit injection.
  (func (export "select_mul_add") (param $c i32) (param $x i32) (param $alpha i32) (param $r i32) (param $ar i32)
        (param $out i32) (param $n i32)
    (local $end i32) (local $t i64)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $out) (local.get $end)))
      (local.set $t (i64.add (i64.mul (i64.load (local.get $alpha)) (i64.load (local.get $r))) (i64.load (local.get $ar))))
      (i64.store (local.get $out)
        (select (i64.sub (i64.load (local.get $x)) (local.get $t)) (local.get $t) (i32.wrap_i64 (i64.load (local.get $c)))))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (local.set $x (i32.add (local.get $x) (i32.const 8)))
      (local.set $alpha (i32.add (local.get $alpha) (i32.const 8)))
      (local.set $r (i32.add (local.get $r) (i32.const 8)))
      (local.set $ar (i32.add (local.get $ar) (i32.const 8)))
      (local.set $out (i32.add (local.get $out) (i32.const 8)))
      (br $l))))

  ;; inject_dot: out[i] = sum_k w[k] (c_ki first + (1 - 2 c_ki) r[k n + i]) for
  ;; k < count, with c packed row by row as pack_bit_rows packs it (bit k n + i)
  ;; and first 0 or 1: a server's share of sum_k w_k b_k from bit injection's
  ;; opened c = b ^ r and its share of the random bits r, without the
  ;; count x n intermediate words.
  (func (export "inject_dot") (param $c i32) (param $r i32) (param $w i32) (param $out i32)
        (param $count i32) (param $n i32) (param $first i32)
    (local $k i32) (local $i i32) (local $bit i32) (local $dst i32) (local $wk i64) (local $t i64) (local $f i64)
    (local.set $f (i64.extend_i32_u (local.get $first)))
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $n) (i32.const 3)))
    (local.set $bit (i32.const 0))
    (local.set $k (i32.const 0))
    (block $kd (loop $kl
      (br_if $kd (i32.ge_u (local.get $k) (local.get $count)))
      (local.set $wk (i64.load (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 3)))))
      (local.set $dst (local.get $out))
      (local.set $i (i32.const 0))
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $t (i64.load (local.get $r)))
        (i64.store (local.get $dst) (i64.add (i64.load (local.get $dst)) (i64.mul (local.get $wk)
          (select (i64.sub (local.get $f) (local.get $t)) (local.get $t)
            (i32.and (i32.shr_u (i32.load (i32.add (local.get $c) (i32.shl (i32.shr_u (local.get $bit) (i32.const 5)) (i32.const 2))))
                                (i32.and (local.get $bit) (i32.const 31))) (i32.const 1))))))
        (local.set $r (i32.add (local.get $r) (i32.const 8)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (local.set $bit (i32.add (local.get $bit) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $kl))))

  ;; truncate_opened: a server's share of z >> bits from the opened c = mine + theirs
  ;; (truncate.ts has the protocol): cTop = c >> 63, w = rTop (1 - 2 cTop) (+ cTop on
  ;; server 0), out = (w << (63 - bits)) - rHigh (+ ((c & (2^63 - 1)) >> bits) - 2^(62 - bits)
  ;; on server 0) (+ acc). flags: 1 = server 0, 2 = add acc. 1 <= bits <= 62.
  (func (export "truncate_opened") (param $mine i32) (param $theirs i32) (param $rtop i32) (param $rhigh i32) (param $acc i32)
        (param $out i32) (param $n i32) (param $bits i32) (param $flags i32)
    (local $end i32) (local $first i32) (local $sum i32) (local $c i64) (local $ctop i64) (local $rt i64) (local $w i64) (local $v i64)
    (local $up i64) (local $down i64) (local $half i64)
    (local.set $first (i32.and (local.get $flags) (i32.const 1)))
    (local.set $sum (i32.and (local.get $flags) (i32.const 2)))
    (local.set $up (i64.extend_i32_u (i32.sub (i32.const 63) (local.get $bits))))
    (local.set $down (i64.extend_i32_u (local.get $bits)))
    (local.set $half (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (i32.const 62) (local.get $bits)))))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $out) (local.get $end)))
      (local.set $c (i64.add (i64.load (local.get $mine)) (i64.load (local.get $theirs))))
      (local.set $ctop (i64.shr_u (local.get $c) (i64.const 63)))
      (local.set $rt (i64.load (local.get $rtop)))
      ;; rTop (1 - 2 cTop) is rTop or -rTop.
      (local.set $w (select (i64.sub (i64.const 0) (local.get $rt)) (local.get $rt) (i32.wrap_i64 (local.get $ctop))))
      (local.set $w (i64.add (local.get $w) (select (local.get $ctop) (i64.const 0) (local.get $first))))
      (local.set $v (i64.sub (i64.shl (local.get $w) (local.get $up)) (i64.load (local.get $rhigh))))
      (local.set $v (i64.add (local.get $v)
        (select (i64.sub (i64.shr_u (i64.and (local.get $c) (i64.const 0x7fffffffffffffff)) (local.get $down)) (local.get $half))
                (i64.const 0) (local.get $first))))
      (local.set $v (i64.add (local.get $v) (select (i64.load (local.get $acc)) (i64.const 0) (local.get $sum))))
      (i64.store (local.get $out) (local.get $v))
      (local.set $mine (i32.add (local.get $mine) (i32.const 8)))
      (local.set $theirs (i32.add (local.get $theirs) (i32.const 8)))
      (local.set $rtop (i32.add (local.get $rtop) (i32.const 8)))
      (local.set $rhigh (i32.add (local.get $rhigh) (i32.const 8)))
      (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
      (local.set $out (i32.add (local.get $out) (i32.const 8)))
      (br $l))))

  ;; ------------------------------------------------------------------
  ;; Reduction: out[o, j] = sum_l a[o, l, j] for a viewed as [outer, len, inner].
  ;; The innermost loop walks j so reads stay contiguous.
  ;; ------------------------------------------------------------------
  (func (export "sum_axis") (param $a i32) (param $out i32) (param $outer i32) (param $len i32) (param $inner i32)
    (local $o i32) (local $l i32) (local $j i32) (local $src i32) (local $dst i32) (local $row i32)
    (local.set $row (i32.shl (local.get $inner) (i32.const 3)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $outer) (local.get $row)))
    (local.set $src (local.get $a))
    (local.set $o (i32.const 0))
    (block $od (loop $ol
      (br_if $od (i32.ge_u (local.get $o) (local.get $outer)))
      (local.set $l (i32.const 0))
      (block $ld (loop $ll
        (br_if $ld (i32.ge_u (local.get $l) (local.get $len)))
        (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $o) (local.get $row))))
        (local.set $j (i32.const 0))
        (block $jd (loop $jl
          (br_if $jd (i32.ge_u (i32.add (local.get $j) (i32.const 1)) (local.get $inner)))
          (v128.store (local.get $dst) (i64x2.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $j (i32.add (local.get $j) (i32.const 2)))
          (br $jl)))
        (if (i32.lt_u (local.get $j) (local.get $inner))
          (then
            (i64.store (local.get $dst) (i64.add (i64.load (local.get $dst)) (i64.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (i32.const 8)))))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $ll)))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $ol))))

  ;; ------------------------------------------------------------------
  ;; Strided copy: one kernel for every data movement (broadcast, transpose,
  ;; slice, pad, concat, tile). For an index vector idx over dims[0..rank):
  ;;   dst[dst0 + sum idx[d]*dstr[d]] = src[src0 + sum idx[d]*sstr[d]]
  ;; dims, sstr, dstr are i32 arrays (strides in words, 0 means broadcast);
  ;; idx is an i32 scratch array of rank words the kernel zeroes itself.
  ;; ------------------------------------------------------------------
  (func (export "copy_strided") (param $src i32) (param $dst i32) (param $rank i32)
        (param $dims i32) (param $sstr i32) (param $dstr i32) (param $idx i32)
    (local $d i32) (local $inner i32) (local $is i32) (local $id i32) (local $s i32) (local $t i32)
    (local $j i32) (local $v i64) (local $dim i32) (local $k i32)
    (if (i32.eqz (local.get $rank))
      (then (i64.store (local.get $dst) (i64.load (local.get $src))) (return)))
    ;; an empty tensor moves nothing
    (local.set $d (i32.const 0))
    (block $zd (loop $zl
      (br_if $zd (i32.ge_u (local.get $d) (local.get $rank)))
      (if (i32.eqz (i32.load (i32.add (local.get $dims) (i32.shl (local.get $d) (i32.const 2))))) (then (return)))
      (i32.store (i32.add (local.get $idx) (i32.shl (local.get $d) (i32.const 2))) (i32.const 0))
      (local.set $d (i32.add (local.get $d) (i32.const 1)))
      (br $zl)))
    (local.set $k (i32.shl (i32.sub (local.get $rank) (i32.const 1)) (i32.const 2)))
    (local.set $inner (i32.load (i32.add (local.get $dims) (local.get $k))))
    (local.set $is (i32.shl (i32.load (i32.add (local.get $sstr) (local.get $k))) (i32.const 3)))
    (local.set $id (i32.shl (i32.load (i32.add (local.get $dstr) (local.get $k))) (i32.const 3)))
    (loop $outer
      ;; one innermost row
      (local.set $s (local.get $src))
      (local.set $t (local.get $dst))
      (if (i32.and (i32.eq (local.get $is) (i32.const 8)) (i32.eq (local.get $id) (i32.const 8)))
        (then (memory.copy (local.get $t) (local.get $s) (i32.shl (local.get $inner) (i32.const 3))))
        (else
          (if (i32.eqz (local.get $is))
            (then
              ;; broadcast row: one value repeated
              (local.set $v (i64.load (local.get $s)))
              (local.set $j (local.get $inner))
              (loop $bl
                (i64.store (local.get $t) (local.get $v))
                (local.set $t (i32.add (local.get $t) (local.get $id)))
                (br_if $bl (local.tee $j (i32.sub (local.get $j) (i32.const 1))))))
            (else
              (local.set $j (local.get $inner))
              (loop $gl
                (i64.store (local.get $t) (i64.load (local.get $s)))
                (local.set $s (i32.add (local.get $s) (local.get $is)))
                (local.set $t (i32.add (local.get $t) (local.get $id)))
                (br_if $gl (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))))))
      ;; odometer over the outer dimensions, last-but-one fastest
      (local.set $d (i32.sub (local.get $rank) (i32.const 2)))
      (block $done
        (loop $carry
          (br_if $done (i32.lt_s (local.get $d) (i32.const 0)))
          (local.set $k (i32.shl (local.get $d) (i32.const 2)))
          (local.set $dim (i32.load (i32.add (local.get $dims) (local.get $k))))
          (local.set $j (i32.add (i32.load (i32.add (local.get $idx) (local.get $k))) (i32.const 1)))
          (local.set $src (i32.add (local.get $src) (i32.shl (i32.load (i32.add (local.get $sstr) (local.get $k))) (i32.const 3))))
          (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.load (i32.add (local.get $dstr) (local.get $k))) (i32.const 3))))
          (if (i32.lt_u (local.get $j) (local.get $dim))
            (then
              (i32.store (i32.add (local.get $idx) (local.get $k)) (local.get $j))
              (br $outer)))
          ;; wrap this digit: rewind its whole extent and carry into the next one
          (i32.store (i32.add (local.get $idx) (local.get $k)) (i32.const 0))
          (local.set $src (i32.sub (local.get $src) (i32.shl (i32.mul (local.get $dim) (i32.load (i32.add (local.get $sstr) (local.get $k)))) (i32.const 3))))
          (local.set $dst (i32.sub (local.get $dst) (i32.shl (i32.mul (local.get $dim) (i32.load (i32.add (local.get $dstr) (local.get $k)))) (i32.const 3))))
          (local.set $d (i32.sub (local.get $d) (i32.const 1)))
          (br $carry)))))

  ;; ------------------------------------------------------------------
  ;; Fixed point. encode: out[i] = round_half_even(x[i] * scale) as i64 (two's
  ;; complement). Returns the index of the first value that is NaN, infinite or
  ;; not below bound in magnitude, or -1 when all are encodable; out is then
  ;; unspecified. decode: y[i] = signed(a[i]) * invScale.
  ;; ------------------------------------------------------------------
  (func (export "encode") (param $x i32) (param $out i32) (param $n i32) (param $scale f64) (param $bound f64) (result i32)
    (local $i i32) (local $v f64)
    (local.set $i (i32.const 0))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $v (f64.load (local.get $x)))
      ;; written as !(|v| < bound) so NaN fails too
      (if (i32.eqz (f64.lt (f64.abs (local.get $v)) (local.get $bound))) (then (return (local.get $i))))
      (i64.store (local.get $out) (i64.trunc_sat_f64_s (f64.nearest (f64.mul (local.get $v) (local.get $scale)))))
      (local.set $x (i32.add (local.get $x) (i32.const 8)))
      (local.set $out (i32.add (local.get $out) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.const -1))

  (func (export "decode") (param $a i32) (param $y i32) (param $n i32) (param $invScale f64)
    (local $end i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $a) (local.get $end)))
      (f64.store (local.get $y) (f64.mul (f64.convert_i64_s (i64.load (local.get $a))) (local.get $invScale)))
      (local.set $a (i32.add (local.get $a) (i32.const 8)))
      (local.set $y (i32.add (local.get $y) (i32.const 8)))
      (br $l))))

  ;; ------------------------------------------------------------------
  ;; Matrix product mod 2^64.
  ;;
  ;; Each word is split into 32-bit limbs, a = a_lo + 2^32 a_hi, so that
  ;;   sum_k a*b = sum_k a_lo*b_lo + 2^32 * sum_k (a_lo*b_hi + a_hi*b_lo)  (mod 2^64).
  ;; The first sum needs full 64-bit products (i64x2.extmul_low/high_i32x4_u);
  ;; the second only its low 32 bits, so it runs four lanes at a time with
  ;; i32x4.mul. V8 lowers i64x2.mul to three multiplies plus shuffles, which is
  ;; why the limbs are explicit here.
  ;;
  ;; B is first packed (pack_b) into panels of 4 columns: for every k, the four
  ;; low limbs then the four high limbs (32 bytes), zero beyond column n. The
  ;; kernel computes 2 rows x 4 columns per step, keeping 6 vector accumulators.
  ;; ------------------------------------------------------------------
  (func (export "pack_b") (param $b i32) (param $ldb i32) (param $k i32) (param $n i32) (param $bp i32)
    (local $p i32) (local $np i32) (local $t i32) (local $c i32) (local $col i32) (local $src i32) (local $w i64)
    (local.set $np (i32.shr_u (i32.add (local.get $n) (i32.const 3)) (i32.const 2)))
    (local.set $p (i32.const 0))
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $np)))
      (local.set $t (i32.const 0))
      (block $td (loop $tl
        (br_if $td (i32.ge_u (local.get $t) (local.get $k)))
        (local.set $c (i32.const 0))
        (loop $cl
          (local.set $col (i32.add (i32.shl (local.get $p) (i32.const 2)) (local.get $c)))
          (local.set $w (i64.const 0))
          (if (i32.lt_u (local.get $col) (local.get $n))
            (then (local.set $w (i64.load (i32.add (local.get $b)
              (i32.shl (i32.add (i32.mul (local.get $t) (local.get $ldb)) (local.get $col)) (i32.const 3)))))))
          (i32.store (i32.add (local.get $bp) (i32.shl (local.get $c) (i32.const 2))) (i32.wrap_i64 (local.get $w)))
          (i32.store offset=16 (i32.add (local.get $bp) (i32.shl (local.get $c) (i32.const 2)))
            (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.const 32))))
          (br_if $cl (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 4))))
        (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tl)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl))))

  ;; C[i, 4p..4p+3] for rows i, i+1 (two = 1) or row i alone (two = 0), one panel.
  (func $panel (param $a i32) (param $lda i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $k i32) (param $two i32)
    (local $kk i32) (local $a1 i32) (local $blo v128) (local $bhi v128)
    (local $alo0 v128) (local $ahi0 v128) (local $alo1 v128) (local $ahi1 v128)
    (local $l0a v128) (local $l0b v128) (local $x0 v128)
    (local $l1a v128) (local $l1b v128) (local $x1 v128)
    (local.set $kk (local.get $k))
    (if (local.get $two)
      (then
        (local.set $a1 (i32.add (local.get $a) (i32.shl (local.get $lda) (i32.const 3))))
        (loop $l2
          (local.set $blo (v128.load (local.get $pb)))
          (local.set $bhi (v128.load offset=16 (local.get $pb)))
          (local.set $alo0 (v128.load32_splat (local.get $a)))
          (local.set $ahi0 (v128.load32_splat offset=4 (local.get $a)))
          (local.set $l0a (i64x2.add (local.get $l0a) (i64x2.extmul_low_i32x4_u (local.get $alo0) (local.get $blo))))
          (local.set $l0b (i64x2.add (local.get $l0b) (i64x2.extmul_high_i32x4_u (local.get $alo0) (local.get $blo))))
          (local.set $x0 (i32x4.add (local.get $x0)
            (i32x4.add (i32x4.mul (local.get $alo0) (local.get $bhi)) (i32x4.mul (local.get $ahi0) (local.get $blo)))))
          (local.set $alo1 (v128.load32_splat (local.get $a1)))
          (local.set $ahi1 (v128.load32_splat offset=4 (local.get $a1)))
          (local.set $l1a (i64x2.add (local.get $l1a) (i64x2.extmul_low_i32x4_u (local.get $alo1) (local.get $blo))))
          (local.set $l1b (i64x2.add (local.get $l1b) (i64x2.extmul_high_i32x4_u (local.get $alo1) (local.get $blo))))
          (local.set $x1 (i32x4.add (local.get $x1)
            (i32x4.add (i32x4.mul (local.get $alo1) (local.get $bhi)) (i32x4.mul (local.get $ahi1) (local.get $blo)))))
          (local.set $a (i32.add (local.get $a) (i32.const 8)))
          (local.set $a1 (i32.add (local.get $a1) (i32.const 8)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
          (br_if $l2 (local.tee $kk (i32.sub (local.get $kk) (i32.const 1)))))
        (local.set $a1 (i32.add (local.get $c) (i32.shl (local.get $ldc) (i32.const 3))))
        (v128.store (local.get $a1)
          (i64x2.add (local.get $l1a) (i64x2.shl (i64x2.extend_low_i32x4_u (local.get $x1)) (i32.const 32))))
        (v128.store offset=16 (local.get $a1)
          (i64x2.add (local.get $l1b) (i64x2.shl (i64x2.extend_high_i32x4_u (local.get $x1)) (i32.const 32)))))
      (else
        (loop $l1
          (local.set $blo (v128.load (local.get $pb)))
          (local.set $bhi (v128.load offset=16 (local.get $pb)))
          (local.set $alo0 (v128.load32_splat (local.get $a)))
          (local.set $ahi0 (v128.load32_splat offset=4 (local.get $a)))
          (local.set $l0a (i64x2.add (local.get $l0a) (i64x2.extmul_low_i32x4_u (local.get $alo0) (local.get $blo))))
          (local.set $l0b (i64x2.add (local.get $l0b) (i64x2.extmul_high_i32x4_u (local.get $alo0) (local.get $blo))))
          (local.set $x0 (i32x4.add (local.get $x0)
            (i32x4.add (i32x4.mul (local.get $alo0) (local.get $bhi)) (i32x4.mul (local.get $ahi0) (local.get $blo)))))
          (local.set $a (i32.add (local.get $a) (i32.const 8)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
          (br_if $l1 (local.tee $kk (i32.sub (local.get $kk) (i32.const 1)))))))
    (v128.store (local.get $c)
      (i64x2.add (local.get $l0a) (i64x2.shl (i64x2.extend_low_i32x4_u (local.get $x0)) (i32.const 32))))
    (v128.store offset=16 (local.get $c)
      (i64x2.add (local.get $l0b) (i64x2.shl (i64x2.extend_high_i32x4_u (local.get $x0)) (i32.const 32)))))

  ;; C (m x 4*ceil(n/4), leading dimension ldc >= 4*ceil(n/4)) = A (m x k, lda) * packed B.
  ;; Panel-outer order keeps one 32*k-byte panel in L1 while the rows stream by.
  (func (export "matmul") (param $a i32) (param $lda i32) (param $bp i32) (param $c i32) (param $ldc i32)
        (param $m i32) (param $k i32) (param $n i32)
    (local $p i32) (local $np i32) (local $i i32) (local $pb i32) (local $rowA i32) (local $rowC i32)
    (local.set $np (i32.shr_u (i32.add (local.get $n) (i32.const 3)) (i32.const 2)))
    (if (i32.eqz (local.get $k))
      (then
        (local.set $i (i32.const 0))
        (block $zd (loop $zl
          (br_if $zd (i32.ge_u (local.get $i) (local.get $m)))
          (memory.fill (i32.add (local.get $c) (i32.shl (i32.mul (local.get $i) (local.get $ldc)) (i32.const 3)))
            (i32.const 0) (i32.shl (local.get $np) (i32.const 5)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $zl)))
        (return)))
    (local.set $p (i32.const 0))
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $np)))
      (local.set $pb (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $p) (local.get $k)) (i32.const 5))))
      (local.set $i (i32.const 0))
      (block $id (loop $il
        (br_if $id (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $rowA (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $lda)) (i32.const 3))))
        (local.set $rowC (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $p) (i32.const 2))) (i32.const 3))))
        (call $panel (local.get $rowA) (local.get $lda) (local.get $pb) (local.get $rowC) (local.get $ldc) (local.get $k)
          (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $m)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $il)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl))))

  ;; ------------------------------------------------------------------
  ;; im2col for conv2d in tfjs layout: x is NHWC; row (b, oy, ox) of out holds
  ;; the patch (ky, kx, c) flattened, zero where the window leaves the image.
  ;; The patch row for one ky is a contiguous run of x, copied in one go.
  ;; ------------------------------------------------------------------
  (func (export "im2col") (param $x i32) (param $out i32) (param $nb i32) (param $h i32) (param $w i32) (param $ch i32)
        (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
        (param $oh i32) (param $ow i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $iy i32) (local $ix0 i32)
    (local $kx0 i32) (local $kx1 i32) (local $runBytes i32) (local $pixel i32) (local $imgBytes i32)
    (local.set $pixel (i32.shl (local.get $ch) (i32.const 3)))
    (local.set $runBytes (i32.mul (local.get $kw) (local.get $pixel)))
    (local.set $imgBytes (i32.mul (i32.mul (local.get $h) (local.get $w)) (local.get $pixel)))
    (local.set $b (i32.const 0))
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $nb)))
      (local.set $oy (i32.const 0))
      (block $yd (loop $yl
        (br_if $yd (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $xd (loop $xl
          (br_if $xd (i32.ge_u (local.get $ox) (local.get $ow)))
          (local.set $ix0 (i32.sub (i32.mul (local.get $ox) (local.get $sw)) (local.get $pl)))
          ;; valid kernel columns: 0 <= ix0 + kx < w
          (local.set $kx0 (select (i32.sub (i32.const 0) (local.get $ix0)) (i32.const 0) (i32.lt_s (local.get $ix0) (i32.const 0))))
          (if (i32.gt_s (local.get $kx0) (local.get $kw)) (then (local.set $kx0 (local.get $kw))))
          (local.set $kx1 (select (i32.sub (local.get $w) (local.get $ix0)) (local.get $kw)
            (i32.lt_s (i32.sub (local.get $w) (local.get $ix0)) (local.get $kw))))
          (if (i32.lt_s (local.get $kx1) (local.get $kx0)) (then (local.set $kx1 (local.get $kx0))))
          (local.set $ky (i32.const 0))
          (block $kd (loop $kl
            (br_if $kd (i32.ge_u (local.get $ky) (local.get $kh)))
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $pt)) (local.get $ky)))
            (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $h)))
              (then (memory.fill (local.get $out) (i32.const 0) (local.get $runBytes)))
              (else
                (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $kx0) (local.get $pixel)))
                (memory.copy
                  (i32.add (local.get $out) (i32.mul (local.get $kx0) (local.get $pixel)))
                  (i32.add (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $imgBytes)))
                    (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $w)) (i32.add (local.get $ix0) (local.get $kx0))) (local.get $pixel)))
                  (i32.mul (i32.sub (local.get $kx1) (local.get $kx0)) (local.get $pixel)))
                (memory.fill (i32.add (local.get $out) (i32.mul (local.get $kx1) (local.get $pixel))) (i32.const 0)
                  (i32.mul (i32.sub (local.get $kw) (local.get $kx1)) (local.get $pixel)))))
            (local.set $out (i32.add (local.get $out) (local.get $runBytes)))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kl)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $xl)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $yl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))
)
