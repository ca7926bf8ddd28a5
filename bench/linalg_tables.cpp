#include "linalg_tables.h"

#include <cblas.h>
#include <dlfcn.h>
#include <fftw3.h>
#include <fmt/format.h>
#include <lapacke.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#ifdef MAGMADNN_BENCH_LIBXSMM
#include <libxsmm.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <type_traits>

#include "magmadnn/backend/threads.h"
#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"
#include "magmadnn/core/tensor.h"
#include "magmadnn/fft/fft.h"
#include "magmadnn/fft/fp16split.h"
#include "magmadnn/linalg/batched.h"
#include "magmadnn/linalg/mixed.h"
#include "magmadnn/linalg/solve.h"

namespace magmadnn::bench {

namespace {

using fft::c128;
using fft::c64;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Best of `reps` runs: the least disturbed by other load on the machine.
template <typename F>
double best_seconds(F&& f, int reps) {
    double best = std::numeric_limits<double>::infinity();
    for (int r = 0; r < std::max(reps, 1); ++r) {
        const auto t0 = Clock::now();
        f();
        best = std::min(best, seconds_since(t0));
    }
    return best;
}

template <typename F>
double best_seconds_warm(F&& f, int reps) {
    f();  // warm up (JIT, page faults)
    return best_seconds(f, reps);
}

std::string coretype_text(const Environment& env) { return env.coretype.value_or("unset"); }

std::string or_na(const std::optional<double>& v, int precision, const char* suffix = "") {
    return v ? fmt::format("{:.{}f}{}", *v, precision, suffix) : "n/a";
}

// A loop of one library GEMM per problem at its best: the faster of serial and OpenMP-parallel.
struct LoopTime {
    double seconds = 0;
    bool serial = false;  // the serial loop was the faster
};
template <typename Body>
LoopTime best_loop(index_t batch, const Body& body, int reps) {
    const double serial = best_seconds_warm(
        [&] {
            for (index_t i = 0; i < batch; ++i) body(i);
        },
        reps);
    const double parallel = best_seconds_warm(
        [&] {
#pragma omp parallel for schedule(static)
            for (index_t i = 0; i < batch; ++i) body(i);
        },
        reps);
    return {std::min(serial, parallel), serial < parallel};
}

#ifdef MAGMADNN_BENCH_LIBXSMM
// libxsmm_init / libxsmm_finalize around the GEMM table, also when a measurement throws.
struct LibxsmmSession {
    LibxsmmSession() { libxsmm_init(); }
    ~LibxsmmSession() { libxsmm_finalize(); }
    LibxsmmSession(const LibxsmmSession&) = delete;
    LibxsmmSession& operator=(const LibxsmmSession&) = delete;
};

// libxsmm is column-major: row-major C = A B is column-major C^T = B^T A^T.
std::optional<double> time_libxsmm(index_t n, index_t batch, const float* a, const float* b,
                                   float* c, int reps) {
    const auto ld = static_cast<libxsmm_blasint>(n);
    const float alpha = 1.0f, beta = 0.0f;
    const libxsmm_smmfunction kernel =
        libxsmm_smmdispatch(ld, ld, ld, &ld, &ld, &ld, &alpha, &beta, nullptr, nullptr);
    if (kernel == nullptr) return std::nullopt;
    const index_t s = n * n;
    return best_loop(
               batch, [&](index_t i) { kernel(b + i * s, a + i * s, c + i * s); }, reps)
        .seconds;
}
#endif

// BLIS, opened at run time with RTLD_LOCAL: linked in, its BLAS and CBLAS symbols (cblas_sgemm,
// sgemm_) would take the place of OpenBLAS's for the whole process, magmadnn's calls included.
// Its native typed API has no such clash; the prototype is blis.h's bli_sgemm on 64-bit
// machines (dim_t and inc_t are int64_t, trans_t an enum with BLIS_NO_TRANSPOSE = 0).
class Blis {
  public:
    using Sgemm = void (*)(int transa, int transb, std::int64_t m, std::int64_t n, std::int64_t k,
                           const float* alpha, const float* a, std::int64_t rsa, std::int64_t csa,
                           const float* b, std::int64_t rsb, std::int64_t csb, const float* beta,
                           float* c, std::int64_t rsc, std::int64_t csc);
    static const Blis& get() {
        static const Blis blis;
        return blis;
    }
    Sgemm sgemm() const { return sgemm_; }
    std::optional<std::string> version() const { return version_; }
    Blis(const Blis&) = delete;
    Blis& operator=(const Blis&) = delete;
    ~Blis() {
        if (handle_ != nullptr) dlclose(handle_);
    }

  private:
    Blis() {
        // Debian's BLIS 0.9 (libblis.so.4) takes CPUs newer than it knows (Zen 4 / 5) for
        // 'generic', plain C kernels at a third of the speed here; its best kernels on such
        // machines is 'haswell' (BLIS_ARCH_TYPE=3 in 0.9's arch_t: 'zen2' and 'zen3' measured
        // the same or slower), unless the user chose one.
        if (std::getenv("BLIS_ARCH_TYPE") == nullptr && __builtin_cpu_supports("avx2") &&
            __builtin_cpu_supports("fma")) {
            setenv("BLIS_ARCH_TYPE", "3", 0);
        }
        handle_ = dlopen("libblis.so.4", RTLD_NOW | RTLD_LOCAL);
        if (handle_ == nullptr) return;
        sgemm_ = reinterpret_cast<Sgemm>(dlsym(handle_, "bli_sgemm"));
        using VersionFn = const char* (*)();
        using ArchIdFn = int (*)();
        using ArchNameFn = const char* (*)(int);
        const auto v = reinterpret_cast<VersionFn>(dlsym(handle_, "bli_info_get_version_str"));
        const auto id = reinterpret_cast<ArchIdFn>(dlsym(handle_, "bli_arch_query_id"));
        const auto arch = reinterpret_cast<ArchNameFn>(dlsym(handle_, "bli_arch_string"));
        using InitFn = void (*)();
        const auto init = reinterpret_cast<InitFn>(dlsym(handle_, "bli_init"));
        if (sgemm_ == nullptr || init == nullptr) {
            sgemm_ = nullptr;
            return;
        }
        init();  // reads BLIS_ARCH_TYPE and sets up the kernels; queries before it abort
        version_ = v != nullptr ? v() : "unknown version";
        if (id != nullptr && arch != nullptr) *version_ += fmt::format(" ({} kernels)", arch(id()));
    }
    void* handle_ = nullptr;
    Sgemm sgemm_ = nullptr;
    std::optional<std::string> version_;
};

// ||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf) with A row-major.
double backward_error(index_t n, const double* A, const double* x, const double* b) {
    std::vector<double> r(b, b + n);
    const auto ni = static_cast<blasint>(n);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, ni, ni, -1.0, A, ni, x, 1, 1.0, r.data(), 1);
    double rn = 0, xn = 0, bn = 0, an = 0;
    for (index_t i = 0; i < n; ++i) {
        rn = std::max(rn, std::abs(r[i]));
        xn = std::max(xn, std::abs(x[i]));
        bn = std::max(bn, std::abs(b[i]));
        double s = 0;
        for (index_t j = 0; j < n; ++j) s += std::abs(A[i * n + j]);
        an = std::max(an, s);
    }
    return rn / (an * xn + bn);
}

double rel_err(const c64* a, const c128* ref, index_t n) {
    double num = 0, den = 0;
    for (index_t i = 0; i < n; ++i) {
        num += std::norm(c128(a[i].real(), a[i].imag()) - ref[i]);
        den += std::norm(ref[i]);
    }
    return std::sqrt(num / den);
}

struct FftwFree {
    void operator()(fftwf_complex* p) const { fftwf_free(p); }
};
using FftwBuffer = std::unique_ptr<fftwf_complex[], FftwFree>;

FftwBuffer fftw_buffer(index_t elements) {
    FftwBuffer p(static_cast<fftwf_complex*>(
        fftwf_malloc(sizeof(fftwf_complex) * static_cast<std::size_t>(elements))));
    if (!p) throw std::bad_alloc();
    return p;
}

struct FftwPlanDestroy {
    void operator()(fftwf_plan p) const { fftwf_destroy_plan(p); }
};
using FftwPlan = std::unique_ptr<std::remove_pointer_t<fftwf_plan>, FftwPlanDestroy>;

}  // namespace

Environment environment() {
    Environment env;
    env.openblas = openblas_config();
    if (const char* core = std::getenv("OPENBLAS_CORETYPE")) env.coretype = core;
    env.threads = num_threads();
    env.omp_threads = omp_get_max_threads();
#ifdef MAGMADNN_BENCH_LIBXSMM
    env.libxsmm = LIBXSMM_VERSION;
#endif
    env.fftw = fftwf_version;
    const dnnl_version_t* d = dnnl_version();
    env.onednn = fmt::format("{}.{}.{}", d->major, d->minor, d->patch);
    env.blis = Blis::get().version();
    return env;
}

std::optional<double> GemmRow::vs_libxsmm() const {
    if (!libxsmm_gflops) return std::nullopt;
    return magmadnn_gflops / *libxsmm_gflops;
}

std::vector<GemmRow> batched_gemm(const GemmOptions& options,
                                  const std::function<void(const GemmRow&)>& on_row) {
#ifdef MAGMADNN_BENCH_LIBXSMM
    const LibxsmmSession xsmm_session;
#endif
    const index_t batch = options.problems;
    const int reps = options.repetitions;
    std::vector<GemmRow> rows;
    for (const index_t n : options.sizes) {
        const Tensor<float> A({batch, n, n}, Filler(UNIFORM, {-1.0, 1.0}, 1));
        const Tensor<float> B({batch, n, n}, Filler(UNIFORM, {-1.0, 1.0}, 2));
        Tensor<float> C({batch, n, n}, HOST);
        const float* a = A.cdata();
        const float* b = B.cdata();
        float* c = C.data();
        const index_t s = n * n;
        const auto ni = static_cast<blasint>(n);
        const double ours =
            best_seconds_warm([&] { linalg::gemm_batched(1.0f, A, B, 0.0f, C); }, reps);
        const auto loop_body = [&](index_t i) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0f, a + i * s, ni,
                        b + i * s, ni, 0.0f, c + i * s, ni);
        };
        // The references at their best configuration: whichever of serial and parallel is faster.
        const LoopTime loop = best_loop(batch, loop_body, reps);
        const double onednn = best_loop(
                                  batch,
                                  [&](index_t i) {
                                      dnnl_sgemm('N', 'N', n, n, n, 1.0f, a + i * s, n, b + i * s,
                                                 n, 0.0f, c + i * s, n);
                                  },
                                  reps)
                                  .seconds;
        std::optional<double> blis;
        if (const Blis::Sgemm sgemm = Blis::get().sgemm()) {
            const float one = 1.0f, zero = 0.0f;
            blis = best_loop(
                       batch,
                       [&](index_t i) {
                           sgemm(0, 0, n, n, n, &one, a + i * s, n, 1, b + i * s, n, 1, &zero,
                                 c + i * s, n, 1);
                       },
                       reps)
                       .seconds;
        }
        std::optional<double> xsmm;
#ifdef MAGMADNN_BENCH_LIBXSMM
        xsmm = time_libxsmm(n, batch, a, b, c, reps);
#endif
        const double gflop =
            2.0 * static_cast<double>(n * n * n) * static_cast<double>(batch) / 1e9;
        GemmRow row;
        row.n = n;
        row.magmadnn_gflops = gflop / ours;
        row.loop_gflops = gflop / loop.seconds;
        row.loop_serial = loop.serial;
        if (xsmm) row.libxsmm_gflops = gflop / *xsmm;
        row.onednn_loop_gflops = gflop / onednn;
        if (blis) row.blis_loop_gflops = gflop / *blis;
        if (on_row) on_row(row);
        rows.push_back(row);
    }
    return rows;
}

namespace {

// An n x n complex f32 input, uniform [-1, 1] parts, and its FFTW f64 transform.
struct FftInput {
    Tensor<c64> x;
    Tensor<c128> ref;
};
FftInput fft_input(index_t n) {
    const Tensor<float> re({n, n}, Filler(UNIFORM, {-1.0, 1.0}, 5));
    const Tensor<float> im({n, n}, Filler(UNIFORM, {-1.0, 1.0}, 6));
    Tensor<c64> x({n, n}, HOST);
    Tensor<c128> xd({n, n}, HOST);
    for (index_t i = 0; i < n * n; ++i) {
        x.data()[i] = {re.cdata()[i], im.cdata()[i]};
        xd.data()[i] = {re.cdata()[i], im.cdata()[i]};
    }
    return {x, fft::fft2(xd)};
}

// A uniform [-1, 1] system A x = b of order n.
struct SolveInput {
    Tensor<double> A;
    Tensor<double> b;
};
SolveInput solve_input(index_t n) {
    return {Tensor<double>({n, n}, Filler(UNIFORM, {-1.0, 1.0}, 3)),
            Tensor<double>({n}, Filler(UNIFORM, {-1.0, 1.0}, 4))};
}

}  // namespace

std::vector<SolveRow> mixed_solve(const SolveOptions& options,
                                  const std::function<void(const SolveRow&)>& on_row) {
    std::vector<SolveRow> rows;
    for (const index_t n : options.sizes) {
        const auto [A, b] = solve_input(n);
        // Reference: column-major (no LAPACKE layout transposes), so the copy holds A^T; solving
        // A^T y = b is the same work as A x = b.
        // Both timed warm, best of two runs: dgesv factors a fresh copy of A each run (made
        // outside the timing), solve_mixed's second run reuses its workspace (solve_mixed docs).
        std::vector<double> a(static_cast<std::size_t>(n * n));
        std::vector<double> x(static_cast<std::size_t>(n));
        std::vector<lapack_int> ipiv(static_cast<std::size_t>(n));
        const auto ln = static_cast<lapack_int>(n);
        double t_ref = 1e300;
        for (int run = 0; run < 2; ++run) {
            std::copy(A.cdata(), A.cdata() + n * n, a.begin());
            std::copy(b.cdata(), b.cdata() + n, x.begin());
            const auto t0 = Clock::now();
            const lapack_int info =
                LAPACKE_dgesv(LAPACK_COL_MAJOR, ln, 1, a.data(), ln, ipiv.data(), x.data(), ln);
            t_ref = std::min(t_ref, seconds_since(t0));
            if (info != 0) {
                throw NumericError(fmt::format(
                    "bench mixed_solve: LAPACKE_dgesv returned {} for n = {}", info, n));
            }
        }
        // backward error of y for A^T: transpose A once for the check
        std::vector<double> at(static_cast<std::size_t>(n * n));
        for (index_t i = 0; i < n; ++i) {
            for (index_t j = 0; j < n; ++j) at[j * n + i] = A.cdata()[i * n + j];
        }
        SolveRow row;
        row.n = n;
        row.dgesv_backward_error = backward_error(n, at.data(), x.data(), b.cdata());
        linalg::MixedSolveResult r;
        row.mixed_seconds = 1e300;
        for (int run = 0; run < 2; ++run) {
            const auto t0 = Clock::now();
            r = linalg::solve_mixed(A, b);
            row.mixed_seconds = std::min(row.mixed_seconds, seconds_since(t0));
        }
        linalg::release_mixed_workspace();
        row.dgesv_seconds = t_ref;
        row.method = linalg::to_string(r.method);
        row.iterations = r.iterations;
        row.mixed_backward_error = r.backward_error;
        if (on_row) on_row(row);
        rows.push_back(row);
    }
    return rows;
}

std::vector<FftRow> fft_fp16split(const FftOptions& options,
                                  const std::function<void(const FftRow&)>& on_row) {
    std::vector<FftRow> rows;
    for (const index_t n : options.sizes) {
        const index_t nn = n * n;
        const auto [x, ref] = fft_input(n);
        // FFTW at its best configuration: a measured plan, made outside the timing.
        const FftwBuffer in = fftw_buffer(nn);
        const FftwBuffer out = fftw_buffer(nn);
        const FftwPlan plan(fftwf_plan_dft_2d(static_cast<int>(n), static_cast<int>(n), in.get(),
                                              out.get(), FFTW_FORWARD, FFTW_MEASURE));
        if (!plan) throw Error(fmt::format("bench fft_fp16split: no FFTW plan for {0} x {0}", n));
        // FFTW_MEASURE overwrites the arrays while planning: fill the input afterwards.
        std::copy_n(reinterpret_cast<const float*>(x.cdata()), 2 * nn,
                    reinterpret_cast<float*>(in.get()));
        FftRow row;
        row.n = n;
        row.fftw_ms =
            1e3 * best_seconds([&] { fftwf_execute(plan.get()); }, options.fftw_repetitions);
        row.fftw_error = rel_err(reinterpret_cast<const c64*>(out.get()), ref.cdata(), nn);
        Tensor<c64> F;
        row.split_ms =
            1e3 * best_seconds_warm([&] { F = fft::fft2_fp16split(x); }, options.split_repetitions);
        row.split_error = rel_err(F.cdata(), ref.cdata(), nn);
        if (on_row) on_row(row);
        rows.push_back(row);
    }
    return rows;
}

namespace {

linalg::LowPrecision low_precision(const std::string& name) {
    if (name == "f16") return linalg::LowPrecision::f16;
    if (name == "bf16") return linalg::LowPrecision::bf16;
    if (name == "tf32") return linalg::LowPrecision::tf32;
    if (name == "f32") return linalg::LowPrecision::f32;
    throw ValueError(fmt::format(
        "bench gpu_mixed_solve: precision '{}'; expected f16, bf16, tf32 or f32", name));
}

std::string gpu_text() {
    const std::vector<GpuInfo> g = gpus();
    if (g.empty()) return "no GPU";
    return fmt::format("{} (compute {}.{}, {:.0f} GiB), CUDA runtime {}", g[0].name,
                       g[0].compute_major, g[0].compute_minor,
                       static_cast<double>(g[0].total_memory) / double(1 << 30),
                       cuda_runtime_version());
}

}  // namespace

std::vector<GpuSolveRow> gpu_mixed_solve(const GpuSolveOptions& options,
                                         const std::function<void(const GpuSolveRow&)>& on_row) {
    require_device("bench gpu_mixed_solve");
    std::vector<GpuSolveRow> rows;
    for (const index_t n : options.sizes) {
        const auto [A, b] = solve_input(n);
        const Tensor<double> Ad = A.to(DEVICE);
        const Tensor<double> bd = b.to(DEVICE);
        // The reference: f64 LU and solve by cuSOLVER (getrf + getrs on a device copy of A).
        Tensor<double> x;
        const double t_ref = best_seconds_warm(
            [&] {
                x = linalg::solve(Ad, bd);
                device_synchronize();
            },
            options.repetitions);
        const Tensor<double> xh = x.to(HOST);
        const double ref_error = backward_error(n, A.cdata(), xh.cdata(), b.cdata());
        for (const std::string& p : options.precisions) {
            linalg::MixedOptions o;
            o.precision = low_precision(p);
            linalg::MixedSolveResult r;
            const double t = best_seconds_warm(
                [&] {
                    r = linalg::solve_mixed(Ad, bd, o);
                    device_synchronize();
                },
                options.repetitions);
            const Tensor<double> rx = r.x.to(HOST);
            GpuSolveRow row;
            row.n = n;
            row.precision = p;
            row.dgetrf_seconds = t_ref;
            row.mixed_seconds = t;
            row.method = linalg::to_string(r.method);
            row.iterations = r.iterations;
            row.dgetrf_backward_error = ref_error;
            row.mixed_backward_error = backward_error(n, A.cdata(), rx.cdata(), b.cdata());
            if (on_row) on_row(row);
            rows.push_back(row);
        }
    }
    return rows;
}

std::vector<GpuFftRow> gpu_fft_fp16split(const GpuFftOptions& options,
                                         const std::function<void(const GpuFftRow&)>& on_row) {
    require_device("bench gpu_fft_fp16split");
    std::vector<GpuFftRow> rows;
    for (const index_t n : options.sizes) {
        const index_t nn = n * n;
        const auto [x, ref] = fft_input(n);
        const Tensor<c64> xg = x.to(DEVICE);
        Tensor<c64> F;
        GpuFftRow row;
        row.n = n;
        // cuFFT f32: a cached plan (made in the warm-up), out of place.
        row.cufft_ms = 1e3 * best_seconds_warm(
                                 [&] {
                                     F = fft::fft2(xg);
                                     device_synchronize();
                                 },
                                 options.repetitions);
        row.cufft_error = rel_err(F.to(HOST).cdata(), ref.cdata(), nn);
        row.split_ms = 1e3 * best_seconds_warm(
                                 [&] {
                                     F = fft::fft2_fp16split(xg);
                                     device_synchronize();
                                 },
                                 options.repetitions);
        row.split_error = rel_err(F.to(HOST).cdata(), ref.cdata(), nn);
        if (on_row) on_row(row);
        rows.push_back(row);
    }
    return rows;
}

std::string title(const GemmOptions& options, const Environment& env) {
    return fmt::format(
        "# batched SGEMM, {} problems, C = A B (row-major, square n), {} OpenMP threads, best of "
        "{}\n# OpenBLAS: {} (OPENBLAS_CORETYPE={}), oneDNN {}, BLIS {}, libxsmm {}\n\n",
        options.problems, env.omp_threads, options.repetitions, env.openblas, coretype_text(env),
        env.onednn, env.blis.value_or("not installed"), env.libxsmm.value_or("not linked in"));
}

std::string title(const SolveOptions& /*options*/, const Environment& env) {
    return fmt::format(
        "# mixed-precision solve (f32 LU + f64 refinement) vs LAPACKE_dgesv, one right-hand "
        "side\n# {} (OPENBLAS_CORETYPE={}), {} threads\n\n",
        env.openblas, coretype_text(env), env.threads);
}

std::string title(const FftOptions& options, const Environment& env) {
    return fmt::format(
        "# 2-D complex FFT, FFTW {} f32 (FFTW_MEASURE, 1 thread, best of {}) vs fft2_fp16split "
        "(CPU emulation, {} OpenMP threads, best of {})\n\n",
        env.fftw, options.fftw_repetitions, env.omp_threads, options.split_repetitions);
}

std::string title(const GpuSolveOptions& options, const Environment& /*env*/) {
    return fmt::format(
        "# GPU mixed-precision solve (cuSOLVER IRS: low-precision LU, f64 refinement) vs the f64 "
        "LU solve (cusolverDnDgetrf + getrs), one right-hand side, best of {}\n# {}\n\n",
        options.repetitions, gpu_text());
}

std::string title(const GpuFftOptions& options, const Environment& /*env*/) {
    return fmt::format(
        "# GPU 2-D complex FFT, cuFFT f32 vs fft2_fp16split (FP16 tensor-core GEMMs), best of "
        "{}; errors against FFTW f64\n# {}\n\n",
        options.repetitions, gpu_text());
}

std::string gemm_markdown_header() {
    return "| n | magmadnn GFLOP/s | cblas_sgemm loop GFLOP/s (best of serial / omp) | "
           "dnnl_sgemm loop GFLOP/s | BLIS loop GFLOP/s | libxsmm GFLOP/s (best of serial / omp) "
           "| vs loop | vs libxsmm |\n"
           "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
}

std::string solve_markdown_header() {
    return "| n | LAPACKE_dgesv s | solve_mixed s | speedup | method | iterations | "
           "dgesv backward error | mixed backward error |\n"
           "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
}

std::string fft_markdown_header() {
    return "| n x n | FFTW f32 ms | FP16-split ms | time ratio (split / FFTW) | FFTW f32 "
           "rel. error | FP16-split rel. error |\n"
           "| --- | --- | --- | --- | --- | --- |\n";
}

std::string gpu_solve_markdown_header() {
    return "| n | low precision | cusolverDnDgetrf + getrs s | solve_mixed s | speedup | method | "
           "iterations | dgetrf backward error | mixed backward error |\n"
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
}

std::string gpu_fft_markdown_header() {
    return "| n x n | cuFFT f32 ms | FP16-split ms | time ratio (split / cuFFT) | cuFFT f32 rel. "
           "error | FP16-split rel. error |\n"
           "| --- | --- | --- | --- | --- | --- |\n";
}

std::string markdown_row(const GpuSolveRow& row) {
    return fmt::format("| {} | {} | {:.4f} | {:.4f} | {:.2f}x | {} | {} | {:.1e} | {:.1e} |\n",
                       row.n, row.precision, row.dgetrf_seconds, row.mixed_seconds, row.speedup(),
                       row.method, row.iterations, row.dgetrf_backward_error,
                       row.mixed_backward_error);
}

std::string markdown_row(const GpuFftRow& row) {
    return fmt::format("| {} | {:.3f} | {:.3f} | {:.2f}x | {:.1e} | {:.1e} |\n", row.n,
                       row.cufft_ms, row.split_ms, row.ratio(), row.cufft_error, row.split_error);
}

std::string markdown_row(const GemmRow& row) {
    return fmt::format("| {} | {:.1f} | {:.1f} ({}) | {:.1f} | {} | {} | {:.2f}x | {} |\n", row.n,
                       row.magmadnn_gflops, row.loop_gflops, row.loop_serial ? "serial" : "omp",
                       row.onednn_loop_gflops, or_na(row.blis_loop_gflops, 1),
                       or_na(row.libxsmm_gflops, 1), row.vs_loop(),
                       or_na(row.vs_libxsmm(), 2, "x"));
}

std::string markdown_row(const SolveRow& row) {
    return fmt::format("| {} | {:.4f} | {:.4f} | {:.2f}x | {} | {} | {:.1e} | {:.1e} |\n", row.n,
                       row.dgesv_seconds, row.mixed_seconds, row.speedup(), row.method,
                       row.iterations, row.dgesv_backward_error, row.mixed_backward_error);
}

std::string markdown_row(const FftRow& row) {
    return fmt::format("| {} | {:.3f} | {:.3f} | {:.1f}x | {:.1e} | {:.1e} |\n", row.n, row.fftw_ms,
                       row.split_ms, row.ratio(), row.fftw_error, row.split_error);
}

}  // namespace magmadnn::bench
