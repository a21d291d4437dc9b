// AssemblyScript, not TypeScript: compiled by `scripts/build-simd.mjs` (asc, SIMD on, memory imported) into
// dist/src/backend/simd/mlp.wasm, and excluded from tsconfig.json.
//
// The fused MLP step's kernels (src/nn/mlp-fused.ts, loaded by ../mlp-loader.ts). Unlike ./kernels.ts they do not
// work on TF.js's heap: the module imports a small memory of its own that the fused MLP owns (its activations,
// gradients and a copy of its weights live there). Every pointer is a byte offset into it, every array float32
// row-major unless named float64.
//
// They reproduce the JavaScript loops of mlp-fused.ts bit for bit: every sum in float64 over the same index in the
// same order (vectorised across output elements, one f64x2 lane per element, never across the summed index), the
// products of float32 values exact in float64, no fused multiply-adds, float32 rounding at the same places.

@inline function ld2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

@inline function st2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

@inline function ldf(p: usize): f64 {
  return <f64>load<f32>(p);
}

@inline function stf(p: usize, v: f64): void {
  store<f32>(p, <f32>v);
}

// ---------------------------------------------------------------------------------------------------------------
// C[i, j] = Σ_k A[i·ai + k·ak]·B[k·bk + j] for i < m, j < p, k < q, into C [m × p]: a dense layer's three products
// (a·W, aᵀ·g, g·Wᵀ with Wᵀ stored) by their strides (in elements). Four rows × four columns at a time (eight f64x2
// sums), then the leftover columns in pairs and one by one, then the leftover rows.

export function gemm(A: usize, ai: i32, ak: i32, B: usize, bk: i32, m: i32, p: i32, q: i32, C: usize): void {
  const sak = <usize>ak << 2;
  const sai = <usize>ai << 2;
  const sbk = <usize>bk << 2;
  const sp = <usize>p << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = A + <usize>i * sai;
    const c0 = C + <usize>i * sp;
    let j = 0;
    for (; j + 4 <= p; j += 4) {
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0), s21 = f64x2.splat(0), s30 = f64x2.splat(0), s31 = f64x2.splat(0);
      let pa = a0;
      let pb = B + (<usize>j << 2);
      for (let k = 0; k < q; k++, pa += sak, pb += sbk) {
        const y0 = ld2(pb);
        const y1 = ld2(pb + 8);
        const x0 = f64x2.splat(ldf(pa));
        const x1 = f64x2.splat(ldf(pa + sai));
        const x2 = f64x2.splat(ldf(pa + 2 * sai));
        const x3 = f64x2.splat(ldf(pa + 3 * sai));
        s00 = f64x2.add(s00, f64x2.mul(x0, y0)); s01 = f64x2.add(s01, f64x2.mul(x0, y1));
        s10 = f64x2.add(s10, f64x2.mul(x1, y0)); s11 = f64x2.add(s11, f64x2.mul(x1, y1));
        s20 = f64x2.add(s20, f64x2.mul(x2, y0)); s21 = f64x2.add(s21, f64x2.mul(x2, y1));
        s30 = f64x2.add(s30, f64x2.mul(x3, y0)); s31 = f64x2.add(s31, f64x2.mul(x3, y1));
      }
      const c = c0 + (<usize>j << 2);
      st2(c, s00); st2(c + 8, s01);
      st2(c + sp, s10); st2(c + sp + 8, s11);
      st2(c + 2 * sp, s20); st2(c + 2 * sp + 8, s21);
      st2(c + 3 * sp, s30); st2(c + 3 * sp + 8, s31);
    }
    for (; j + 2 <= p; j += 2) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      let pa = a0;
      let pb = B + (<usize>j << 2);
      for (let k = 0; k < q; k++, pa += sak, pb += sbk) {
        const y = ld2(pb);
        s0 = f64x2.add(s0, f64x2.mul(f64x2.splat(ldf(pa)), y));
        s1 = f64x2.add(s1, f64x2.mul(f64x2.splat(ldf(pa + sai)), y));
        s2 = f64x2.add(s2, f64x2.mul(f64x2.splat(ldf(pa + 2 * sai)), y));
        s3 = f64x2.add(s3, f64x2.mul(f64x2.splat(ldf(pa + 3 * sai)), y));
      }
      const c = c0 + (<usize>j << 2);
      st2(c, s0); st2(c + sp, s1); st2(c + 2 * sp, s2); st2(c + 3 * sp, s3);
    }
    for (; j < p; j++) {
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      let pa = a0;
      let pb = B + (<usize>j << 2);
      for (let k = 0; k < q; k++, pa += sak, pb += sbk) {
        const y = ldf(pb);
        s0 += ldf(pa) * y; s1 += ldf(pa + sai) * y; s2 += ldf(pa + 2 * sai) * y; s3 += ldf(pa + 3 * sai) * y;
      }
      const c = c0 + (<usize>j << 2);
      stf(c, s0); stf(c + sp, s1); stf(c + 2 * sp, s2); stf(c + 3 * sp, s3);
    }
  }
  for (; i < m; i++) {
    const a0 = A + <usize>i * sai;
    const c0 = C + <usize>i * sp;
    let j = 0;
    for (; j + 2 <= p; j += 2) {
      let s = f64x2.splat(0);
      let pa = a0;
      let pb = B + (<usize>j << 2);
      for (let k = 0; k < q; k++, pa += sak, pb += sbk) s = f64x2.add(s, f64x2.mul(f64x2.splat(ldf(pa)), ld2(pb)));
      st2(c0 + (<usize>j << 2), s);
    }
    for (; j < p; j++) {
      let s: f64 = 0;
      let pa = a0;
      let pb = B + (<usize>j << 2);
      for (let k = 0; k < q; k++, pa += sak, pb += sbk) s += ldf(pa) * ldf(pb);
      stf(c0 + (<usize>j << 2), s);
    }
  }
}

/** T [c × r] = Wᵀ of W [r × c]. */
export function transpose(W: usize, r: i32, c: i32, T: usize): void {
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) store<f32>(T + ((<usize>j * r + i) << 2), load<f32>(W + ((<usize>i * c + j) << 2)));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// batch norm in training mode over z [n × c], per-channel float64 arrays of c values

/** mean[k] = (Σ_i z[i, k]) / n, then s2[k] = Σ_i (z[i, k] − mean[k])² (float64, rows in order). */
export function batchSums(z: usize, n: i32, c: i32, mean: usize, s2: usize): void {
  const stride = <usize>c << 2;
  const dn = f64x2.splat(<f64>n);
  let k = 0;
  for (; k + 2 <= c; k += 2) {
    let s = f64x2.splat(0);
    let p = z + (<usize>k << 2);
    for (let i = 0; i < n; i++, p += stride) s = f64x2.add(s, ld2(p));
    const mu = f64x2.div(s, dn);
    let v = f64x2.splat(0);
    p = z + (<usize>k << 2);
    for (let i = 0; i < n; i++, p += stride) { const d = f64x2.sub(ld2(p), mu); v = f64x2.add(v, f64x2.mul(d, d)); }
    v128.store(mean + (<usize>k << 3), mu);
    v128.store(s2 + (<usize>k << 3), v);
  }
  for (; k < c; k++) {
    let s: f64 = 0;
    let p = z + (<usize>k << 2);
    for (let i = 0; i < n; i++, p += stride) s += ldf(p);
    const mu = s / <f64>n;
    let v: f64 = 0;
    p = z + (<usize>k << 2);
    for (let i = 0; i < n; i++, p += stride) { const d = ldf(p) - mu; v += d * d; }
    store<f64>(mean + (<usize>k << 3), mu);
    store<f64>(s2 + (<usize>k << 3), v);
  }
}

/** h = float32((z − mean)·invStd); with act, out = h ≥ 0 ? h : float32(h·α) (α a float32 value). */
export function normalise(z: usize, h: usize, out: usize, n: i32, c: i32, mean: usize, invStd: usize, act: i32, alpha: f64): void {
  const stride = <usize>c << 2;
  const zero = f64x2.splat(0);
  const a = f64x2.splat(alpha);
  let k = 0;
  for (; k + 2 <= c; k += 2) {
    const mu = v128.load(mean + (<usize>k << 3));
    const iv = v128.load(invStd + (<usize>k << 3));
    const o = <usize>k << 2;
    for (let i = 0, r: usize = 0; i < n; i++, r += stride) {
      const hv = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(ld2(z + r + o), mu), iv));
      v128.store64_lane(h + r + o, hv, 0);
      if (act) {
        const x = f64x2.promote_low_f32x4(hv);
        st2(out + r + o, v128.bitselect(x, f64x2.mul(x, a), f64x2.ge(x, zero)));
      }
    }
  }
  for (; k < c; k++) {
    const mu = load<f64>(mean + (<usize>k << 3));
    const iv = load<f64>(invStd + (<usize>k << 3));
    const o = <usize>k << 2;
    for (let i = 0, r: usize = 0; i < n; i++, r += stride) {
      const hv = <f32>((ldf(z + r + o) - mu) * iv);
      store<f32>(h + r + o, hv);
      if (act) { const x = <f64>hv; stf(out + r + o, x >= 0 ? x : x * alpha); }
    }
  }
}

/**
 * The batch-norm backward pass over g [n × c] in place: with act, g = g·α where !(h > 0) (the sums take the float64
 * product, g keeps it rounded to float32, as mlp-fused.ts); then sumG[k] = Σg/n, sumGh[k] = Σ(g·h)/n (float64, rows
 * in order), then g = float32(invStd·(g − sumG − h·sumGh)).
 */
export function bnBackward(g: usize, h: usize, n: i32, c: i32, invStd: usize, sumG: usize, sumGh: usize, act: i32, alpha: f64): void {
  const stride = <usize>c << 2;
  const zero = f64x2.splat(0);
  const a = f64x2.splat(alpha);
  const dn = f64x2.splat(<f64>n);
  let k = 0;
  for (; k + 2 <= c; k += 2) {
    const o = <usize>k << 2;
    let sg = f64x2.splat(0), sgh = f64x2.splat(0);
    for (let i = 0, r: usize = 0; i < n; i++, r += stride) {
      const hv = ld2(h + r + o);
      let gv = ld2(g + r + o);
      if (act) {
        // g·α where !(h > 0): stored as float32, summed unrounded (as the JavaScript loop's assignment expression)
        gv = v128.bitselect(gv, f64x2.mul(gv, a), f64x2.gt(hv, zero));
        st2(g + r + o, gv);
      }
      sg = f64x2.add(sg, gv);
      sgh = f64x2.add(sgh, f64x2.mul(gv, hv));
    }
    sg = f64x2.div(sg, dn);
    sgh = f64x2.div(sgh, dn);
    const iv = v128.load(invStd + (<usize>k << 3));
    for (let i = 0, r: usize = 0; i < n; i++, r += stride) {
      const hv = ld2(h + r + o);
      const gv = ld2(g + r + o);
      st2(g + r + o, f64x2.mul(iv, f64x2.sub(f64x2.sub(gv, sg), f64x2.mul(hv, sgh))));
    }
    v128.store(sumG + (<usize>k << 3), sg);
    v128.store(sumGh + (<usize>k << 3), sgh);
  }
  for (; k < c; k++) {
    const o = <usize>k << 2;
    let sg: f64 = 0, sgh: f64 = 0;
    for (let i = 0, r: usize = 0; i < n; i++, r += stride) {
      const hv = ldf(h + r + o);
      let gv = ldf(g + r + o);
      if (act && !(hv > 0)) { gv = gv * alpha; store<f32>(g + r + o, <f32>gv); }
      sg += gv;
      sgh += gv * hv;
    }
    sg /= <f64>n;
    sgh /= <f64>n;
    const iv = load<f64>(invStd + (<usize>k << 3));
    for (let i = 0, r: usize = 0; i < n; i++, r += stride) stf(g + r + o, iv * (ldf(g + r + o) - sg - ldf(h + r + o) * sgh));
    store<f64>(sumG + (<usize>k << 3), sg);
    store<f64>(sumGh + (<usize>k << 3), sgh);
  }
}
