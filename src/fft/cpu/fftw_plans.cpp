#include "fftw_plans.h"

#include <fftw3.h>
#include <fmt/format.h>

#include <map>
#include <mutex>
#include <tuple>

#include "magmadnn/core/error.h"

namespace magmadnn::fft::cpu {

namespace {

enum class Kind { c2c_forward, c2c_inverse, r2c, c2r };

template <typename T>
struct Fftw;
template <>
struct Fftw<float> {
    using plan = fftwf_plan;
    using cpx = fftwf_complex;
    static void* alloc(std::size_t bytes) { return fftwf_malloc(bytes); }
    static void release(void* p) { fftwf_free(p); }
    static void destroy(plan p) { fftwf_destroy_plan(p); }
    static int alignment(const void* p) {
        return fftwf_alignment_of(static_cast<float*>(const_cast<void*>(p)));
    }
    static plan many_c2c(int rank, const int* n, int howmany, cpx* in, int idist, cpx* out,
                         int odist, int sign, unsigned flags) {
        return fftwf_plan_many_dft(rank, n, howmany, in, nullptr, 1, idist, out, nullptr, 1, odist,
                                   sign, flags);
    }
    static plan many_r2c(int rank, const int* n, int howmany, float* in, int idist, cpx* out,
                         int odist, unsigned flags) {
        return fftwf_plan_many_dft_r2c(rank, n, howmany, in, nullptr, 1, idist, out, nullptr, 1,
                                       odist, flags);
    }
    static plan many_c2r(int rank, const int* n, int howmany, cpx* in, int idist, float* out,
                         int odist, unsigned flags) {
        return fftwf_plan_many_dft_c2r(rank, n, howmany, in, nullptr, 1, idist, out, nullptr, 1,
                                       odist, flags);
    }
    static void run_c2c(plan p, cpx* in, cpx* out) { fftwf_execute_dft(p, in, out); }
    static void run_r2c(plan p, float* in, cpx* out) { fftwf_execute_dft_r2c(p, in, out); }
    static void run_c2r(plan p, cpx* in, float* out) { fftwf_execute_dft_c2r(p, in, out); }
};
template <>
struct Fftw<double> {
    using plan = fftw_plan;
    using cpx = fftw_complex;
    static void* alloc(std::size_t bytes) { return fftw_malloc(bytes); }
    static void release(void* p) { fftw_free(p); }
    static void destroy(plan p) { fftw_destroy_plan(p); }
    static int alignment(const void* p) {
        return fftw_alignment_of(static_cast<double*>(const_cast<void*>(p)));
    }
    static plan many_c2c(int rank, const int* n, int howmany, cpx* in, int idist, cpx* out,
                         int odist, int sign, unsigned flags) {
        return fftw_plan_many_dft(rank, n, howmany, in, nullptr, 1, idist, out, nullptr, 1, odist,
                                  sign, flags);
    }
    static plan many_r2c(int rank, const int* n, int howmany, double* in, int idist, cpx* out,
                         int odist, unsigned flags) {
        return fftw_plan_many_dft_r2c(rank, n, howmany, in, nullptr, 1, idist, out, nullptr, 1,
                                      odist, flags);
    }
    static plan many_c2r(int rank, const int* n, int howmany, cpx* in, int idist, double* out,
                         int odist, unsigned flags) {
        return fftw_plan_many_dft_c2r(rank, n, howmany, in, nullptr, 1, idist, out, nullptr, 1,
                                      odist, flags);
    }
    static void run_c2c(plan p, cpx* in, cpx* out) { fftw_execute_dft(p, in, out); }
    static void run_r2c(plan p, double* in, cpx* out) { fftw_execute_dft_r2c(p, in, out); }
    static void run_c2r(plan p, cpx* in, double* out) { fftw_execute_dft_c2r(p, in, out); }
};

using Key =
    std::tuple<int, Kind, std::vector<int>, int, bool>;  // bytes of T, kind, dims, batch, aligned

struct Cache {
    std::mutex mutex;  // FFTW's planner is not thread-safe
    std::map<Key, void*> plans;
    bool measure = false;
};
Cache& cache() {
    static Cache* c = new Cache;  // never destroyed: plans may be in use during static teardown
    return *c;
}

int product(const std::vector<int>& v) {
    int p = 1;
    for (int x : v) p *= x;
    return p;
}

// Elements per transform on each side.
std::pair<int, int> dists(Kind kind, const std::vector<int>& dims) {
    const int real = product(dims);
    const int half = real / dims.back() * (dims.back() / 2 + 1);
    switch (kind) {
        case Kind::r2c:
            return {real, half};
        case Kind::c2r:
            return {half, real};
        default:
            return {real, real};
    }
}

template <typename T>
typename Fftw<T>::plan get_plan(Kind kind, const std::vector<int>& dims, int batch, bool aligned) {
    using F = Fftw<T>;
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    const Key key{static_cast<int>(sizeof(T)), kind, dims, batch, aligned};
    if (auto it = c.plans.find(key); it != c.plans.end()) {
        return static_cast<typename F::plan>(it->second);
    }
    const auto [idist, odist] = dists(kind, dims);
    const std::size_t bytes_in =
        static_cast<std::size_t>(idist) * batch * (kind == Kind::r2c ? sizeof(T) : 2 * sizeof(T));
    const std::size_t bytes_out =
        static_cast<std::size_t>(odist) * batch * (kind == Kind::c2r ? sizeof(T) : 2 * sizeof(T));
    void* in = F::alloc(bytes_in > 0 ? bytes_in : 16);
    void* out = F::alloc(bytes_out > 0 ? bytes_out : 16);
    unsigned flags = c.measure ? FFTW_MEASURE : FFTW_ESTIMATE;
    if (!aligned) flags |= FFTW_UNALIGNED;
    const int rank = static_cast<int>(dims.size());
    typename F::plan p = nullptr;
    using cpx = typename F::cpx;
    switch (kind) {
        case Kind::c2c_forward:
        case Kind::c2c_inverse:
            p = F::many_c2c(rank, dims.data(), batch, static_cast<cpx*>(in), idist,
                            static_cast<cpx*>(out), odist,
                            kind == Kind::c2c_forward ? FFTW_FORWARD : FFTW_BACKWARD, flags);
            break;
        case Kind::r2c:
            p = F::many_r2c(rank, dims.data(), batch, static_cast<T*>(in), idist,
                            static_cast<cpx*>(out), odist, flags);
            break;
        case Kind::c2r:
            p = F::many_c2r(rank, dims.data(), batch, static_cast<cpx*>(in), idist,
                            static_cast<T*>(out), odist, flags);
            break;
    }
    F::release(in);
    F::release(out);
    if (p == nullptr) {
        throw Error(fmt::format(
            "fft: FFTW could not plan a transform of sizes [{}] x {} batch",
            dims.size() == 1 ? std::to_string(dims[0]) : fmt::format("{}, {}", dims[0], dims[1]),
            batch));
    }
    c.plans.emplace(key, static_cast<void*>(p));
    return p;
}

template <typename T>
bool aligned(const void* a, const void* b) {
    return Fftw<T>::alignment(a) == 0 && Fftw<T>::alignment(b) == 0;
}

}  // namespace

template <typename T>
void c2c(const std::vector<int>& dims, int batch, const std::complex<T>* in, std::complex<T>* out,
         bool inverse) {
    using F = Fftw<T>;
    if (batch == 0 || product(dims) == 0) return;
    const auto p = get_plan<T>(inverse ? Kind::c2c_inverse : Kind::c2c_forward, dims, batch,
                               aligned<T>(in, out));
    F::run_c2c(p, reinterpret_cast<typename F::cpx*>(const_cast<std::complex<T>*>(in)),
               reinterpret_cast<typename F::cpx*>(out));
}

template <typename T>
void r2c(const std::vector<int>& dims, int batch, const T* in, std::complex<T>* out) {
    using F = Fftw<T>;
    if (batch == 0 || product(dims) == 0) return;
    const auto p = get_plan<T>(Kind::r2c, dims, batch, aligned<T>(in, out));
    F::run_r2c(p, const_cast<T*>(in), reinterpret_cast<typename F::cpx*>(out));
}

template <typename T>
void c2r(const std::vector<int>& dims, int batch, std::complex<T>* in, T* out) {
    using F = Fftw<T>;
    if (batch == 0 || product(dims) == 0) return;
    const auto p = get_plan<T>(Kind::c2r, dims, batch, aligned<T>(in, out));
    F::run_c2r(p, reinterpret_cast<typename F::cpx*>(in), out);
}

void set_measure(bool measure) {
    std::lock_guard lock(cache().mutex);
    cache().measure = measure;
}

void clear_plans() {
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    for (auto& [key, p] : c.plans) {
        if (std::get<0>(key) == sizeof(float)) {
            Fftw<float>::destroy(static_cast<fftwf_plan>(p));
        } else {
            Fftw<double>::destroy(static_cast<fftw_plan>(p));
        }
    }
    c.plans.clear();
}

std::size_t plan_count() {
    std::lock_guard lock(cache().mutex);
    return cache().plans.size();
}

template void c2c<float>(const std::vector<int>&, int, const std::complex<float>*,
                         std::complex<float>*, bool);
template void c2c<double>(const std::vector<int>&, int, const std::complex<double>*,
                          std::complex<double>*, bool);
template void r2c<float>(const std::vector<int>&, int, const float*, std::complex<float>*);
template void r2c<double>(const std::vector<int>&, int, const double*, std::complex<double>*);
template void c2r<float>(const std::vector<int>&, int, std::complex<float>*, float*);
template void c2r<double>(const std::vector<int>&, int, std::complex<double>*, double*);

}  // namespace magmadnn::fft::cpu
