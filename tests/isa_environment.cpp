// Linked into every test binary: a run with MAGMADNN_CPU_ISA naming a target this CPU lacks (the
// per-target reruns that tests/CMakeLists.txt registers) skips every test with the reason,
// instead of failing on the library's UnsupportedError.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "magmadnn/core/cpu_isa.h"

namespace {

class IsaEnvironment : public ::testing::Environment {
  public:
    void SetUp() override {
        const char* env = std::getenv("MAGMADNN_CPU_ISA");
        if (env == nullptr || *env == '\0') return;
        const auto isa = magmadnn::cpu::parse_isa(env);
        if (!isa) GTEST_FAIL() << "MAGMADNN_CPU_ISA=" << env << ": unknown target";
        if (!magmadnn::cpu::cpu_supports(*isa)) {
            GTEST_SKIP() << "MAGMADNN_CPU_ISA=" << env << ": this CPU cannot run that target";
        }
    }
};

[[maybe_unused]] ::testing::Environment* const registered =
    ::testing::AddGlobalTestEnvironment(new IsaEnvironment);

}  // namespace
