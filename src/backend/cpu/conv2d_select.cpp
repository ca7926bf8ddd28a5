// The measured choice between the convolution algorithms: a quick timed trial (forward +
// backward-data + backward-weights) of each applicable algorithm whose error against direct
// convolution, on a reduced copy of the problem, is inside its bound. Choices are cached in
// memory and in $XDG_CACHE_HOME/magmadnn/conv_algos.json (written atomically), per element type,
// CPU target, thread count and shape; MAGMADNN_CONV_ALGO overrides them.
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

namespace magmadnn::conv {

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
        // new weights each step, as in training: no algorithm reuses a transformed filter
        w.data()[0] += T(1e-3);
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

template Algo choose<float>(const Shape2d&);
template Algo choose<double>(const Shape2d&);

}  // namespace magmadnn::conv
