/*
 * deep-svdd's own TensorFlow CPU kernels, registered through TensorFlow's C kernel API (tensorflow/c/ops.h and
 * kernels.h, exported by libtensorflow_framework.so.2) when this N-API addon is loaded into a process that has loaded
 * tfjs-node. `deep-svdd setup tensorflow` builds it next to tfjs-node's addon (src/native/setup.ts); the TF.js side is
 * src/backend/native-kernels.ts, which falls back to TensorFlow's own ops where this addon is absent.
 *
 *   DeepSvddMaxPoolGrad2x2(x, dy) -> dx
 *     The gradient of a 2×2 max pool with stride 2 (padding VALID, or SAME on even sizes or with the extra row or
 *     column at the end, as TensorFlow pads), NHWC float32: dy of each window goes to the window's first maximum in
 *     row-major order, as TensorFlow's MaxPoolGrad chooses it (a later element replaces the maximum only when it is
 *     strictly greater), so the values are TensorFlow's bit for bit. TensorFlow's CPU kernel walks the windows with an
 *     argmax tensor; this one takes four channels of a window at a time (SSE2) and writes each element of dx once
 *     (the MNIST autoencoder step's two pools: 4.5 ms → 1.35 ms, 2 threads against this one).
 *
 *   DeepSvddAdam(p, m, v, g; a, beta1, one_minus_beta1, beta2, one_minus_beta2, eps) -> (p', m', v')
 *     One Adam update, element by element, in exactly the float32 operations and order of the TF.js expression in
 *     src/train/solvers.ts (m' = m·β1 + g·(1−β1); v' = v·β2 + g²·(1−β2); p' = p − m'·a / (√v' + ε)), so the result
 *     is the same bit for bit, as one op instead of twelve. Built with -ffp-contract=off: no fused multiply-adds.
 *
 *   DeepSvddBatchNormEval(x, mean, variance; epsilon, alpha, leaky) -> y
 *     Eval-mode batch norm without scale and offset, channels last, optionally followed by the leaky ReLU, in one pass:
 *     y = (x − mean)·(1/√(variance + ε)) + 0, then y > 0 ? y : y·α. These are the float32 operations of TensorFlow's
 *     FusedBatchNorm (is_training false, scale 1, offset 0: TF.js's batchNorm on the native backend) and LeakyRelu, so
 *     the values are theirs bit for bit. TensorFlow 2.21's FusedBatchNorm runs through oneDNN there, which took about
 *     50 ms of CPU time for the MNIST encoder's 200×28×28×8 block (13 ms with TF_ENABLE_ONEDNN_OPTS=0); this pass
 *     takes about 1 ms.
 *
 * test/native/own-kernels.test.ts checks each against TensorFlow's ops bit for bit. An op registered twice aborts
 * TensorFlow, so the addon registers once per process (Node loads an addon file once).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "tensorflow/c/kernels.h"
/* ops.h declares these as C++ would (struct tags without typedefs): name them for C */
typedef struct TF_DimensionHandle TF_DimensionHandle;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;
#include "tensorflow/c/ops.h"
#include "tensorflow/c/tf_status.h"
#include "tensorflow/c/tf_tensor.h"

/* ---------- shape functions ---------- */

static void same_as_input0(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* h = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, h, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, h, status);
  TF_DeleteShapeHandle(h);
}

static void adam_shapes(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* h = TF_NewShapeHandle();
  for (int i = 0; i < 3 && TF_GetCode(status) == TF_OK; i++) {
    TF_ShapeInferenceContextGetInput(ctx, i, h, status);
    if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, i, h, status);
  }
  TF_DeleteShapeHandle(h);
}

/* ---------- helpers ---------- */

static int same_shape(const TF_Tensor* a, const TF_Tensor* b) {
  if (TF_NumDims(a) != TF_NumDims(b)) return 0;
  for (int i = 0; i < TF_NumDims(a); i++) if (TF_Dim(a, i) != TF_Dim(b, i)) return 0;
  return 1;
}

static void fail(TF_OpKernelContext* ctx, TF_Status* s, const char* msg) {
  TF_SetStatus(s, TF_INVALID_ARGUMENT, msg);
  TF_OpKernelContext_Failure(ctx, s);
}

static TF_Tensor* output_like(TF_OpKernelContext* ctx, int index, const TF_Tensor* like, TF_Status* s) {
  int64_t dims[8];
  int nd = TF_NumDims(like);
  for (int i = 0; i < nd && i < 8; i++) dims[i] = TF_Dim(like, i);
  return TF_AllocateOutput(ctx, index, TF_FLOAT, dims, nd, TF_TensorByteSize(like), s);
}

/* ---------- DeepSvddMaxPoolGrad2x2 ---------- */

/*
 * dx of a 2×2, stride-2 max pool, NHWC. Each element of dx is written once: the windows do not overlap, so an element
 * gets its window's dy (+0.0f, which turns −0 into +0 as TensorFlow's zero-filled accumulation does) if it is the
 * window's first maximum, else 0; rows and columns outside every window (VALID on odd sizes) are zeroed.
 */
static void pool_grad(const float* xd, const float* gd, float* out, int64_t n, int64_t h, int64_t w, int64_t c,
                      int64_t ho, int64_t wo) {
  for (int64_t b = 0; b < n; b++) {
    for (int64_t i = 0; i < ho; i++) {
      const int64_t r0 = 2 * i, r1 = 2 * i + 2 < h ? 2 * i + 2 : h;
      for (int64_t j = 0; j < wo; j++) {
        const int64_t c0 = 2 * j, c1 = 2 * j + 2 < w ? 2 * j + 2 : w;
        int64_t offs[4] = { 0, 0, 0, 0 };
        int k = 0;
        for (int64_t r = r0; r < r1; r++)
          for (int64_t q = c0; q < c1; q++) offs[k++] = ((b * h + r) * w + q) * c;
        const float* g = gd + ((b * ho + i) * wo + j) * c;
        int64_t ch = 0;
#ifdef __SSE2__
        if (k == 4) {
          /* four channels at a time: the running maximum and its window index as vectors, chosen with masks */
          const __m128 zero = _mm_setzero_ps();
          for (; ch + 4 <= c; ch += 4) {
            __m128 m = _mm_loadu_ps(xd + offs[0] + ch), idx = zero;
            for (int t = 1; t < 4; t++) {
              const __m128 v = _mm_loadu_ps(xd + offs[t] + ch);
              const __m128 gt = _mm_cmplt_ps(m, v);
              m = _mm_or_ps(_mm_and_ps(gt, v), _mm_andnot_ps(gt, m));
              idx = _mm_or_ps(_mm_and_ps(gt, _mm_set1_ps((float)t)), _mm_andnot_ps(gt, idx));
            }
            const __m128 gv = _mm_add_ps(_mm_loadu_ps(g + ch), zero);
            for (int t = 0; t < 4; t++) {
              _mm_storeu_ps(out + offs[t] + ch, _mm_and_ps(_mm_cmpeq_ps(idx, _mm_set1_ps((float)t)), gv));
            }
          }
        }
#endif
        for (; ch < c; ch++) {
          float m = xd[offs[0] + ch];
          int a = 0;
          for (int t = 1; t < k; t++) {
            const float v = xd[offs[t] + ch];
            if (m < v) { m = v; a = t; }
          }
          for (int t = 0; t < k; t++) out[offs[t] + ch] = a == t ? g[ch] + 0.0f : 0.0f;
        }
      }
      if (2 * wo < w) memset(out + ((b * h + r0) * w + 2 * wo) * c, 0, sizeof(float) * (size_t)((w - 2 * wo) * c));
      if (r1 - r0 == 2 && 2 * wo < w) memset(out + ((b * h + r0 + 1) * w + 2 * wo) * c, 0, sizeof(float) * (size_t)((w - 2 * wo) * c));
    }
    if (2 * ho < h) memset(out + (b * h + 2 * ho) * w * c, 0, sizeof(float) * (size_t)((h - 2 * ho) * w * c));
  }
}

static void pool_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* x = NULL;
  TF_Tensor* dy = NULL;
  TF_Tensor* dx = NULL;
  TF_GetInput(ctx, 0, &x, s);
  if (TF_GetCode(s) == TF_OK) TF_GetInput(ctx, 1, &dy, s);
  if (TF_GetCode(s) != TF_OK) { TF_OpKernelContext_Failure(ctx, s); goto done; }
  if (TF_TensorType(x) != TF_FLOAT || TF_TensorType(dy) != TF_FLOAT || TF_NumDims(x) != 4 || TF_NumDims(dy) != 4) {
    fail(ctx, s, "DeepSvddMaxPoolGrad2x2: x and dy must be 4-D float32 (NHWC)");
    goto done;
  }
  const int64_t n = TF_Dim(x, 0), h = TF_Dim(x, 1), w = TF_Dim(x, 2), c = TF_Dim(x, 3);
  const int64_t ho = TF_Dim(dy, 1), wo = TF_Dim(dy, 2);
  if (TF_Dim(dy, 0) != n || TF_Dim(dy, 3) != c || (ho != (h + 1) / 2 && ho != h / 2) || (wo != (w + 1) / 2 && wo != w / 2)) {
    fail(ctx, s, "DeepSvddMaxPoolGrad2x2: dy is not the shape of a 2x2, stride-2 max pool of x");
    goto done;
  }
  dx = output_like(ctx, 0, x, s);
  if (TF_GetCode(s) != TF_OK) { TF_OpKernelContext_Failure(ctx, s); goto done; }
  const float* xd = (const float*)TF_TensorData(x);
  const float* gd = (const float*)TF_TensorData(dy);
  float* out = (float*)TF_TensorData(dx);
  pool_grad(xd, gd, out, n, h, w, c, ho, wo);
done:
  TF_DeleteTensor(x);
  TF_DeleteTensor(dy);
  TF_DeleteTensor(dx);
  TF_DeleteStatus(s);
}

/* ---------- DeepSvddAdam ---------- */

typedef struct { float a, beta1, one_minus_beta1, beta2, one_minus_beta2, eps; } AdamAttrs;

static void* adam_create(TF_OpKernelConstruction* ctx) {
  AdamAttrs* k = (AdamAttrs*)calloc(1, sizeof(AdamAttrs));
  TF_Status* s = TF_NewStatus();
  const char* names[6] = { "a", "beta1", "one_minus_beta1", "beta2", "one_minus_beta2", "eps" };
  float* slots[6] = { &k->a, &k->beta1, &k->one_minus_beta1, &k->beta2, &k->one_minus_beta2, &k->eps };
  for (int i = 0; i < 6 && TF_GetCode(s) == TF_OK; i++) TF_OpKernelConstruction_GetAttrFloat(ctx, names[i], slots[i], s);
  if (TF_GetCode(s) != TF_OK) TF_OpKernelConstruction_Failure(ctx, s);
  TF_DeleteStatus(s);
  return k;
}

static void adam_delete(void* kernel) { free(kernel); }

static void adam_compute(void* kernel, TF_OpKernelContext* ctx) {
  const AdamAttrs* k = (const AdamAttrs*)kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* in[4] = { NULL, NULL, NULL, NULL };
  TF_Tensor* out[3] = { NULL, NULL, NULL };
  for (int i = 0; i < 4 && TF_GetCode(s) == TF_OK; i++) TF_GetInput(ctx, i, &in[i], s);
  if (TF_GetCode(s) != TF_OK) { TF_OpKernelContext_Failure(ctx, s); goto done; }
  for (int i = 0; i < 4; i++) {
    if (TF_TensorType(in[i]) != TF_FLOAT || !same_shape(in[i], in[0])) {
      fail(ctx, s, "DeepSvddAdam: p, m, v and g must be float32 tensors of one shape");
      goto done;
    }
  }
  for (int i = 0; i < 3 && TF_GetCode(s) == TF_OK; i++) out[i] = output_like(ctx, i, in[0], s);
  if (TF_GetCode(s) != TF_OK) { TF_OpKernelContext_Failure(ctx, s); goto done; }
  {
    const float* p = (const float*)TF_TensorData(in[0]);
    const float* m = (const float*)TF_TensorData(in[1]);
    const float* v = (const float*)TF_TensorData(in[2]);
    const float* g = (const float*)TF_TensorData(in[3]);
    float* p2 = (float*)TF_TensorData(out[0]);
    float* m2 = (float*)TF_TensorData(out[1]);
    float* v2 = (float*)TF_TensorData(out[2]);
    const int64_t len = (int64_t)(TF_TensorByteSize(in[0]) / sizeof(float));
    for (int64_t i = 0; i < len; i++) {
      const float mi = m[i] * k->beta1 + g[i] * k->one_minus_beta1;
      const float vi = v[i] * k->beta2 + (g[i] * g[i]) * k->one_minus_beta2;
      m2[i] = mi;
      v2[i] = vi;
      p2[i] = p[i] - (mi * k->a) / (sqrtf(vi) + k->eps);
    }
  }
done:
  for (int i = 0; i < 4; i++) TF_DeleteTensor(in[i]);
  for (int i = 0; i < 3; i++) TF_DeleteTensor(out[i]);
  TF_DeleteStatus(s);
}

/* ---------- DeepSvddBatchNormEval ---------- */

typedef struct { float eps, alpha; TF_Bool leaky; } BnEvalAttrs;

static void* bn_eval_create(TF_OpKernelConstruction* ctx) {
  BnEvalAttrs* k = (BnEvalAttrs*)calloc(1, sizeof(BnEvalAttrs));
  TF_Status* s = TF_NewStatus();
  TF_OpKernelConstruction_GetAttrFloat(ctx, "epsilon", &k->eps, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrFloat(ctx, "alpha", &k->alpha, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrBool(ctx, "leaky", &k->leaky, s);
  if (TF_GetCode(s) != TF_OK) TF_OpKernelConstruction_Failure(ctx, s);
  TF_DeleteStatus(s);
  return k;
}

static void bn_eval_delete(void* kernel) { free(kernel); }

/* rows × c values; m and sc per channel. `+ 0.0f` is FusedBatchNorm's zero offset (it turns −0 into +0). */
static void bn_eval(const float* x, float* y, int64_t rows, int64_t c, const float* m, const float* sc, int leaky, float alpha) {
#ifdef __SSE2__
  if (c % 4 == 0) {
    const __m128 zero = _mm_setzero_ps(), a = _mm_set1_ps(alpha);
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * c;
      float* yr = y + r * c;
      for (int64_t ch = 0; ch < c; ch += 4) {
        __m128 v = _mm_add_ps(_mm_mul_ps(_mm_sub_ps(_mm_loadu_ps(xr + ch), _mm_loadu_ps(m + ch)), _mm_loadu_ps(sc + ch)), zero);
        if (leaky) {
          const __m128 pos = _mm_cmpgt_ps(v, zero);
          v = _mm_or_ps(_mm_and_ps(pos, v), _mm_andnot_ps(pos, _mm_mul_ps(v, a)));
        }
        _mm_storeu_ps(yr + ch, v);
      }
    }
    return;
  }
#endif
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t ch = 0; ch < c; ch++) {
      float v = (x[r * c + ch] - m[ch]) * sc[ch] + 0.0f;
      if (leaky && !(v > 0.0f)) v = v * alpha;
      y[r * c + ch] = v;
    }
  }
}

static void bn_eval_compute(void* kernel, TF_OpKernelContext* ctx) {
  const BnEvalAttrs* k = (const BnEvalAttrs*)kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* in[3] = { NULL, NULL, NULL };
  TF_Tensor* y = NULL;
  float* sc = NULL;
  for (int i = 0; i < 3 && TF_GetCode(s) == TF_OK; i++) TF_GetInput(ctx, i, &in[i], s);
  if (TF_GetCode(s) != TF_OK) { TF_OpKernelContext_Failure(ctx, s); goto done; }
  const int nd = TF_NumDims(in[0]);
  if (nd < 1 || TF_TensorType(in[0]) != TF_FLOAT || TF_TensorType(in[1]) != TF_FLOAT || TF_TensorType(in[2]) != TF_FLOAT
      || TF_NumDims(in[1]) != 1 || TF_NumDims(in[2]) != 1 || TF_Dim(in[1], 0) != TF_Dim(in[0], nd - 1) || TF_Dim(in[2], 0) != TF_Dim(in[0], nd - 1)) {
    fail(ctx, s, "DeepSvddBatchNormEval: x must be float32 with channels last, mean and variance float32 vectors of its channels");
    goto done;
  }
  y = output_like(ctx, 0, in[0], s);
  if (TF_GetCode(s) != TF_OK) { TF_OpKernelContext_Failure(ctx, s); goto done; }
  {
    const int64_t c = TF_Dim(in[0], nd - 1);
    const int64_t len = (int64_t)(TF_TensorByteSize(in[0]) / sizeof(float));
    if (c == 0 || len == 0) goto done;
    const float* var = (const float*)TF_TensorData(in[2]);
    sc = (float*)malloc(sizeof(float) * (size_t)c);
    if (!sc) { fail(ctx, s, "DeepSvddBatchNormEval: out of memory"); goto done; }
    for (int64_t ch = 0; ch < c; ch++) sc[ch] = 1.0f / sqrtf(var[ch] + k->eps);
    bn_eval((const float*)TF_TensorData(in[0]), (float*)TF_TensorData(y), len / c, c, (const float*)TF_TensorData(in[1]), sc, k->leaky, k->alpha);
  }
done:
  free(sc);
  for (int i = 0; i < 3; i++) TF_DeleteTensor(in[i]);
  TF_DeleteTensor(y);
  TF_DeleteStatus(s);
}

/* ---------- registration ---------- */

static const char* register_all(TF_Status* s) {
  TF_OpDefinitionBuilder* op = TF_NewOpDefinitionBuilder("DeepSvddMaxPoolGrad2x2");
  TF_OpDefinitionBuilderAddInput(op, "x: float");
  TF_OpDefinitionBuilderAddInput(op, "dy: float");
  TF_OpDefinitionBuilderAddOutput(op, "dx: float");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(op, same_as_input0);
  TF_RegisterOpDefinition(op, s);
  if (TF_GetCode(s) != TF_OK) return "registering the op DeepSvddMaxPoolGrad2x2";
  TF_KernelBuilder* kb = TF_NewKernelBuilder("DeepSvddMaxPoolGrad2x2", "CPU", NULL, pool_grad_compute, NULL);
  TF_RegisterKernelBuilder("DeepSvddMaxPoolGrad2x2", kb, s);
  if (TF_GetCode(s) != TF_OK) return "registering the kernel DeepSvddMaxPoolGrad2x2";

  op = TF_NewOpDefinitionBuilder("DeepSvddAdam");
  const char* inputs[4] = { "p: float", "m: float", "v: float", "g: float" };
  for (int i = 0; i < 4; i++) TF_OpDefinitionBuilderAddInput(op, inputs[i]);
  const char* outputs[3] = { "p_new: float", "m_new: float", "v_new: float" };
  for (int i = 0; i < 3; i++) TF_OpDefinitionBuilderAddOutput(op, outputs[i]);
  const char* attrs[6] = { "a: float", "beta1: float", "one_minus_beta1: float", "beta2: float", "one_minus_beta2: float", "eps: float" };
  for (int i = 0; i < 6; i++) TF_OpDefinitionBuilderAddAttr(op, attrs[i]);
  TF_OpDefinitionBuilderSetShapeInferenceFunction(op, adam_shapes);
  TF_RegisterOpDefinition(op, s);
  if (TF_GetCode(s) != TF_OK) return "registering the op DeepSvddAdam";
  kb = TF_NewKernelBuilder("DeepSvddAdam", "CPU", adam_create, adam_compute, adam_delete);
  TF_RegisterKernelBuilder("DeepSvddAdam", kb, s);
  if (TF_GetCode(s) != TF_OK) return "registering the kernel DeepSvddAdam";

  op = TF_NewOpDefinitionBuilder("DeepSvddBatchNormEval");
  TF_OpDefinitionBuilderAddInput(op, "x: float");
  TF_OpDefinitionBuilderAddInput(op, "mean: float");
  TF_OpDefinitionBuilderAddInput(op, "variance: float");
  TF_OpDefinitionBuilderAddOutput(op, "y: float");
  TF_OpDefinitionBuilderAddAttr(op, "epsilon: float");
  TF_OpDefinitionBuilderAddAttr(op, "alpha: float");
  TF_OpDefinitionBuilderAddAttr(op, "leaky: bool");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(op, same_as_input0);
  TF_RegisterOpDefinition(op, s);
  if (TF_GetCode(s) != TF_OK) return "registering the op DeepSvddBatchNormEval";
  kb = TF_NewKernelBuilder("DeepSvddBatchNormEval", "CPU", bn_eval_create, bn_eval_compute, bn_eval_delete);
  TF_RegisterKernelBuilder("DeepSvddBatchNormEval", kb, s);
  if (TF_GetCode(s) != TF_OK) return "registering the kernel DeepSvddBatchNormEval";
  return NULL;
}

/* Registered once per process (an op registered twice is an error); exports { ops: [names] }. */
static int registered = 0;

NAPI_MODULE_INIT() {
  if (!registered) {
    TF_Status* s = TF_NewStatus();
    const char* what = register_all(s);
    if (what) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s: %s", what, TF_Message(s));
      TF_DeleteStatus(s);
      napi_throw_error(env, NULL, msg);
      return NULL;
    }
    TF_DeleteStatus(s);
    registered = 1;
  }
  napi_value ops, name;
  static const char* const names[3] = { "DeepSvddMaxPoolGrad2x2", "DeepSvddAdam", "DeepSvddBatchNormEval" };
  napi_create_array_with_length(env, 3, &ops);
  for (uint32_t i = 0; i < 3; i++) {
    napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, ops, i, name);
  }
  napi_set_named_property(env, exports, "ops", ops);
  return exports;
}
