// Batched GEMM: shape checks, then the host drivers (small problems: the register-blocked
// kernel in parallel over the batch; large ones: the library GEMM one after another) or cuBLAS.
#include "cuda/gemm_batched.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "backend/kernels.h"
#include "common.h"
#include "cpu/fixed_gemm.h"
#include "cpu/small_gemm.h"
#include "cpu/xsmm.h"
#include "magmadnn/core/cpu_isa.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/batched.h"
#include "magmadnn/linalg/blas.h"

namespace magmadnn::linalg {

namespace {

struct Dims {
    index_t m, n, k;
};

bool small(const Dims& d) { return std::max({d.m, d.n, d.k}) <= cpu::small_gemm_max; }

// One host problem: small ones on the calling thread, large ones through the library GEMM.
template <typename T>
void host_gemm(bool ta, bool tb, const Dims& d, T alpha, const T* A, const T* B, T beta, T* C) {
    const index_t lda = ta ? d.m : d.k;
    const index_t ldb = tb ? d.k : d.n;
    if (small(d)) {
        cpu::small_gemm(ta, tb, d.m, d.n, d.k, alpha, A, lda, B, ldb, beta, C, d.n);
    } else {
        math::cpu::gemm(ta, tb, d.m, d.n, d.k, alpha, A, lda, B, ldb, beta, C, d.n);
    }
}

// The {rows, cols} of op(X), X's matrix axes starting at `at`.
std::pair<index_t, index_t> op_dims(const Shape& s, bool trans, int at) {
    const auto r = s[static_cast<std::size_t>(at)];
    const auto c = s[static_cast<std::size_t>(at) + 1];
    return trans ? std::pair{c, r} : std::pair{r, c};
}

template <typename T>
Dims problem_dims(const char* routine, const Shape& a, const Shape& b, const Shape& c, bool ta,
                  bool tb, int a_at, int b_at) {
    const auto [m, k] = op_dims(a, ta, a_at);
    const auto [kb, n] = op_dims(b, tb, b_at);
    const index_t cm = c[c.size() - 2];
    const index_t cn = c[c.size() - 1];
    if (k != kb || cm != m || cn != n) {
        throw ShapeError(fmt::format(
            "linalg::{}: op(A) is {{{}, {}}} (A {}{}), op(B) is {{{}, {}}} (B {}{}), C is {}: need "
            "op(A) {{m, k}}, op(B) {{k, n}}, C {{m, n}}",
            routine, m, k, to_string(a), ta ? " transposed" : "", kb, n, to_string(b),
            tb ? " transposed" : "", to_string(c)));
    }
    return {m, n, k};
}

// An f32 batch of small untransposed problems (operand b at a + b sa, ...; sa or sb 0: shared).
struct F32Batch {
    const float* a;
    index_t sa;
    const float* b;
    index_t sb;
    float* c;
    index_t sc;
    index_t batch;
    Dims d;
    float alpha, beta;
};

// Own kernels: the one compiled for this size, else the register-tiled small GEMM. Problems past
// the caches stream from memory: each fixed-size kernel fetches the next problem's operands
// while it computes (the hardware prefetchers only follow the current problem's streams).
void run_own(const F32Batch& p, cpu::FixedGemmF32 fixed, bool parallel) {
    const Dims& d = p.d;
    if (fixed != nullptr) {
        const bool prefetch =
            (p.sa + p.sb + p.sc) * p.batch * index_t(sizeof(float)) > (index_t(16) << 20);
#pragma omp parallel for schedule(static) if (parallel)
        for (index_t b = 0; b < p.batch; ++b) {
            cpu::NextProblem next;
            if (prefetch && b + 1 < p.batch) {
                next = {p.a + (b + 1) * p.sa, p.b + (b + 1) * p.sb, p.c + (b + 1) * p.sc};
            }
            fixed(p.a + b * p.sa, p.b + b * p.sb, p.c + b * p.sc, p.alpha, p.beta, next);
        }
        return;
    }
#pragma omp parallel for schedule(static) if (parallel)
    for (index_t b = 0; b < p.batch; ++b) {
        cpu::small_gemm(false, false, d.m, d.n, d.k, p.alpha, p.a + b * p.sa, d.k, p.b + b * p.sb,
                        d.n, p.beta, p.c + b * p.sc, d.n);
    }
}

void run_xsmm(const F32Batch& p, cpu::XsmmSgemm kernel, bool parallel) {
#pragma omp parallel if (parallel)
    {
        const index_t nth = omp_get_num_threads(), id = omp_get_thread_num();
        cpu::xsmm_run(kernel, p.a, p.sa, p.b, p.sb, p.c, p.sc, id * p.batch / nth,
                      (id + 1) * p.batch / nth);
    }
}

// A measured shape: m, n, k, whether C is accumulated, the CPU target.
using ChoiceKey = std::tuple<index_t, index_t, index_t, bool, magmadnn::cpu::Isa>;
std::mutex choice_mutex;
std::map<ChoiceKey, bool> xsmm_choices;  // -> libxsmm is faster

enum class Mode { automatic, own, xsmm };

Mode mode_from_environment() {
    const char* env = std::getenv("MAGMADNN_GEMM_BATCHED");
    if (env == nullptr || *env == '\0') return Mode::automatic;
    const std::string v = env;
    if (v == "auto") return Mode::automatic;
    if (v == "own") return Mode::own;
    if (v == "libxsmm") return Mode::xsmm;
    throw ValueError(
        fmt::format("MAGMADNN_GEMM_BATCHED={}: expected own, libxsmm or auto (measure)", v));
}

// Whether libxsmm runs this batch: fixed by MAGMADNN_GEMM_BATCHED, else measured once per shape
// on the first batch, into a scratch copy of C, with the batch's threads: the whole batch up to
// 32 MB of operands, else its first 32 MB (past the caches either way, where the own kernels'
// prefetching of the next problem matters), best of two runs each.
bool prefer_xsmm(Mode mode, const F32Batch& p, cpu::FixedGemmF32 fixed, cpu::XsmmSgemm kernel,
                 bool parallel) {
    if (mode != Mode::automatic) return mode == Mode::xsmm;
    if (p.batch == 0) return false;
    const ChoiceKey key{p.d.m, p.d.n, p.d.k, p.beta != 0.0f, magmadnn::cpu::active_isa()};
    std::lock_guard lock(choice_mutex);
    if (auto it = xsmm_choices.find(key); it != xsmm_choices.end()) return it->second;
    F32Batch sample = p;
    const index_t bytes = (p.sa + p.sb + p.sc) * index_t(sizeof(float));
    sample.batch =
        std::clamp<index_t>((index_t(32) << 20) / std::max<index_t>(bytes, 1), 1, p.batch);
    std::vector<float> scratch(p.c, p.c + (sample.batch - 1) * p.sc + p.d.m * p.d.n);
    sample.c = scratch.data();
    const auto best = [&](const auto& run) {
        double t = 1e300;
        for (int r = 0; r < 2; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            run();
            t = std::min(
                t, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        return t;
    };
    const double own = best([&] { run_own(sample, fixed, parallel); });
    const double xsmm = best([&] { run_xsmm(sample, kernel, parallel); });
    return xsmm_choices[key] = xsmm < own;
}

}  // namespace

std::map<std::string, std::string> gemm_batched_choices() {
    std::lock_guard lock(choice_mutex);
    std::map<std::string, std::string> out;
    for (const auto& [key, xsmm] : xsmm_choices) {
        const auto& [m, n, k, accumulate, isa] = key;
        out[fmt::format("{}x{}x{}|beta{}|{}", m, n, k, accumulate ? 1 : 0,
                        magmadnn::cpu::isa_name(isa))] = xsmm ? "libxsmm" : "own";
    }
    return out;
}

template <typename T>
void gemm_batched(T alpha, const Tensor<T>& A, const Tensor<T>& B, T beta, Tensor<T>& C, bool ta,
                  bool tb) {
    const char* routine = "gemm_batched";
    if (C.ndim() != 3 || (A.ndim() != 2 && A.ndim() != 3) || (B.ndim() != 2 && B.ndim() != 3)) {
        throw ShapeError(
            fmt::format("linalg::{}: needs C {{batch, m, n}} and A, B 3-D {{batch, "
                        "., .}} or 2-D (shared); got A {} B {} C {}",
                        routine, to_string(A.shape()), to_string(B.shape()), to_string(C.shape())));
    }
    const index_t batch = C.shape(0);
    if ((A.ndim() == 3 && A.shape(0) != batch) || (B.ndim() == 3 && B.shape(0) != batch)) {
        throw ShapeError(fmt::format(
            "linalg::{}: mismatched batch: A {}, B {}, C {}; every 3-D "
            "operand needs C's batch of {} (or pass a 2-D operand to "
            "share it)",
            routine, to_string(A.shape()), to_string(B.shape()), to_string(C.shape()), batch));
    }
    const Dims d = problem_dims<T>(routine, A.shape(), B.shape(), C.shape(), ta, tb, A.ndim() - 2,
                                   B.ndim() - 2);
    const index_t sa = A.ndim() == 3 ? d.m * d.k : 0;
    const index_t sb = B.ndim() == 3 ? d.k * d.n : 0;
    const index_t sc = d.m * d.n;
    if (detail::on_device(routine, A, B, C)) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::gemm_strided_batched(ta, tb, batch, d.m, d.n, d.k, alpha, A.cdevice_data(), sa,
                                   B.cdevice_data(), sb, beta, C.device_data(), sc);
#endif
        return;
    }
    const T* pa = A.cdata();
    const T* pb = B.cdata();
    T* pc = C.data();
    // Below ~1 MFLOP in total (some 10 us on one core) a parallel region costs more than it saves
    // (a loaded core delays the whole region by a time slice); above it two threads win: 10,000
    // problems of 4 x 4 x 4 (1.3 MFLOP) ran at 12 GFLOP/s serial, 22 with two threads.
    const bool parallel = 2.0 * static_cast<double>(d.m * d.n * d.k) * batch > 1e6;
    if constexpr (std::is_same_v<T, float>) {
        if (!ta && !tb && small(d)) {
            // the kernel compiled for this size (one dispatch for the whole batch) or the
            // register-tiled one; libxsmm's JIT kernel instead where it measured faster
            const Mode mode = mode_from_environment();
            const F32Batch p{pa, sa, pb, sb, pc, sc, batch, d, alpha, beta};
            const auto fixed = cpu::fixed_gemm_f32(d.m, d.n, d.k);
            const auto xsmm = alpha == 1.0f && (beta == 0.0f || beta == 1.0f)
                                  ? cpu::xsmm_sgemm(d.m, d.n, d.k, beta != 0.0f)
                                  : cpu::XsmmSgemm{};
            if (xsmm && prefer_xsmm(mode, p, fixed, xsmm, parallel)) {
                run_xsmm(p, xsmm, parallel);
            } else {
                run_own(p, fixed, parallel);
            }
            return;
        }
    }
    if (small(d)) {
#pragma omp parallel for schedule(static) if (parallel)
        for (index_t b = 0; b < batch; ++b) {
            host_gemm(ta, tb, d, alpha, pa + b * sa, pb + b * sb, beta, pc + b * sc);
        }
    } else {
        for (index_t b = 0; b < batch; ++b) {
            host_gemm(ta, tb, d, alpha, pa + b * sa, pb + b * sb, beta, pc + b * sc);
        }
    }
}

template <typename T>
Tensor<T> gemm_batched(const Tensor<T>& A, const Tensor<T>& B, bool ta, bool tb) {
    if ((A.ndim() != 2 && A.ndim() != 3) || (B.ndim() != 2 && B.ndim() != 3) ||
        (A.ndim() == 2 && B.ndim() == 2)) {
        throw ShapeError(
            fmt::format("linalg::gemm_batched: needs A and B 3-D {{batch, ., .}} or "
                        "one of them 2-D (shared); got A {} B {}",
                        to_string(A.shape()), to_string(B.shape())));
    }
    const index_t batch = A.ndim() == 3 ? A.shape(0) : B.shape(0);
    const index_t m = ta ? A.shape(-1) : A.shape(-2);
    const index_t n = tb ? B.shape(-2) : B.shape(-1);
    Tensor<T> C({batch, m, n}, A.memory());
    gemm_batched(T(1), A, B, T(0), C, ta, tb);
    return C;
}

template <typename T>
Tensor<T> matmul(const Tensor<T>& A, const Tensor<T>& B) {
    if (A.ndim() == 2 && B.ndim() == 2) return gemm(A, B);
    return gemm_batched(A, B);
}

namespace {

void check_lists(const char* routine, std::size_t na, std::size_t nb, std::size_t nc) {
    if (na != nb || na != nc) {
        throw ShapeError(
            fmt::format("linalg::{}: mismatched batch: {} A, {} B and {} C tensors; "
                        "pass one of each per problem",
                        routine, na, nb, nc));
    }
}

template <typename T>
Dims list_problem(const char* routine, std::size_t i, const Tensor<T>& a, const Tensor<T>& b,
                  const Tensor<T>& c, bool ta, bool tb) {
    if (a.ndim() != 2 || b.ndim() != 2 || c.ndim() != 2) {
        throw ShapeError(fmt::format("linalg::{}: problem {} needs 2-D tensors, got A {} B {} C {}",
                                     routine, i, to_string(a.shape()), to_string(b.shape()),
                                     to_string(c.shape())));
    }
    return problem_dims<T>(routine, a.shape(), b.shape(), c.shape(), ta, tb, 0, 0);
}

template <typename T>
void run_list(const char* routine, bool fixed, T alpha, const std::vector<Tensor<T>>& As,
              const std::vector<Tensor<T>>& Bs, T beta, std::vector<Tensor<T>>& Cs, bool ta,
              bool tb) {
    check_lists(routine, As.size(), Bs.size(), Cs.size());
    const std::size_t count = Cs.size();
    if (count == 0) return;
    std::vector<Dims> dims(count);
    for (std::size_t i = 0; i < count; ++i) {
        dims[i] = list_problem(routine, i, As[i], Bs[i], Cs[i], ta, tb);
        if (fixed && (dims[i].m != dims[0].m || dims[i].n != dims[0].n || dims[i].k != dims[0].k)) {
            throw ShapeError(fmt::format(
                "linalg::{}: problem {} is {{m={}, n={}, k={}}} but problem 0 is {{m={}, n={}, "
                "k={}}}; all problems must match (use linalg::gemm_vbatched for mixed sizes)",
                routine, i, dims[i].m, dims[i].n, dims[i].k, dims[0].m, dims[0].n, dims[0].k));
        }
    }
    const memory_t first = Cs[0].memory();
    bool device = false;
    for (std::size_t i = 0; i < count; ++i) {
        device =
            detail::on_device(routine, {first, As[i].memory(), Bs[i].memory(), Cs[i].memory()});
    }
    if (device) {
#ifdef MAGMADNN_WITH_CUDA
        std::vector<const T*> pa(count), pb(count);
        std::vector<T*> pc(count);
        std::vector<index_t> ms(count), ns(count), ks(count);
        for (std::size_t i = 0; i < count; ++i) {
            pa[i] = As[i].cdevice_data();
            pb[i] = Bs[i].cdevice_data();
            pc[i] = Cs[i].device_data();
            ms[i] = dims[i].m;
            ns[i] = dims[i].n;
            ks[i] = dims[i].k;
        }
        if (fixed) {
            cuda::gemm_batched(ta, tb, ms[0], ns[0], ks[0], alpha, pa, pb, beta, pc);
        } else {
            cuda::gemm_vbatched(ta, tb, ms, ns, ks, alpha, pa, pb, beta, pc);
        }
#endif
        return;
    }
    std::vector<const T*> pa(count), pb(count);
    std::vector<T*> pc(count);
    for (std::size_t i = 0; i < count; ++i) {
        pa[i] = As[i].cdata();
        pb[i] = Bs[i].cdata();
        pc[i] = Cs[i].data();
    }
    const auto n = static_cast<index_t>(count);
#pragma omp parallel for schedule(dynamic, 16)
    for (index_t i = 0; i < n; ++i) {
        if (small(dims[i])) host_gemm(ta, tb, dims[i], alpha, pa[i], pb[i], beta, pc[i]);
    }
    for (index_t i = 0; i < n; ++i) {
        if (!small(dims[i])) host_gemm(ta, tb, dims[i], alpha, pa[i], pb[i], beta, pc[i]);
    }
}

}  // namespace

template <typename T>
void gemm_batched(T alpha, const std::vector<Tensor<T>>& As, const std::vector<Tensor<T>>& Bs,
                  T beta, std::vector<Tensor<T>>& Cs, bool ta, bool tb) {
    run_list("gemm_batched", true, alpha, As, Bs, beta, Cs, ta, tb);
}

template <typename T>
void gemm_vbatched(T alpha, const std::vector<Tensor<T>>& As, const std::vector<Tensor<T>>& Bs,
                   T beta, std::vector<Tensor<T>>& Cs, bool ta, bool tb) {
    run_list("gemm_vbatched", false, alpha, As, Bs, beta, Cs, ta, tb);
}

#define MAGMADNN_INSTANTIATE(T)                                                                    \
    template void gemm_batched<T>(T, const Tensor<T>&, const Tensor<T>&, T, Tensor<T>&, bool,      \
                                  bool);                                                           \
    template Tensor<T> gemm_batched<T>(const Tensor<T>&, const Tensor<T>&, bool, bool);            \
    template Tensor<T> matmul<T>(const Tensor<T>&, const Tensor<T>&);                              \
    template void gemm_batched<T>(T, const std::vector<Tensor<T>>&, const std::vector<Tensor<T>>&, \
                                  T, std::vector<Tensor<T>>&, bool, bool);                         \
    template void gemm_vbatched<T>(T, const std::vector<Tensor<T>>&,                               \
                                   const std::vector<Tensor<T>>&, T, std::vector<Tensor<T>>&,      \
                                   bool, bool);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::linalg
