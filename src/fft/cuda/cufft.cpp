#include "cufft.h"

#include <cufft.h>
#include <fmt/format.h>

#include <limits>
#include <map>
#include <mutex>
#include <tuple>

#include "core/cuda_check.h"
#include "magmadnn/core/error.h"

namespace magmadnn::fft::cuda {

namespace {

void check(cufftResult r, const char* what) {
    if (r != CUFFT_SUCCESS) {
        throw DeviceError(
            fmt::format("fft: {} failed (cufftResult {})", what, static_cast<int>(r)));
    }
}

// A plan belongs to the device that was current when it was made: the device is part of the key.
using Key = std::tuple<int, cufftType, std::vector<int>, int>;

struct Cache {
    std::mutex mutex;
    std::map<Key, cufftHandle> plans;
};
Cache& cache() {
    static Cache* c = new Cache;
    return *c;
}

// Elements of one transform; cuFFT's plans (cufftPlanMany) count them in int.
int product(const std::vector<int>& v) {
    long long p = 1;
    for (int x : v) p *= x;
    if (p > std::numeric_limits<int>::max()) {
        throw UnsupportedError(fmt::format(
            "fft: a transform of {} elements is more than cuFFT's 32-bit plans take (2^31 - 1)",
            p));
    }
    return static_cast<int>(p);
}

// The cached plan for these sizes; the caller holds the cache's lock.
cufftHandle get_plan(Cache& c, cufftType type, const std::vector<int>& dims, int batch) {
    const Key key{magmadnn::detail::current_device("fft: cuFFT plan"), type, dims, batch};
    if (auto it = c.plans.find(key); it != c.plans.end()) return it->second;
    const int real = product(dims);
    const int half = real / dims.back() * (dims.back() / 2 + 1);
    const bool r2c = type == CUFFT_R2C || type == CUFFT_D2Z;
    const bool c2r = type == CUFFT_C2R || type == CUFFT_Z2D;
    std::vector<int> n = dims;
    cufftHandle h = 0;
    check(cufftPlanMany(&h, static_cast<int>(n.size()), n.data(), nullptr, 1, c2r ? half : real,
                        nullptr, 1, r2c ? half : real, type, batch),
          "cufftPlanMany");
    c.plans.emplace(key, h);
    return h;
}

// Runs exec(plan) under the cache's lock: a plan and its work area serve one call at a time (two
// host threads must not run one plan at once, nor clear_plans() destroy it mid-call), and exec
// only enqueues the transform on the stream.
template <typename Exec>
void with_plan(cufftType type, const std::vector<int>& dims, int batch, Exec&& exec) {
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    exec(get_plan(c, type, dims, batch));
}

}  // namespace

template <>
void c2c<float>(const std::vector<int>& dims, int batch, const std::complex<float>* in,
                std::complex<float>* out, bool inverse) {
    with_plan(CUFFT_C2C, dims, batch, [&](cufftHandle h) {
        check(cufftExecC2C(h, reinterpret_cast<cufftComplex*>(const_cast<std::complex<float>*>(in)),
                           reinterpret_cast<cufftComplex*>(out),
                           inverse ? CUFFT_INVERSE : CUFFT_FORWARD),
              "cufftExecC2C");
    });
}
template <>
void c2c<double>(const std::vector<int>& dims, int batch, const std::complex<double>* in,
                 std::complex<double>* out, bool inverse) {
    with_plan(CUFFT_Z2Z, dims, batch, [&](cufftHandle h) {
        check(cufftExecZ2Z(
                  h, reinterpret_cast<cufftDoubleComplex*>(const_cast<std::complex<double>*>(in)),
                  reinterpret_cast<cufftDoubleComplex*>(out),
                  inverse ? CUFFT_INVERSE : CUFFT_FORWARD),
              "cufftExecZ2Z");
    });
}
template <>
void r2c<float>(const std::vector<int>& dims, int batch, const float* in,
                std::complex<float>* out) {
    with_plan(CUFFT_R2C, dims, batch, [&](cufftHandle h) {
        check(cufftExecR2C(h, const_cast<float*>(in), reinterpret_cast<cufftComplex*>(out)),
              "cufftExecR2C");
    });
}
template <>
void r2c<double>(const std::vector<int>& dims, int batch, const double* in,
                 std::complex<double>* out) {
    with_plan(CUFFT_D2Z, dims, batch, [&](cufftHandle h) {
        check(cufftExecD2Z(h, const_cast<double*>(in), reinterpret_cast<cufftDoubleComplex*>(out)),
              "cufftExecD2Z");
    });
}
template <>
void c2r<float>(const std::vector<int>& dims, int batch, std::complex<float>* in, float* out) {
    with_plan(CUFFT_C2R, dims, batch, [&](cufftHandle h) {
        check(cufftExecC2R(h, reinterpret_cast<cufftComplex*>(in), out), "cufftExecC2R");
    });
}
template <>
void c2r<double>(const std::vector<int>& dims, int batch, std::complex<double>* in, double* out) {
    with_plan(CUFFT_Z2D, dims, batch, [&](cufftHandle h) {
        check(cufftExecZ2D(h, reinterpret_cast<cufftDoubleComplex*>(in), out), "cufftExecZ2D");
    });
}

void clear_plans() {
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    for (auto& [key, h] : c.plans) {
        const magmadnn::detail::DeviceGuard on(std::get<0>(key));
        cufftDestroy(h);
    }
    c.plans.clear();
}

std::size_t plan_count() {
    std::lock_guard lock(cache().mutex);
    return cache().plans.size();
}

}  // namespace magmadnn::fft::cuda
