#include "cufft.h"

#include <cufft.h>
#include <fmt/format.h>

#include <map>
#include <mutex>
#include <tuple>

#include "magmadnn/core/error.h"

namespace magmadnn::fft::cuda {

namespace {

void check(cufftResult r, const char* what) {
    if (r != CUFFT_SUCCESS) {
        throw DeviceError(
            fmt::format("fft: {} failed (cufftResult {})", what, static_cast<int>(r)));
    }
}

using Key = std::tuple<cufftType, std::vector<int>, int>;

struct Cache {
    std::mutex mutex;
    std::map<Key, cufftHandle> plans;
};
Cache& cache() {
    static Cache* c = new Cache;
    return *c;
}

int product(const std::vector<int>& v) {
    int p = 1;
    for (int x : v) p *= x;
    return p;
}

cufftHandle get_plan(cufftType type, const std::vector<int>& dims, int batch) {
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    const Key key{type, dims, batch};
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

}  // namespace

template <>
void c2c<float>(const std::vector<int>& dims, int batch, const std::complex<float>* in,
                std::complex<float>* out, bool inverse) {
    check(
        cufftExecC2C(get_plan(CUFFT_C2C, dims, batch),
                     reinterpret_cast<cufftComplex*>(const_cast<std::complex<float>*>(in)),
                     reinterpret_cast<cufftComplex*>(out), inverse ? CUFFT_INVERSE : CUFFT_FORWARD),
        "cufftExecC2C");
}
template <>
void c2c<double>(const std::vector<int>& dims, int batch, const std::complex<double>* in,
                 std::complex<double>* out, bool inverse) {
    check(cufftExecZ2Z(get_plan(CUFFT_Z2Z, dims, batch),
                       reinterpret_cast<cufftDoubleComplex*>(const_cast<std::complex<double>*>(in)),
                       reinterpret_cast<cufftDoubleComplex*>(out),
                       inverse ? CUFFT_INVERSE : CUFFT_FORWARD),
          "cufftExecZ2Z");
}
template <>
void r2c<float>(const std::vector<int>& dims, int batch, const float* in,
                std::complex<float>* out) {
    check(cufftExecR2C(get_plan(CUFFT_R2C, dims, batch), const_cast<float*>(in),
                       reinterpret_cast<cufftComplex*>(out)),
          "cufftExecR2C");
}
template <>
void r2c<double>(const std::vector<int>& dims, int batch, const double* in,
                 std::complex<double>* out) {
    check(cufftExecD2Z(get_plan(CUFFT_D2Z, dims, batch), const_cast<double*>(in),
                       reinterpret_cast<cufftDoubleComplex*>(out)),
          "cufftExecD2Z");
}
template <>
void c2r<float>(const std::vector<int>& dims, int batch, std::complex<float>* in, float* out) {
    check(cufftExecC2R(get_plan(CUFFT_C2R, dims, batch), reinterpret_cast<cufftComplex*>(in), out),
          "cufftExecC2R");
}
template <>
void c2r<double>(const std::vector<int>& dims, int batch, std::complex<double>* in, double* out) {
    check(cufftExecZ2D(get_plan(CUFFT_Z2D, dims, batch), reinterpret_cast<cufftDoubleComplex*>(in),
                       out),
          "cufftExecZ2D");
}

void clear_plans() {
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    for (auto& [key, h] : c.plans) cufftDestroy(h);
    c.plans.clear();
}

std::size_t plan_count() {
    std::lock_guard lock(cache().mutex);
    return cache().plans.size();
}

}  // namespace magmadnn::fft::cuda
