// Linked into every test binary. Before main, MAGMADNN_TEST_ENV ("K=V|K=V|...", the one
// variable CTest can pass to a discovered test, see tests/CMakeLists.txt) is set into the
// process's environment, which the tests and the commands they start then read. A run with
// MAGMADNN_CPU_ISA naming a target this CPU lacks (the per-target reruns that
// tests/CMakeLists.txt registers) skips every test with the reason, instead of failing on the
// library's UnsupportedError.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "magmadnn/core/cpu_isa.h"

namespace {

[[maybe_unused]] const bool test_env_set = [] {
    const char* packed = std::getenv("MAGMADNN_TEST_ENV");
    if (packed == nullptr) return false;
    const std::string all(packed);
    for (std::size_t begin = 0; begin <= all.size();) {
        const std::size_t end = std::min(all.find('|', begin), all.size());
        const std::string entry = all.substr(begin, end - begin);
        const std::size_t eq = entry.find('=');
        if (eq != std::string::npos && eq > 0) {
            setenv(entry.substr(0, eq).c_str(), entry.substr(eq + 1).c_str(), 1);
        }
        begin = end + 1;
    }
    return true;
}();

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
