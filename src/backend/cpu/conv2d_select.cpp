// Dispatch to the convolution algorithms, and the measured choice between them: a quick timed
// trial (forward + backward-data + backward-weights) of each applicable algorithm whose error
// against direct convolution, on a reduced copy of the problem, is inside its bound. Choices are
// cached in memory and in $XDG_CACHE_HOME/magmadnn/conv_algos.json (written atomically). Tensors
// in GPU memory go to cuDNN (src/backend/cuda/conv2d_cudnn.cpp), which measures its own choice.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "conv2d.h"
#include "magmadnn/backend/threads.h"
#include "magmadnn/core/cpu_isa.h"
#include "magmadnn/core/error.h"
#include "magmadnn/io/atomic_file.h"

#ifdef MAGMADNN_WITH_CUDNN
#include "../cuda/conv2d_cudnn.h"
#endif

namespace magmadnn::conv {

const char* to_string(Algo a) {
    switch (a) {
        case Algo::automatic:
            return "auto";
        case Algo::direct:
            return "direct";
        case Algo::im2col:
            return "im2col";
        case Algo::winograd2:
            return "winograd2";
        case Algo::winograd4:
            return "winograd4";
        case Algo::fft:
            return "fft";
        case Algo::onednn:
            return "onednn";
        case Algo::cudnn:
            return "cudnn";
    }
    return "?";
}

Algo algo_from_string(const std::string& name) {
    for (Algo a : {Algo::automatic, Algo::direct, Algo::im2col, Algo::winograd2, Algo::winograd4,
                   Algo::fft, Algo::onednn, Algo::cudnn}) {
        if (name == to_string(a)) return a;
    }
    throw ValueError(fmt::format(
        "conv: unknown algorithm '{}'; expected auto, direct, im2col, winograd2, winograd4, fft, "
        "onednn or cudnn",
        name));
}

double Shape2d::macs() const {
    return double(n) * double(k) * double(out_h()) * double(out_w()) * double(c / groups) *
           double(r) * double(s);
}

std::string Shape2d::key() const {
    return fmt::format("n{}c{}h{}w{}k{}r{}s{}st{}x{}p{}x{}d{}x{}g{}", n, c, h, w, k, r, s, stride_h,
                       stride_w, pad_h, pad_w, dil_h, dil_w, groups);
}

void Shape2d::validate(const std::string& who) const {
    const std::string desc = fmt::format(
        "input {{{}, {}, {}, {}}}, filter {{{}, {}, {}, {}}}, stride {{{}, {}}}, padding {{{}, "
        "{}}}, dilation {{{}, {}}}, groups {}",
        n, c, h, w, k, groups > 0 ? c / groups : 0, r, s, stride_h, stride_w, pad_h, pad_w, dil_h,
        dil_w, groups);
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || k <= 0 || r <= 0 || s <= 0 || stride_h <= 0 ||
        stride_w <= 0 || pad_h < 0 || pad_w < 0 || dil_h <= 0 || dil_w <= 0 || groups <= 0) {
        throw ShapeError(fmt::format(
            "{}: {}: extents, strides, dilations and groups must be positive, padding >= 0", who,
            desc));
    }
    if (c % groups != 0 || k % groups != 0) {
        throw ShapeError(fmt::format(
            "{}: {}: groups must divide both the input channels ({}) and the output channels "
            "({})",
            who, desc, c, k));
    }
    if (dil_h * (r - 1) + 1 > h + 2 * pad_h || dil_w * (s - 1) + 1 > w + 2 * pad_w) {
        throw ShapeError(fmt::format(
            "{}: {}: the (dilated) kernel {}x{} is larger than the padded input {}x{}; use more "
            "padding or a smaller kernel",
            who, desc, dil_h * (r - 1) + 1, dil_w * (s - 1) + 1, h + 2 * pad_h, w + 2 * pad_w));
    }
}

bool applicable(Algo a, const Shape2d& p, bool is_double) {
    const bool unit =
        p.stride_h == 1 && p.stride_w == 1 && p.dil_h == 1 && p.dil_w == 1 && p.groups == 1;
    switch (a) {
        case Algo::automatic:
        case Algo::cudnn:  // not a host algorithm
            return false;
        case Algo::direct:
        case Algo::im2col:
            return true;
        case Algo::winograd2:
        case Algo::winograd4:
            return unit && p.r == 3 && p.s == 3;
        case Algo::fft:
            return unit;
        case Algo::onednn:
            return !is_double;
    }
    return false;
}

double error_bound(Algo a, bool is_double) {
    switch (a) {
        case Algo::automatic:
        case Algo::direct:
            return is_double ? 1e-14 : 1e-6;
        case Algo::im2col:
        case Algo::onednn:
            return is_double ? 1e-13 : 1e-5;
        case Algo::winograd2:
            return is_double ? 1e-13 : 1e-5;
        case Algo::winograd4:
            return is_double ? 1e-12 : 1e-4;
        case Algo::fft:
            return is_double ? 1e-12 : 1e-4;
        case Algo::cudnn:  // FMA math for f32; includes cuDNN's FFT and Winograd algorithms
            return is_double ? 1e-12 : 1e-4;
    }
    return 0;
}

namespace {

template <typename T>
void require_host(const char* pass, const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>& c) {
    if (a.memory() != HOST || b.memory() != HOST || c.memory() != HOST) {
        throw DeviceError(fmt::format("conv::{}: the tensors must be in HOST memory", pass));
    }
}

template <typename T>
void require_size(const char* pass, const char* what, const Tensor<T>& t, index_t n) {
    if (t.size() != n) {
        throw ShapeError(
            fmt::format("conv::{}: {} has shape {} ({} elements), the problem needs {}", pass, what,
                        magmadnn::to_string(t.shape()), t.size(), n));
    }
}

template <typename T>
void check_args(const char* pass, Algo a, const Shape2d& p, const Tensor<T>& x, const Tensor<T>& w,
                const Tensor<T>& y) {
    p.validate(fmt::format("conv::{}", pass));
    require_host(pass, x, w, y);
    require_size(pass, "the input", x, p.n * p.c * p.h * p.w);
    require_size(pass, "the filter", w, p.k * (p.c / p.groups) * p.r * p.s);
    require_size(pass, "the output", y, p.n * p.k * p.out_h() * p.out_w());
    if (a != Algo::automatic && a != Algo::cudnn && !applicable(a, p, std::is_same_v<T, double>)) {
        throw ValueError(fmt::format(
            "conv::{}: algorithm {} does not apply to {} ({}); winograd needs 3x3 stride 1 "
            "dilation 1 groups 1, fft stride 1 dilation 1 groups 1, onednn f32",
            pass, to_string(a), p.key(), std::is_same_v<T, double> ? "f64" : "f32"));
    }
}

// Whether a pass runs on the GPU: all three tensors in GPU memory (DEVICE, MANAGED,
// CUDA_MANAGED). A mix is an error, as is GPU memory without cuDNN.
template <typename T>
bool on_gpu(const char* pass, const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>& c) {
    const bool ga = a.memory() != HOST, gb = b.memory() != HOST, gc = c.memory() != HOST;
    if (!ga && !gb && !gc) return false;
    if (!(ga && gb && gc)) {
        throw DeviceError(fmt::format(
            "conv::{}: the tensors mix HOST and GPU memory ({}, {}, {}); move them to one side",
            pass, magmadnn::to_string(a.memory()), magmadnn::to_string(b.memory()),
            magmadnn::to_string(c.memory())));
    }
#ifdef MAGMADNN_WITH_CUDNN
    return true;
#else
    throw DeviceError(fmt::format(
        "conv::{}: the tensors are in GPU memory, and this build has no cuDNN; use HOST memory",
        pass));
#endif
}

}  // namespace

template <typename T>
void forward(Algo a, const Shape2d& p, const Tensor<T>& x, const Tensor<T>& w, Tensor<T>& y,
             Tensor<T>* workspace) {
    if (on_gpu("forward", x, w, y)) {  // cuDNN's own choice, whatever `a` names
#ifdef MAGMADNN_WITH_CUDNN
        cudnn::forward(p, x, w, y);
#endif
        return;
    }
    check_args("forward", a, p, x, w, y);
    if (a == Algo::automatic || a == Algo::cudnn) a = choose<T>(p);
    const T* xd = x.cdata();
    const T* wd = w.cdata();
    T* yd = y.data();
    switch (a) {
        case Algo::direct:
            cpu::direct_forward(p, xd, wd, yd);
            return;
        case Algo::winograd2:
        case Algo::winograd4:
            cpu::winograd_forward(a == Algo::winograd2 ? 2 : 4, p, xd, wd, yd);
            return;
        case Algo::fft:
            cpu::fft_forward(p, xd, wd, yd);
            return;
        case Algo::onednn:
            if constexpr (std::is_same_v<T, float>) {
                cpu::onednn_forward(p, xd, wd, yd);
                return;
            }
            break;
        default:
            break;
    }
    T* cols = nullptr;
    if (workspace != nullptr) {
        const index_t need = p.n * p.c * p.r * p.s * p.out_h() * p.out_w();
        if (need <= (index_t(1) << 26)) {
            if (workspace->size() != need) *workspace = Tensor<T>({need}, HOST);
            cols = workspace->data();
        } else {
            *workspace = Tensor<T>();
        }
    }
    cpu::im2col_forward(p, xd, wd, yd, cols);
}

template <typename T>
void backward_data(Algo a, const Shape2d& p, const Tensor<T>& dy, const Tensor<T>& w,
                   Tensor<T>& dx) {
    if (on_gpu("backward_data", dy, w, dx)) {
#ifdef MAGMADNN_WITH_CUDNN
        cudnn::backward_data(p, dy, w, dx);
#endif
        return;
    }
    check_args("backward_data", a, p, dx, w, dy);
    if (a == Algo::automatic || a == Algo::cudnn) a = choose<T>(p);
    const T* dyd = dy.cdata();
    const T* wd = w.cdata();
    T* dxd = dx.data();
    switch (a) {
        case Algo::direct:
            cpu::direct_backward_data(p, dyd, wd, dxd);
            return;
        case Algo::winograd2:
        case Algo::winograd4:
            if (p.pad_h <= 2 && p.pad_w <= 2) {
                cpu::winograd_backward_data(a == Algo::winograd2 ? 2 : 4, p, dyd, wd, dxd);
                return;
            }
            break;  // fallback: im2col
        case Algo::onednn:
            if constexpr (std::is_same_v<T, float>) {
                cpu::onednn_backward_data(p, dyd, wd, dxd);
                return;
            }
            break;
        default:  // fft: fallback im2col
            break;
    }
    cpu::im2col_backward_data(p, dyd, wd, dxd);
}

template <typename T>
void backward_weights(Algo a, const Shape2d& p, const Tensor<T>& x, const Tensor<T>& dy,
                      Tensor<T>& dw, const Tensor<T>* workspace) {
    if (on_gpu("backward_weights", x, dy, dw)) {
#ifdef MAGMADNN_WITH_CUDNN
        cudnn::backward_weights(p, x, dy, dw);
#endif
        return;
    }
    check_args("backward_weights", a, p, x, dw, dy);
    if (a == Algo::automatic || a == Algo::cudnn) a = choose<T>(p);
    const T* xd = x.cdata();
    const T* dyd = dy.cdata();
    T* dwd = dw.data();
    if (a == Algo::direct) {
        cpu::direct_backward_weights(p, xd, dyd, dwd);
        return;
    }
    if ((a == Algo::winograd2 || a == Algo::winograd4) &&
        applicable(a, p, std::is_same_v<T, double>)) {
        cpu::winograd_backward_weights(a == Algo::winograd2 ? 2 : 4, p, xd, dyd, dwd);
        return;
    }
    if constexpr (std::is_same_v<T, float>) {
        if (a == Algo::onednn) {
            cpu::onednn_backward_weights(p, xd, dyd, dwd);
            return;
        }
    }
    const bool reuse = a == Algo::im2col && workspace != nullptr &&
                       workspace->size() == p.n * p.c * p.r * p.s * p.out_h() * p.out_w();
    // im2col, and the fallback of the others
    cpu::im2col_backward_weights(p, xd, dyd, dwd, reuse ? workspace->cdata() : nullptr);
}

// --- the measured choice ---

namespace {

std::mutex cache_mutex;
std::map<std::string, Algo> memory_cache;
bool disk_loaded = false;

std::string cache_file() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0') {
        return (std::filesystem::path(x) / "magmadnn" / "conv_algos.json").string();
    }
    const char* home = std::getenv("HOME");
    return (std::filesystem::path(home != nullptr ? home : ".") / ".cache" / "magmadnn" /
            "conv_algos.json")
        .string();
}

nlohmann::json read_disk(const std::string& path) {
    std::ifstream in(path);
    if (!in) return nlohmann::json::object();
    try {
        nlohmann::json j = nlohmann::json::parse(in);
        if (j.is_object() && j.contains("algorithms") && j["algorithms"].is_object())
            return j["algorithms"];
    } catch (const nlohmann::json::exception&) {
        // a damaged cache is only a cache: measure again and rewrite it
    }
    return nlohmann::json::object();
}

void write_disk(const std::string& key, Algo a) {
    const std::string path = cache_file();
    nlohmann::json algos = read_disk(path);
    algos[key] = to_string(a);
    const nlohmann::json j = {
        {"format", "magmadnn.conv_algos"}, {"version", 1}, {"algorithms", algos}};
    const std::string text = j.dump(2) + "\n";
    try {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        io::write_file_atomic(path, std::as_bytes(std::span(text.data(), text.size())));
    } catch (const std::exception&) {
        // a read-only cache directory costs a re-measurement next run, nothing else
    }
}

// Reads the disk cache into memory once (cache_mutex held).
void load_disk_locked() {
    if (disk_loaded) return;
    disk_loaded = true;
    const nlohmann::json disk = read_disk(cache_file());
    for (auto it = disk.begin(); it != disk.end(); ++it) {
        if (!it->is_string()) continue;
        try {
            memory_cache[it.key()] = algo_from_string(it->get<std::string>());
        } catch (const Error&) {
            // an unknown name (another version's cache): measure again
        }
    }
}

template <typename T>
Tensor<T> random(index_t n, std::uint32_t seed) {
    Tensor<T> t({n}, HOST);
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> d(-1, 1);
    T* p = t.data();
    for (index_t i = 0; i < n; ++i) p[i] = T(d(gen));
    return t;
}

// max |y - ref| / max |ref|
template <typename T>
double rel_error(const Tensor<T>& y, const Tensor<T>& ref) {
    double e = 0, m = 0;
    const T* a = y.cdata();
    const T* b = ref.cdata();
    for (index_t i = 0; i < y.size(); ++i) {
        e = std::max(e, std::fabs(double(a[i]) - double(b[i])));
        m = std::max(m, std::fabs(double(b[i])));
    }
    return m > 0 ? e / m : e;
}

template <typename T>
double time_algo(Algo a, const Shape2d& p) {
    Tensor<T> x = random<T>(p.n * p.c * p.h * p.w, 1);
    Tensor<T> w = random<T>(p.k * (p.c / p.groups) * p.r * p.s, 2);
    Tensor<T> y({p.n * p.k * p.out_h() * p.out_w()}, HOST);
    Tensor<T> dx({x.size()}, HOST), dw({w.size()}, HOST);
    auto step = [&] {
        forward(a, p, x, w, y);
        backward_data(a, p, y, w, dx);
        backward_weights(a, p, x, y, dw);
    };
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    step();  // warm-up: plans, primitives, caches
    const double first = std::chrono::duration<double>(clock::now() - t0).count();
    const int reps = first < 0.01 ? 5 : (first < 0.2 ? 2 : 1);
    double best = first;
    for (int i = 0; i < reps; ++i) {
        t0 = clock::now();
        step();
        best = std::min(best, std::chrono::duration<double>(clock::now() - t0).count());
    }
    return best;
}

template <typename T>
bool accurate(Algo a, const Shape2d& p) {
    Shape2d q = p;  // a reduced copy: one image, small planes
    q.n = 1;
    q.h = std::min(p.h, 2 * p.pad_h + (p.r - 1) * p.dil_h + 1 + 8);
    q.w = std::min(p.w, 2 * p.pad_w + (p.s - 1) * p.dil_w + 1 + 8);
    const bool dbl = std::is_same_v<T, double>;
    if (!applicable(a, q, dbl)) return false;
    Tensor<T> x = random<T>(q.n * q.c * q.h * q.w, 3);
    Tensor<T> w = random<T>(q.k * (q.c / q.groups) * q.r * q.s, 4);
    Tensor<T> y({q.n * q.k * q.out_h() * q.out_w()}, HOST), ref({y.size()}, HOST);
    forward(Algo::direct, q, x, w, ref);
    forward(a, q, x, w, y);
    return rel_error(y, ref) <= error_bound(a, dbl);
}

template <typename T>
Algo measure(const Shape2d& p) {
    const bool dbl = std::is_same_v<T, double>;
    Algo best = Algo::im2col;
    double best_time = 1e300;
    for (Algo a :
         {Algo::im2col, Algo::onednn, Algo::winograd2, Algo::winograd4, Algo::fft, Algo::direct}) {
        if (!applicable(a, p, dbl)) continue;
        if (a == Algo::direct && p.macs() > 2e7) continue;  // the reference: only when tiny
        if (a == Algo::fft && p.macs() > 2e9) continue;     // keep trials quick
        if (a != Algo::direct && a != Algo::im2col && !accurate<T>(a, p)) continue;
        const double t = time_algo<T>(a, p);
        if (t < best_time) {
            best_time = t;
            best = a;
        }
    }
    return best;
}

}  // namespace

std::string cache_path() { return cache_file(); }

std::map<std::string, Algo> cached_choices() {
    std::lock_guard lock(cache_mutex);
    load_disk_locked();
    return memory_cache;
}

void clear_memory_cache() {
    std::lock_guard lock(cache_mutex);
    memory_cache.clear();
    disk_loaded = false;
}

template <typename T>
Algo choose(const Shape2d& p) {
    const bool dbl = std::is_same_v<T, double>;
    if (const char* env = std::getenv("MAGMADNN_CONV_ALGO"); env != nullptr && *env != '\0') {
        const Algo a = algo_from_string(env);
        // cudnn names the GPU path: on the host it means measure, as auto
        if (a != Algo::automatic && a != Algo::cudnn)
            return applicable(a, p, dbl) ? a : Algo::im2col;
    }
    const std::string key =
        fmt::format("{}|cpu-{}|t{}|{}", dbl ? "f64" : "f32",
                    magmadnn::cpu::isa_name(magmadnn::cpu::active_isa()), num_threads(), p.key());
    {
        std::lock_guard lock(cache_mutex);
        load_disk_locked();
        if (auto it = memory_cache.find(key); it != memory_cache.end()) {
            if (applicable(it->second, p, dbl)) return it->second;
        }
    }
    const Algo a = measure<T>(p);
    std::lock_guard lock(cache_mutex);
    memory_cache[key] = a;
    write_disk(key, a);
    return a;
}

#define MAGMADNN_INSTANTIATE(T)                                                                    \
    template void forward<T>(Algo, const Shape2d&, const Tensor<T>&, const Tensor<T>&, Tensor<T>&, \
                             Tensor<T>*);                                                          \
    template void backward_data<T>(Algo, const Shape2d&, const Tensor<T>&, const Tensor<T>&,       \
                                   Tensor<T>&);                                                    \
    template void backward_weights<T>(Algo, const Shape2d&, const Tensor<T>&, const Tensor<T>&,    \
                                      Tensor<T>&, const Tensor<T>*);                               \
    template Algo choose<T>(const Shape2d&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv
