#include "magmadnn/core/cpu_isa.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "magmadnn/core/error.h"

using namespace magmadnn;
using cpu::Isa;

TEST(CpuIsa, NamesRoundTrip) {
    for (Isa i : cpu::compiled_isas()) EXPECT_EQ(cpu::parse_isa(cpu::isa_name(i)), i);
    EXPECT_FALSE(cpu::parse_isa("sse1").has_value());
    EXPECT_FALSE(cpu::parse_isa("").has_value());
}

TEST(CpuIsa, ScalarIsAlwaysThereAndDetectedIsTheBestSupported) {
    const auto& compiled = cpu::compiled_isas();
    ASSERT_FALSE(compiled.empty());
    EXPECT_EQ(compiled.front(), Isa::scalar);
    EXPECT_TRUE(cpu::cpu_supports(Isa::scalar));
    const auto supported = cpu::supported_isas();
    EXPECT_TRUE(std::is_sorted(supported.begin(), supported.end()));
    EXPECT_EQ(cpu::detected_isa(), supported.back());
    // a target implies the lower ones
    for (Isa i : compiled) {
        if (cpu::cpu_supports(i)) {
            for (Isa j : compiled) {
                if (j < i) {
                    EXPECT_TRUE(cpu::cpu_supports(j));
                }
            }
        }
    }
}

TEST(CpuIsa, ScopedIsaSetsAndRestores) {
    const Isa before = cpu::active_isa();
    for (Isa i : cpu::supported_isas()) {
        cpu::ScopedIsa scope(i);
        EXPECT_EQ(cpu::active_isa(), i);
    }
    EXPECT_EQ(cpu::active_isa(), before);
}

TEST(CpuIsa, UnsupportedTargetIsAnErrorNamingTheSupportedOnes) {
    for (Isa i : {Isa::scalar, Isa::avx2, Isa::avx512}) {
        if (cpu::cpu_supports(i)) continue;
        try {
            cpu::set_active_isa(i);
            FAIL() << "set_active_isa(" << cpu::isa_name(i) << ") did not throw";
        } catch (const UnsupportedError& e) {
            EXPECT_NE(std::string(e.what()).find("targets it supports: scalar"), std::string::npos)
                << e.what();
        }
    }
}

// CTest passes a discovered test one variable, MAGMADNN_TEST_ENV, which tests/isa_environment.cpp
// unpacks: the fixed choices and, in the per-target reruns, the target reach the library.
TEST(TestEnvironment, CTestsVariablesReachTheProcess) {
    if (std::getenv("MAGMADNN_TEST_ENV") == nullptr) GTEST_SKIP() << "not run by CTest";
    ASSERT_NE(std::getenv("MAGMADNN_CONV_ALGO"), nullptr);
    EXPECT_STREQ(std::getenv("MAGMADNN_CONV_ALGO"), "im2col");
    EXPECT_STREQ(std::getenv("MAGMADNN_GEMM_BATCHED"), "own");
    if (const char* isa = std::getenv("MAGMADNN_CPU_ISA")) {
        EXPECT_EQ(cpu::isa_name(cpu::active_isa()), std::string(isa));
    }
}
