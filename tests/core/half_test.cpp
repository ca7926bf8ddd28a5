#include "magmadnn/core/half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using magmadnn::bf16;
using magmadnn::f16;

TEST(Half, ExactValuesRoundTrip) {
    for (float v : {0.0f, 1.0f, -2.0f, 0.5f, 65504.0f, 6.103515625e-05f, 5.9604644775390625e-08f}) {
        EXPECT_EQ(static_cast<float>(f16(v)), v) << v;
    }
}

TEST(Half, RoundsToNearestEven) {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
    EXPECT_EQ(f16(1.0f + 0.00048828125f).bits, f16(1.0f).bits);
    // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 and 1 + 2^-9: goes to 1 + 2^-9 (even).
    EXPECT_EQ(static_cast<float>(f16(1.0f + 3 * 0.00048828125f)), 1.0f + 0.001953125f);
}

TEST(Half, OverflowAndSpecials) {
    EXPECT_TRUE(std::isinf(static_cast<float>(f16(70000.0f))));
    EXPECT_TRUE(std::isinf(static_cast<float>(f16(-std::numeric_limits<float>::infinity()))));
    EXPECT_TRUE(std::isnan(static_cast<float>(f16(std::numeric_limits<float>::quiet_NaN()))));
    EXPECT_EQ(static_cast<float>(f16(1e-9f)), 0.0f);  // below the smallest subnormal
}

TEST(Half, RelativeErrorBound) {
    // Normal-range values keep 11 significant bits: relative error <= 2^-11.
    for (float v = 1e-4f; v < 6e4f; v *= 1.37f) {
        EXPECT_LE(std::fabs(static_cast<float>(f16(v)) - v) / v, 0.00048828125f) << v;
    }
}

TEST(BFloat16, RoundTripAndRounding) {
    EXPECT_EQ(static_cast<float>(bf16(1.0f)), 1.0f);
    EXPECT_EQ(static_cast<float>(bf16(-3.5f)), -3.5f);
    EXPECT_EQ(static_cast<float>(bf16(1.0f + 0.00390625f)), 1.0f);  // tie goes to even
    EXPECT_EQ(static_cast<float>(bf16(1.0f + 3 * 0.00390625f)), 1.015625f);
    for (float v = 1e-30f; v < 1e30f; v *= 3.1f) {
        EXPECT_LE(std::fabs(static_cast<float>(bf16(v)) - v) / v, 0.00390625f) << v;  // 2^-8
    }
    EXPECT_TRUE(std::isnan(static_cast<float>(bf16(std::numeric_limits<float>::quiet_NaN()))));
}
