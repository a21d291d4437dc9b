// AssemblyScript, not TypeScript: compiled by `scripts/build-simd.mjs` (asc, SIMD on, memory imported) into
// dist/src/backend/simd/kernels*.wasm (plain or shared memory; `madd` plain or fused), and excluded from
// tsconfig.json.
//
// Kernels with WebAssembly SIMD that work in place on TF.js's own wasm heap: the module imports the backend's
// memory, and every pointer below is a byte offset into it. The module has no data, no allocator and no stack; it
// touches only the memory it is given. Layouts are channels-last, float32.
//
// Every kernel works on a range (images, rows or channels) that ../loader.ts hands to one thread; the ranges of one
// call never write the same memory.
//
// On one thread the batch-norm kernels reproduce the JavaScript kernels of js-kernels.ts bit for bit: per-channel
// sums in float64 in the same order (one lane per channel), the same float64 arithmetic, float32 rounding at the
// same places.

// ---------------------------------------------------------------------------------------------------------------
// helpers: two float32 values <-> one f64x2

@inline function ld2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

@inline function st2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

@inline function st2f32(p: usize, v: v128): void {
  v128.store64_lane(p, v, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// batch norm, training mode, in phases over a range of rows (pixels) so that threads can split the rows
// (../pool.ts); the caller adds the per-range float64 sums in range order and computes the per-channel
// factors between phases (../loader.ts). With one range, the sums run over the rows in order, as the JS kernels do.
//
// forward: x -> x̂ = (x − μ)/√(σ² + ε) with biased σ², statistics per channel. With `fused`, a leaky ReLU follows:
// y = x̂ ≥ 0 ? x̂ : α·x̂ (α as float32), and x̂ itself is stored in `xh`.
// gradient: dx = inv/n · (n·g − Σg − x̂·Σ(g·x̂)), where g = dy, or with `fused` the gradient through the leaky ReLU
// first: g = float32(dy · (x̂ > 0 ? fpos : fneg)).
// c is even; per-channel float64 arrays hold c values. Channels go eight at a time (four f64x2 sums), then in pairs.

/** out[k] = Σ_i x[i, k] over n rows (float64). */
export function bnSum(x: usize, n: i32, c: i32, out: usize): void {
  const stride = <usize>c << 2;
  let k = 0;
  for (; k + 8 <= c; k += 8) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    let p = x + (<usize>k << 2);
    for (let i = 0; i < n; i++, p += stride) {
      s0 = f64x2.add(s0, ld2(p)); s1 = f64x2.add(s1, ld2(p + 8));
      s2 = f64x2.add(s2, ld2(p + 16)); s3 = f64x2.add(s3, ld2(p + 24));
    }
    const o = out + (<usize>k << 3);
    v128.store(o, s0); v128.store(o, s1, 16); v128.store(o, s2, 32); v128.store(o, s3, 48);
  }
  for (; k < c; k += 2) {
    let s0 = f64x2.splat(0);
    let p = x + (<usize>k << 2);
    for (let i = 0; i < n; i++, p += stride) s0 = f64x2.add(s0, ld2(p));
    v128.store(out + (<usize>k << 3), s0);
  }
}

/** out[k] = Σ_i (x[i, k] − mean[k])² over n rows (float64; mean float64). */
export function bnSqDev(x: usize, n: i32, c: i32, mean: usize, out: usize): void {
  const stride = <usize>c << 2;
  let k = 0;
  for (; k + 8 <= c; k += 8) {
    const mp = mean + (<usize>k << 3);
    const m0 = v128.load(mp), m1 = v128.load(mp, 16), m2 = v128.load(mp, 32), m3 = v128.load(mp, 48);
    let q0 = f64x2.splat(0), q1 = f64x2.splat(0), q2 = f64x2.splat(0), q3 = f64x2.splat(0);
    let p = x + (<usize>k << 2);
    for (let i = 0; i < n; i++, p += stride) {
      const d0 = f64x2.sub(ld2(p), m0); q0 = f64x2.add(q0, f64x2.mul(d0, d0));
      const d1 = f64x2.sub(ld2(p + 8), m1); q1 = f64x2.add(q1, f64x2.mul(d1, d1));
      const d2 = f64x2.sub(ld2(p + 16), m2); q2 = f64x2.add(q2, f64x2.mul(d2, d2));
      const d3 = f64x2.sub(ld2(p + 24), m3); q3 = f64x2.add(q3, f64x2.mul(d3, d3));
    }
    const o = out + (<usize>k << 3);
    v128.store(o, q0); v128.store(o, q1, 16); v128.store(o, q2, 32); v128.store(o, q3, 48);
  }
  for (; k < c; k += 2) {
    const m0 = v128.load(mean + (<usize>k << 3));
    let q0 = f64x2.splat(0);
    let p = x + (<usize>k << 2);
    for (let i = 0; i < n; i++, p += stride) { const d0 = f64x2.sub(ld2(p), m0); q0 = f64x2.add(q0, f64x2.mul(d0, d0)); }
    v128.store(out + (<usize>k << 3), q0);
  }
}

@inline function bnOut(p: usize, q: usize, r: usize, m: v128, inv: v128, fused: bool, a: v128, zero: v128): void {
  const h = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(ld2(p), m), inv));
  if (fused) {
    st2f32(r, h);
    st2f32(q, v128.bitselect(h, f32x4.mul(h, a), f32x4.ge(h, zero)));
  } else {
    st2f32(q, h);
  }
}

@inline function bnApplyRows(
  x: usize, y: usize, xh: usize, n: i32, c: i32, mean: usize, inv: usize, alpha: f32, fused: bool,
): void {
  const stride = <usize>c << 2;
  const a = f32x4.splat(alpha);
  const zero = f32x4.splat(0);
  let k = 0;
  for (; k + 8 <= c; k += 8) {
    const mp = mean + (<usize>k << 3), ip = inv + (<usize>k << 3);
    const m0 = v128.load(mp), m1 = v128.load(mp, 16), m2 = v128.load(mp, 32), m3 = v128.load(mp, 48);
    const i0 = v128.load(ip), i1 = v128.load(ip, 16), i2 = v128.load(ip, 32), i3 = v128.load(ip, 48);
    const off = <usize>k << 2;
    let p = x + off, q = y + off, r = xh + off;
    for (let i = 0; i < n; i++, p += stride, q += stride, r += stride) {
      bnOut(p, q, r, m0, i0, fused, a, zero);
      bnOut(p + 8, q + 8, r + 8, m1, i1, fused, a, zero);
      bnOut(p + 16, q + 16, r + 16, m2, i2, fused, a, zero);
      bnOut(p + 24, q + 24, r + 24, m3, i3, fused, a, zero);
    }
  }
  for (; k < c; k += 2) {
    const m0 = v128.load(mean + (<usize>k << 3)), i0 = v128.load(inv + (<usize>k << 3));
    const off = <usize>k << 2;
    let p = x + off, q = y + off, r = xh + off;
    for (let i = 0; i < n; i++, p += stride, q += stride, r += stride) bnOut(p, q, r, m0, i0, fused, a, zero);
  }
}

/** y (and with `fused` x̂ in xh) over n rows, from float64 mean and inv = 1/√(σ²+ε). */
export function bnApply(x: usize, y: usize, xh: usize, n: i32, c: i32, mean: usize, inv: usize, alpha: f32, fused: i32): void {
  if (fused) bnApplyRows(x, y, xh, n, c, mean, inv, alpha, true);
  else bnApplyRows(x, y, xh, n, c, mean, inv, alpha, false);
}

@inline function grad2(pdy: usize, xh: v128, fused: bool, fpos: v128, fneg: v128, zero: v128): v128 {
  const d = ld2(pdy);
  if (!fused) return d;
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.mul(d, v128.bitselect(fpos, fneg, f64x2.gt(xh, zero)))));
}

@inline function bnGradSumRows(
  dy: usize, xh: usize, n: i32, c: i32, fused: bool, fp: f64, fn: f64, outG: usize, outGH: usize,
): void {
  const stride = <usize>c << 2;
  const fpos = f64x2.splat(fp), fneg = f64x2.splat(fn), zero = f64x2.splat(0);
  let k = 0;
  for (; k + 8 <= c; k += 8) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
    const off = <usize>k << 2;
    let p = dy + off, r = xh + off;
    for (let i = 0; i < n; i++, p += stride, r += stride) {
      const h0 = ld2(r); const g0 = grad2(p, h0, fused, fpos, fneg, zero);
      a0 = f64x2.add(a0, g0); b0 = f64x2.add(b0, f64x2.mul(g0, h0));
      const h1 = ld2(r + 8); const g1 = grad2(p + 8, h1, fused, fpos, fneg, zero);
      a1 = f64x2.add(a1, g1); b1 = f64x2.add(b1, f64x2.mul(g1, h1));
      const h2 = ld2(r + 16); const g2 = grad2(p + 16, h2, fused, fpos, fneg, zero);
      a2 = f64x2.add(a2, g2); b2 = f64x2.add(b2, f64x2.mul(g2, h2));
      const h3 = ld2(r + 24); const g3 = grad2(p + 24, h3, fused, fpos, fneg, zero);
      a3 = f64x2.add(a3, g3); b3 = f64x2.add(b3, f64x2.mul(g3, h3));
    }
    const og = outG + (<usize>k << 3), oh = outGH + (<usize>k << 3);
    v128.store(og, a0); v128.store(og, a1, 16); v128.store(og, a2, 32); v128.store(og, a3, 48);
    v128.store(oh, b0); v128.store(oh, b1, 16); v128.store(oh, b2, 32); v128.store(oh, b3, 48);
  }
  for (; k < c; k += 2) {
    let a0 = f64x2.splat(0), b0 = f64x2.splat(0);
    const off = <usize>k << 2;
    let p = dy + off, r = xh + off;
    for (let i = 0; i < n; i++, p += stride, r += stride) {
      const h0 = ld2(r); const g0 = grad2(p, h0, fused, fpos, fneg, zero);
      a0 = f64x2.add(a0, g0); b0 = f64x2.add(b0, f64x2.mul(g0, h0));
    }
    v128.store(outG + (<usize>k << 3), a0);
    v128.store(outGH + (<usize>k << 3), b0);
  }
}

/** Σg and Σ(g·x̂) per channel over n rows (float64). */
export function bnGradSum(dy: usize, xh: usize, n: i32, c: i32, fused: i32, fpos: f64, fneg: f64, outG: usize, outGH: usize): void {
  if (fused) bnGradSumRows(dy, xh, n, c, true, fpos, fneg, outG, outGH);
  else bnGradSumRows(dy, xh, n, c, false, fpos, fneg, outG, outGH);
}

@inline function bnDx(
  p: usize, r: usize, q: usize, s: v128, sumG: v128, sumGH: v128, nn: v128, fused: bool, fpos: v128, fneg: v128,
  zero: v128,
): void {
  const h = ld2(r);
  const g = grad2(p, h, fused, fpos, fneg, zero);
  st2(q, f64x2.mul(s, f64x2.sub(f64x2.sub(f64x2.mul(nn, g), sumG), f64x2.mul(h, sumGH))));
}

@inline function bnGradApplyRows(
  dy: usize, xh: usize, dx: usize, n: i32, c: i32, fused: bool, fp: f64, fn: f64, scale: usize, sumG: usize,
  sumGH: usize, total: f64,
): void {
  const stride = <usize>c << 2;
  const fpos = f64x2.splat(fp), fneg = f64x2.splat(fn), zero = f64x2.splat(0);
  const nn = f64x2.splat(total);
  let k = 0;
  for (; k + 8 <= c; k += 8) {
    const kp = <usize>k << 3;
    const s0 = v128.load(scale + kp), s1 = v128.load(scale + kp, 16), s2 = v128.load(scale + kp, 32), s3 = v128.load(scale + kp, 48);
    const a0 = v128.load(sumG + kp), a1 = v128.load(sumG + kp, 16), a2 = v128.load(sumG + kp, 32), a3 = v128.load(sumG + kp, 48);
    const b0 = v128.load(sumGH + kp), b1 = v128.load(sumGH + kp, 16), b2 = v128.load(sumGH + kp, 32), b3 = v128.load(sumGH + kp, 48);
    const off = <usize>k << 2;
    let p = dy + off, r = xh + off, q = dx + off;
    for (let i = 0; i < n; i++, p += stride, r += stride, q += stride) {
      bnDx(p, r, q, s0, a0, b0, nn, fused, fpos, fneg, zero);
      bnDx(p + 8, r + 8, q + 8, s1, a1, b1, nn, fused, fpos, fneg, zero);
      bnDx(p + 16, r + 16, q + 16, s2, a2, b2, nn, fused, fpos, fneg, zero);
      bnDx(p + 24, r + 24, q + 24, s3, a3, b3, nn, fused, fpos, fneg, zero);
    }
  }
  for (; k < c; k += 2) {
    const kp = <usize>k << 3;
    const s0 = v128.load(scale + kp), a0 = v128.load(sumG + kp), b0 = v128.load(sumGH + kp);
    const off = <usize>k << 2;
    let p = dy + off, r = xh + off, q = dx + off;
    for (let i = 0; i < n; i++, p += stride, r += stride, q += stride) bnDx(p, r, q, s0, a0, b0, nn, fused, fpos, fneg, zero);
  }
}

/**
 * dx over n rows from the float64 per-channel scale = inv/N, Σg and Σ(g·x̂) over all N = `total` rows.
 */
export function bnGradApply(
  dy: usize, xh: usize, dx: usize, n: i32, c: i32, fused: i32, fpos: f64, fneg: f64, scale: usize, sumG: usize,
  sumGH: usize, total: f64,
): void {
  if (fused) bnGradApplyRows(dy, xh, dx, n, c, true, fpos, fneg, scale, sumG, sumGH, total);
  else bnGradApplyRows(dy, xh, dx, n, c, false, fpos, fneg, scale, sumG, sumGH, total);
}
// ---------------------------------------------------------------------------------------------------------------
// MaxPoolGrad, 2×2 windows, stride 2, no padding, c % 4 == 0: dy goes to the first maximum of its window in
// row-major order (as the reference kernels), as 0 + dy; every other input position gets 0.

export function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, b: i32, h: i32, w: i32, c: i32): void {
  memory.fill(dx, 0, <usize>b * h * w * c * 4);
  const oh = h >> 1, ow = w >> 1;
  const px = <usize>c << 2;
  const row = <usize>w * px;
  const zero = f32x4.splat(0);
  let g = dy;
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < oh; i++) {
      let base = ((<usize>n * h + 2 * i) * w) * px;
      for (let j = 0; j < ow; j++, base += 2 * px) {
        for (let k: usize = 0; k < px; k += 16, g += 16) {
          const p0 = base + k, p1 = p0 + px, p2 = p0 + row, p3 = p2 + px;
          const x0 = v128.load(x + p0), x1 = v128.load(x + p1), x2 = v128.load(x + p2), x3 = v128.load(x + p3);
          const c1 = f32x4.gt(x1, x0);
          const v1 = v128.bitselect(x1, x0, c1);
          const c2 = f32x4.gt(x2, v1);
          const v2 = v128.bitselect(x2, v1, c2);
          const c3 = f32x4.gt(x3, v2);
          const gv = f32x4.add(zero, v128.load(g));
          // the winner is the last window position whose test succeeded
          const w3 = c3;
          const w2 = v128.andnot(c2, c3);
          const w1 = v128.andnot(v128.andnot(c1, c2), c3);
          const w0 = v128.not(v128.or(v128.or(c1, c2), c3));
          v128.store(dx + p0, v128.and(gv, w0));
          v128.store(dx + p1, v128.and(gv, w1));
          v128.store(dx + p2, v128.and(gv, w2));
          v128.store(dx + p3, v128.and(gv, w3));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// a·b + c, four lanes. scripts/build-simd.mjs also compiles a variant where this is relaxed SIMD's fused
// multiply-add (f32x4.relaxed_madd), used where the engine has it (see ../loader.ts).
@inline function madd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(c, f32x4.mul(a, b));
}

// ---------------------------------------------------------------------------------------------------------------
// Conv2DBackpropFilter for 5-wide kernels, stride 1, dilation 1, channels last, co % 4 == 0:
//   dW[kh, kw, ci, co] = Σ_b Σ_oh Σ_ow x[b, oh + kh − top, ow + kw − left, ci] · dy[b, oh, ow, co]
// (out-of-range x is the zero padding). x: [b, h, w, ci], dy: [b, oh, ow, co], dW: [kh, 5, ci, co].
// Five accumulators (one per kw) of four output channels each stay in registers over a whole image.

export function conv2dFilterGrad5(
  x: usize, dy: usize, dw: usize, b: i32, h: i32, w: i32, ci: i32, oh: i32, ow: i32, co: i32, kh: i32, top: i32, left: i32,
  c0: i32, c1: i32, g0: i32, g1: i32,
): void {
  // this call's part of dW: input channels [c0, c1), output channels [g0, g1) (threads split dW, ../pool.ts)
  for (let t = 0; t < kh * 5; t++) {
    for (let cin = c0; cin < c1; cin++) memory.fill(dw + ((<usize>t * ci + cin) * co + g0) * 4, 0, <usize>(g1 - g0) * 4);
  }
  const xPx = <usize>ci << 2;
  const xRow = <usize>w * xPx;
  const dyPx = <usize>co << 2;
  const dyRow = <usize>ow * dyPx;
  // output columns whose five input columns are all inside the image
  const owLo = max(left, 0);
  const owHi = min(ow, w - 5 + left + 1);
  for (let n = 0; n < b; n++) {
    const xImg = x + <usize>n * h * xRow;
    const dyImg = dy + <usize>n * oh * dyRow;
    for (let r = 0; r < kh; r++) {
      const ohLo = max(0, top - r);
      const ohHi = min(oh, h + top - r);
      for (let cin = c0; cin < c1; cin++) {
        for (let g = g0; g < g1; g += 4) {
          let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0), a4 = f32x4.splat(0);
          for (let o = ohLo; o < ohHi; o++) {
            const xr = xImg + <usize>(o + r - top) * xRow + (<usize>cin << 2);
            const dr = dyImg + <usize>o * dyRow + (<usize>g << 2);
            // left edge, interior (all five columns inside: no checks), right edge
            for (let seg = 0; seg < 3; seg++) {
              if (seg == 1) {
                let xp = xr + <usize>(owLo - left) * xPx;
                let dp = dr + <usize>owLo * dyPx;
                for (let q = owLo; q < owHi; q++, xp += xPx, dp += dyPx) {
                  const d = v128.load(dp);
                  a0 = madd(f32x4.splat(load<f32>(xp)), d, a0);
                  a1 = madd(f32x4.splat(load<f32>(xp + xPx)), d, a1);
                  a2 = madd(f32x4.splat(load<f32>(xp + 2 * xPx)), d, a2);
                  a3 = madd(f32x4.splat(load<f32>(xp + 3 * xPx)), d, a3);
                  a4 = madd(f32x4.splat(load<f32>(xp + 4 * xPx)), d, a4);
                }
                continue;
              }
              const lo = seg == 0 ? 0 : max(owHi, owLo);
              const hi = seg == 0 ? min(owLo, ow) : ow;
              for (let q = lo; q < hi; q++) {
                const d = v128.load(dr + <usize>q * dyPx);
                const c0 = q - left;
                if (c0 >= 0 && c0 < w) a0 = madd(f32x4.splat(load<f32>(xr + <usize>c0 * xPx)), d, a0);
                if (c0 + 1 >= 0 && c0 + 1 < w) a1 = madd(f32x4.splat(load<f32>(xr + <usize>(c0 + 1) * xPx)), d, a1);
                if (c0 + 2 >= 0 && c0 + 2 < w) a2 = madd(f32x4.splat(load<f32>(xr + <usize>(c0 + 2) * xPx)), d, a2);
                if (c0 + 3 >= 0 && c0 + 3 < w) a3 = madd(f32x4.splat(load<f32>(xr + <usize>(c0 + 3) * xPx)), d, a3);
                if (c0 + 4 >= 0 && c0 + 4 < w) a4 = madd(f32x4.splat(load<f32>(xr + <usize>(c0 + 4) * xPx)), d, a4);
              }
            }
          }
          const out = dw + ((<usize>r * 5 * ci + cin) * co + g) * 4;
          const tap = <usize>ci * co * 4;
          v128.store(out, f32x4.add(v128.load(out), a0));
          v128.store(out + tap, f32x4.add(v128.load(out + tap), a1));
          v128.store(out + 2 * tap, f32x4.add(v128.load(out + 2 * tap), a2));
          v128.store(out + 3 * tap, f32x4.add(v128.load(out + 3 * tap), a3));
          v128.store(out + 4 * tap, f32x4.add(v128.load(out + 4 * tap), a4));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Conv2DBackpropInput for 5-wide kernels, stride 1, dilation 1, channels last (also the forward pass of the
// decoders' transposed convolutions):
//   dx[b, ih, iw, ci] = Σ_kh Σ_kw Σ_co dy[b, ih + top − kh, iw + left − kw, co] · W[kh, kw, ci, co]
// (out-of-range dy counts as 0). dy: [b, oh, ow, co], dx: [b, h, w, ci].
// Two forms: `wt` is W transposed to [kh, 5, co, ci] and ci % 4 == 0 (vectors over ci), or `wt` is W itself and
// co % 4 == 0 (vectors over co, summed across lanes at the end). Interior pixels go in blocks of four along a row.

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

export function conv2dInputGrad5(
  dy: usize, wt: usize, dx: usize, b: i32, h: i32, w: i32, ci: i32, oh: i32, ow: i32, co: i32, kh: i32, top: i32, left: i32,
  overCi: i32,
): void {
  const dyPx = <usize>co << 2;
  const dyRow = <usize>ow * dyPx;
  const dxPx = <usize>ci << 2;
  // pixels whose five dy columns are all inside dy
  const iwLo = max(4 - left, 0);
  const iwHi = min(w, ow - left);
  for (let n = 0; n < b; n++) {
    const dyImg = dy + <usize>n * oh * dyRow;
    for (let i = 0; i < h; i++) {
      const khLo = max(0, i + top - oh + 1);
      const khHi = min(kh, i + top + 1);
      const dxRow = dx + (<usize>n * h + i) * w * dxPx;
      let q = 0;
      while (q < w) {
        if (q >= iwLo && q + 4 <= iwHi) {
          if (overCi) block4Ci(dyImg, wt, dxRow, q, i, ci, co, dyPx, dyRow, khLo, khHi, top, left);
          else block4Co(dyImg, wt, dxRow, q, i, ci, co, dyPx, dyRow, khLo, khHi, top, left);
          q += 4;
        } else {
          if (overCi) pixelCi(dyImg, wt, dxRow, q, i, ci, co, ow, dyPx, dyRow, khLo, khHi, top, left);
          else pixelCo(dyImg, wt, dxRow, q, i, ci, co, ow, dyPx, dyRow, khLo, khHi, top, left);
          q += 1;
        }
      }
    }
  }
}

// one pixel, vectors over ci; wt: [kh, 5, co, ci]
@inline function pixelCi(
  dyImg: usize, wt: usize, dxRow: usize, q: i32, i: i32, ci: i32, co: i32, ow: i32, dyPx: usize, dyRow: usize,
  khLo: i32, khHi: i32, top: i32, left: i32,
): void {
  const kwLo = max(0, q + left - ow + 1);
  const kwHi = min(5, q + left + 1);
  for (let g = 0; g < ci; g += 4) {
    let acc = f32x4.splat(0);
    for (let r = khLo; r < khHi; r++) {
      const dr = dyImg + <usize>(i + top - r) * dyRow;
      for (let s = kwLo; s < kwHi; s++) {
        const d = dr + <usize>(q + left - s) * dyPx;
        const wp = wt + (((<usize>r * 5 + s) * co) * ci + g) * 4;
        for (let o = 0; o < co; o++) {
          acc = madd(f32x4.splat(load<f32>(d + (<usize>o << 2))), v128.load(wp + <usize>o * ci * 4), acc);
        }
      }
    }
    v128.store(dxRow + <usize>q * (<usize>ci << 2) + (<usize>g << 2), acc);
  }
}

// four pixels q..q+3 of a row, all taps inside; vectors over ci
@inline function block4Ci(
  dyImg: usize, wt: usize, dxRow: usize, q: i32, i: i32, ci: i32, co: i32, dyPx: usize, dyRow: usize,
  khLo: i32, khHi: i32, top: i32, left: i32,
): void {
  for (let g = 0; g < ci; g += 4) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let r = khLo; r < khHi; r++) {
      const dr = dyImg + <usize>(i + top - r) * dyRow;
      for (let s = 0; s < 5; s++) {
        const d = dr + <usize>(q + left - s) * dyPx;
        const wp = wt + (((<usize>r * 5 + s) * co) * ci + g) * 4;
        for (let o = 0; o < co; o++) {
          const wv = v128.load(wp + <usize>o * ci * 4);
          const od = <usize>o << 2;
          a0 = madd(f32x4.splat(load<f32>(d + od)), wv, a0);
          a1 = madd(f32x4.splat(load<f32>(d + dyPx + od)), wv, a1);
          a2 = madd(f32x4.splat(load<f32>(d + 2 * dyPx + od)), wv, a2);
          a3 = madd(f32x4.splat(load<f32>(d + 3 * dyPx + od)), wv, a3);
        }
      }
    }
    const out = dxRow + <usize>q * (<usize>ci << 2) + (<usize>g << 2);
    const px = <usize>ci << 2;
    v128.store(out, a0);
    v128.store(out + px, a1);
    v128.store(out + 2 * px, a2);
    v128.store(out + 3 * px, a3);
  }
}

// one pixel, vectors over co; w: [kh, 5, ci, co]
@inline function pixelCo(
  dyImg: usize, w: usize, dxRow: usize, q: i32, i: i32, ci: i32, co: i32, ow: i32, dyPx: usize, dyRow: usize,
  khLo: i32, khHi: i32, top: i32, left: i32,
): void {
  const kwLo = max(0, q + left - ow + 1);
  const kwHi = min(5, q + left + 1);
  for (let c = 0; c < ci; c++) {
    let acc = f32x4.splat(0);
    for (let r = khLo; r < khHi; r++) {
      const dr = dyImg + <usize>(i + top - r) * dyRow;
      for (let s = kwLo; s < kwHi; s++) {
        const d = dr + <usize>(q + left - s) * dyPx;
        const wp = w + (((<usize>r * 5 + s) * ci + c) * co) * 4;
        for (let o = 0; o < co; o += 4) {
          acc = madd(v128.load(d + (<usize>o << 2)), v128.load(wp + (<usize>o << 2)), acc);
        }
      }
    }
    store<f32>(dxRow + (<usize>q * ci + c) * 4, hsum(acc));
  }
}

// four pixels, all taps inside; vectors over co
@inline function block4Co(
  dyImg: usize, w: usize, dxRow: usize, q: i32, i: i32, ci: i32, co: i32, dyPx: usize, dyRow: usize,
  khLo: i32, khHi: i32, top: i32, left: i32,
): void {
  for (let c = 0; c < ci; c++) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let r = khLo; r < khHi; r++) {
      const dr = dyImg + <usize>(i + top - r) * dyRow;
      for (let s = 0; s < 5; s++) {
        const d = dr + <usize>(q + left - s) * dyPx;
        const wp = w + (((<usize>r * 5 + s) * ci + c) * co) * 4;
        for (let o = 0; o < co; o += 4) {
          const od = <usize>o << 2;
          const wv = v128.load(wp + od);
          a0 = madd(v128.load(d + od), wv, a0);
          a1 = madd(v128.load(d + dyPx + od), wv, a1);
          a2 = madd(v128.load(d + 2 * dyPx + od), wv, a2);
          a3 = madd(v128.load(d + 3 * dyPx + od), wv, a3);
        }
      }
    }
    const out = dxRow + (<usize>q * ci + c) * 4;
    const px = <usize>ci << 2;
    store<f32>(out, hsum(a0));
    store<f32>(out + px, hsum(a1));
    store<f32>(out + 2 * px, hsum(a2));
    store<f32>(out + 3 * px, hsum(a3));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// batch norm, eval mode: y = (x − μ)·s per channel (s = 1/√(σ² + ε) of the running averages, given), then with
// `fused` the leaky ReLU (y ≥ 0 ? y : α·y). One pass; c % 4 == 0.

export function bnEval(x: usize, y: usize, n: i32, c: i32, mean: usize, scale: usize, alpha: f32, fused: i32): void {
  const a = f32x4.splat(alpha);
  const zero = f32x4.splat(0);
  const px = <usize>c << 2;
  const end = x + <usize>n * px;
  let q = y;
  for (let p = x; p < end; p += px, q += px) {
    for (let k: usize = 0; k < px; k += 16) {
      const h = f32x4.mul(f32x4.sub(v128.load(p + k), v128.load(mean + k)), v128.load(scale + k));
      v128.store(q + k, fused ? v128.bitselect(h, f32x4.mul(h, a), f32x4.ge(h, zero)) : h);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Conv2D for 5×5 filters over one input channel, stride 1, channels last, co % 4 == 0 (the first encoder layer, and
// the input gradient of the last decoder layer):
//   y[b, oh, ow, co] = Σ_kh Σ_kw x[b, oh + kh − top, ow + kw − left] · W[kh, kw, 0, co]
// Four output pixels at a time: their 4 + 4 input columns are loaded and splatted once per filter row and shared by
// all five taps. Pixels whose columns leave the image take the checked single-pixel path.

export function conv2dForward1x5(
  x: usize, wf: usize, y: usize, b: i32, h: i32, w: i32, oh: i32, ow: i32, co: i32, kh: i32, top: i32, left: i32,
): void {
  const xRow = <usize>w << 2;
  const yPx = <usize>co << 2;
  const wTap = <usize>co << 2;
  const wRow = 5 * wTap;
  const owLo = max(left, 0);
  const owHi = min(ow, w - 5 + left + 1);
  for (let n = 0; n < b; n++) {
    const xImg = x + <usize>n * h * xRow;
    for (let i = 0; i < oh; i++) {
      const khLo = max(0, top - i);
      const khHi = min(kh, h + top - i);
      const yRow = y + (<usize>n * oh + i) * ow * yPx;
      let q = 0;
      while (q < ow) {
        if (q >= owLo && q + 4 <= owHi) {
          for (let g: usize = 0; g < yPx; g += 16) {
            let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
            for (let r = khLo; r < khHi; r++) {
              const xp = xImg + <usize>(i + r - top) * xRow + (<usize>(q - left) << 2);
              const wp = wf + <usize>r * wRow + g;
              const v0 = f32x4.splat(load<f32>(xp)), v1 = f32x4.splat(load<f32>(xp, 4));
              const v2 = f32x4.splat(load<f32>(xp, 8)), v3 = f32x4.splat(load<f32>(xp, 12));
              const v4 = f32x4.splat(load<f32>(xp, 16)), v5 = f32x4.splat(load<f32>(xp, 20));
              const v6 = f32x4.splat(load<f32>(xp, 24)), v7 = f32x4.splat(load<f32>(xp, 28));
              let k = v128.load(wp);
              a0 = madd(v0, k, a0); a1 = madd(v1, k, a1);
              a2 = madd(v2, k, a2); a3 = madd(v3, k, a3);
              k = v128.load(wp + wTap);
              a0 = madd(v1, k, a0); a1 = madd(v2, k, a1);
              a2 = madd(v3, k, a2); a3 = madd(v4, k, a3);
              k = v128.load(wp + 2 * wTap);
              a0 = madd(v2, k, a0); a1 = madd(v3, k, a1);
              a2 = madd(v4, k, a2); a3 = madd(v5, k, a3);
              k = v128.load(wp + 3 * wTap);
              a0 = madd(v3, k, a0); a1 = madd(v4, k, a1);
              a2 = madd(v5, k, a2); a3 = madd(v6, k, a3);
              k = v128.load(wp + 4 * wTap);
              a0 = madd(v4, k, a0); a1 = madd(v5, k, a1);
              a2 = madd(v6, k, a2); a3 = madd(v7, k, a3);
            }
            const out = yRow + <usize>q * yPx + g;
            v128.store(out, a0); v128.store(out + yPx, a1); v128.store(out + 2 * yPx, a2); v128.store(out + 3 * yPx, a3);
          }
          q += 4;
        } else {
          const kwLo = max(0, left - q);
          const kwHi = min(5, w + left - q);
          for (let g: usize = 0; g < yPx; g += 16) {
            let a = f32x4.splat(0);
            for (let r = khLo; r < khHi; r++) {
              const xr = xImg + <usize>(i + r - top) * xRow;
              for (let s = kwLo; s < kwHi; s++) {
                a = madd(f32x4.splat(load<f32>(xr + (<usize>(q + s - left) << 2))), v128.load(wf + <usize>r * wRow + <usize>s * wTap + g), a);
              }
            }
            v128.store(yRow + <usize>q * yPx + g, a);
          }
          q += 1;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Conv2D for 5-wide filters over any number of input channels, stride 1, channels last, co % 4 == 0 (the narrow
// middle layers of the MNIST networks, where XNNPACK rebuilds its indirection buffer for every new input):
//   y[b, oh, ow, co] = Σ_kh Σ_kw Σ_ci x[b, oh + kh − top, ow + kw − left, ci] · W[kh, kw, ci, co]
// Vectors over four output channels; four output pixels of a row at a time share each filter vector. Pixels whose
// columns leave the image take the checked single-pixel path.

export function conv2dForward5(
  x: usize, wf: usize, y: usize, b: i32, h: i32, w: i32, ci: i32, oh: i32, ow: i32, co: i32, kh: i32, top: i32, left: i32,
): void {
  const xPx = <usize>ci << 2;
  const xRow = <usize>w * xPx;
  const yPx = <usize>co << 2;
  const wCi = <usize>co << 2; // one input channel's filter vectors
  const wTap = <usize>ci * wCi;
  const owLo = max(left, 0);
  const owHi = min(ow, w - 5 + left + 1);
  for (let n = 0; n < b; n++) {
    const xImg = x + <usize>n * h * xRow;
    for (let i = 0; i < oh; i++) {
      const khLo = max(0, top - i);
      const khHi = min(kh, h + top - i);
      const yRow = y + (<usize>n * oh + i) * ow * yPx;
      let q = 0;
      while (q < ow) {
        if (q >= owLo && q + 4 <= owHi) {
          for (let g: usize = 0; g < yPx; g += 16) {
            let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
            for (let r = khLo; r < khHi; r++) {
              const xr = xImg + <usize>(i + r - top) * xRow + <usize>(q - left) * xPx;
              const wr = wf + <usize>r * 5 * wTap + g;
              for (let s = 0; s < 5; s++) {
                const xp0 = xr + <usize>s * xPx;
                const wp0 = wr + <usize>s * wTap;
                for (let c = 0; c < ci; c++) {
                  const wv = v128.load(wp0 + <usize>c * wCi);
                  const xp = xp0 + (<usize>c << 2);
                  a0 = madd(v128.load32_splat(xp), wv, a0);
                  a1 = madd(v128.load32_splat(xp + xPx), wv, a1);
                  a2 = madd(v128.load32_splat(xp + 2 * xPx), wv, a2);
                  a3 = madd(v128.load32_splat(xp + 3 * xPx), wv, a3);
                }
              }
            }
            const out = yRow + <usize>q * yPx + g;
            v128.store(out, a0); v128.store(out + yPx, a1); v128.store(out + 2 * yPx, a2); v128.store(out + 3 * yPx, a3);
          }
          q += 4;
        } else {
          const kwLo = max(0, left - q);
          const kwHi = min(5, w + left - q);
          for (let g: usize = 0; g < yPx; g += 16) {
            let a = f32x4.splat(0);
            for (let r = khLo; r < khHi; r++) {
              const xr = xImg + <usize>(i + r - top) * xRow;
              for (let s = kwLo; s < kwHi; s++) {
                const xp = xr + <usize>(q + s - left) * xPx;
                const wp = wf + (<usize>r * 5 + s) * wTap + g;
                for (let c = 0; c < ci; c++) {
                  a = madd(v128.load32_splat(xp + (<usize>c << 2)), v128.load(wp + <usize>c * wCi), a);
                }
              }
            }
            v128.store(yRow + <usize>q * yPx + g, a);
          }
          q += 1;
        }
      }
    }
  }
}
