// MAGMADNN_HOST_MEMORY_LIMIT caps the bytes HOST tensors hold at once. The library reads it at
// the first HOST allocation, so this binary sets it before main.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "magmadnn/core/error.h"
#include "magmadnn/core/tensor.h"

using namespace magmadnn;

namespace {

const int limit_set = ::setenv("MAGMADNN_HOST_MEMORY_LIMIT", "64M", 1);

}  // namespace

TEST(HostMemoryLimit, RefusesPastTheLimitAndCountsFreedMemory) {
    ASSERT_EQ(limit_set, 0);
    const index_t n = index_t{10} << 20;  // 40 MB of floats
    {
        const Tensor<float> a({n}, HOST);
        try {
            const Tensor<float> b({n}, HOST);
            FAIL() << "expected an Error past the limit";
        } catch (const Error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("over MAGMADNN_HOST_MEMORY_LIMIT=67108864"), std::string::npos)
                << msg;
        }
    }
    // the first tensor's memory was given back
    const Tensor<float> c({n}, HOST);
    EXPECT_EQ(c.size(), n);
}

TEST(HostMemoryLimit, ShapesBeyondTheAddressSpace) {
    EXPECT_THROW(Tensor<float>({index_t{1} << 40, index_t{1} << 40}, HOST), ValueError);
    EXPECT_THROW(Tensor<float>({index_t{1} << 62}, HOST), ValueError);
    const Tensor<float> empty({index_t{1} << 62, 8, 0}, HOST);  // no elements, no overflow
    EXPECT_EQ(empty.size(), 0);
}
