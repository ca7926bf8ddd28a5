#include "magmadnn/core/cpu_isa.h"

#include <fmt/format.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "magmadnn/core/error.h"

namespace magmadnn::cpu {

namespace {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// CPUID leaf 1, ECX bit 29; clang 14's __builtin_cpu_supports does not know "f16c".
bool has_f16c() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    return __get_cpuid(1, &a, &b, &c, &d) != 0 && (c & bit_F16C) != 0;
}
#endif

// -1 until the first active_isa() or set_active_isa().
std::atomic<int> g_active{-1};
std::once_flag g_env_once;

std::string names(const std::vector<Isa>& isas) {
    std::string s;
    for (Isa i : isas) s += (s.empty() ? "" : ", ") + std::string(isa_name(i));
    return s;
}

void check_runnable(Isa isa, std::string_view who) {
    if (!cpu_supports(isa)) {
        throw UnsupportedError(
            fmt::format("{}: this CPU cannot run the {} kernels (targets it supports: {}); ask for "
                        "one of those",
                        who, isa_name(isa), names(supported_isas())));
    }
}

// MAGMADNN_CPU_ISA, or the detected target.
Isa initial_isa() {
    const char* env = std::getenv("MAGMADNN_CPU_ISA");
    if (env == nullptr || *env == '\0') return detected_isa();
    const std::optional<Isa> isa = parse_isa(env);
    if (!isa) {
        throw ValueError(fmt::format("MAGMADNN_CPU_ISA={}: unknown target; this build has {}", env,
                                     names(compiled_isas())));
    }
    check_runnable(*isa, fmt::format("MAGMADNN_CPU_ISA={}", env));
    return *isa;
}

}  // namespace

std::string_view isa_name(Isa isa) {
    switch (isa) {
        case Isa::scalar:
            return "scalar";
        case Isa::avx2:
            return "avx2";
        case Isa::avx512:
            return "avx512";
    }
    return "unknown";
}

std::optional<Isa> parse_isa(std::string_view name) {
    for (Isa i : {Isa::scalar, Isa::avx2, Isa::avx512}) {
        if (name == isa_name(i)) return i;
    }
    return std::nullopt;
}

const std::vector<Isa>& compiled_isas() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    static const std::vector<Isa> isas{Isa::scalar, Isa::avx2, Isa::avx512};
#else
    static const std::vector<Isa> isas{Isa::scalar};
#endif
    return isas;
}

bool cpu_supports(Isa isa) {
    bool compiled = false;
    for (Isa i : compiled_isas()) compiled = compiled || i == isa;
    if (!compiled) return false;
    switch (isa) {
        case Isa::scalar:
            return true;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0)
        case Isa::avx2:
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && has_f16c() &&
                   __builtin_cpu_supports("bmi2");
        case Isa::avx512:
            return cpu_supports(Isa::avx2) && __builtin_cpu_supports("avx512f") &&
                   __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                   __builtin_cpu_supports("avx512vl");
#else
        default:
            return false;
#endif
    }
    return false;
}

std::vector<Isa> supported_isas() {
    std::vector<Isa> out;
    for (Isa i : compiled_isas()) {
        if (cpu_supports(i)) out.push_back(i);
    }
    return out;
}

Isa detected_isa() { return supported_isas().back(); }

Isa active_isa() {
    const int a = g_active.load(std::memory_order_relaxed);
    if (a >= 0) return static_cast<Isa>(a);
    std::call_once(g_env_once, [] {
        int expected = -1;
        g_active.compare_exchange_strong(expected, static_cast<int>(initial_isa()));
    });
    return static_cast<Isa>(g_active.load(std::memory_order_relaxed));
}

void set_active_isa(Isa isa) {
    check_runnable(isa, fmt::format("cpu::set_active_isa({})", isa_name(isa)));
    std::call_once(g_env_once, [] {});  // a later active_isa() must not read the environment
    g_active.store(static_cast<int>(isa), std::memory_order_relaxed);
}

}  // namespace magmadnn::cpu
