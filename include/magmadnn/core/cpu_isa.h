#pragma once
// The CPU instruction-set targets of the hand-written kernels. Every SIMD kernel is compiled once
// per target into the same library and chosen at run time from what the CPU reports, so one
// binary runs the AVX-512 kernels on an AVX-512 machine and the AVX2 ones elsewhere.
//
// MAGMADNN_CPU_ISA=scalar|avx2|avx512 in the environment forces a lower target (for tests and
// comparisons); asking for one this CPU lacks is an UnsupportedError naming those it has.

#include <optional>
#include <string_view>
#include <vector>

namespace magmadnn::cpu {

// Ordered: a higher target implies the lower ones.
//   scalar  portable C++ at the build's baseline (x86-64-v2 on x86: SSE4.2)
//   avx2    AVX2 + FMA + F16C (x86-64-v3)
//   avx512  AVX-512 F/BW/DQ/VL on top of avx2 (x86-64-v4)
enum class Isa : int { scalar = 0, avx2 = 1, avx512 = 2 };

std::string_view isa_name(Isa isa);
// The target named `name`, or nothing for an unknown name.
std::optional<Isa> parse_isa(std::string_view name);

// The targets built into this library, lowest first.
const std::vector<Isa>& compiled_isas();
// Whether this CPU (and its operating system) can run the target's instructions.
bool cpu_supports(Isa isa);
// The compiled targets this CPU can run, lowest first.
std::vector<Isa> supported_isas();
// The best compiled target this CPU runs.
Isa detected_isa();

// The target the kernels use now: MAGMADNN_CPU_ISA when set (read once), else detected_isa().
Isa active_isa();
// Makes `isa` the active target for the whole process; throws UnsupportedError if this CPU or
// build lacks it. Not for use while kernels run on other threads.
void set_active_isa(Isa isa);

// Sets the active target for a scope and restores the previous one (tests walk the targets).
class ScopedIsa {
  public:
    explicit ScopedIsa(Isa isa) : previous_(active_isa()) { set_active_isa(isa); }
    ~ScopedIsa() { set_active_isa(previous_); }
    ScopedIsa(const ScopedIsa&) = delete;
    ScopedIsa& operator=(const ScopedIsa&) = delete;

  private:
    Isa previous_;
};

}  // namespace magmadnn::cpu
