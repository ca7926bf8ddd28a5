// Every memory-type pair, MANAGED synchronisation and the caching allocator. Pairs involving
// GPU memory need a device and skip without one.
#include <gtest/gtest.h>

#include <complex>
#include <memory>
#include <vector>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

namespace {
const memory_t kAll[] = {HOST, DEVICE, MANAGED, CUDA_MANAGED};
}

TEST(Memory, HostToHostCopy) {
    Tensor<float> a = test::random_tensor<float>({17, 3}, 1);
    Tensor<float> b({17, 3}, HOST);
    b.copy_from(a);
    EXPECT_EQ(a.to_vector(), b.to_vector());
}

TEST(Memory, EveryPairRoundTrips) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const Tensor<double> ref = test::random_tensor<double>({33, 5}, 2);
    for (memory_t from : kAll) {
        for (memory_t to : kAll) {
            Tensor<double> src = ref.to(from, true);
            Tensor<double> dst({33, 5}, to);
            dst.copy_from(src);
            EXPECT_EQ(dst.to_vector(), ref.to_vector())
                << to_string(from) << " -> " << to_string(to);
            // views at an offset copy too
            Tensor<double> part({10, 5}, to);
            part.copy_from(src.slice(20, 30));
            EXPECT_EQ(part.get({3, 4}), ref.get({23, 4}));
        }
    }
}

TEST(Memory, ManagedHostWriteIsSeenOnDeviceAndBack) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    Tensor<float> m({4, 4}, MANAGED);
    m.set({1, 2}, 3.0f);  // host write: device copy now stale
    Tensor<float> out({4, 4}, MANAGED);
    math::unary(math::UnaryOp::mul_scalar, m, out, 2.0f);  // runs on the device copies
    EXPECT_EQ(out.get({1, 2}), 6.0f);                      // host read syncs from the device
    EXPECT_FALSE(out.storage()->host_valid() && !out.storage()->device_valid());
    out.set({0, 0}, 1.0f);  // host write after a device write
    math::unary(math::UnaryOp::add_scalar, out, m, 1.0f);
    EXPECT_EQ(m.get({0, 0}), 2.0f);
    EXPECT_EQ(m.get({1, 2}), 7.0f);
}

TEST(Memory, CudaManagedIsOnePointer) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    Tensor<float> t({8}, CUDA_MANAGED);
    t.set({3}, 1.5f);
    math::unary(math::UnaryOp::square, t, t);
    EXPECT_EQ(t.get({3}), 2.25f);
    EXPECT_EQ(static_cast<const void*>(t.cdata()), static_cast<const void*>(t.cdevice_data()));
}

TEST(Memory, CachingAllocatorReusesBlocks) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    device_empty_cache();
    { Tensor<float> a({1000}, DEVICE); }
    const auto calls = device_cache_stats().cuda_malloc_calls;
    { Tensor<float> b({1000}, DEVICE); }
    EXPECT_EQ(device_cache_stats().cuda_malloc_calls, calls);
    EXPECT_GT(device_cache_stats().cached_bytes, 0u);
}

// Blocks, library handles and FFT plans belong to the GPU they were made on: after switching
// GPUs, none made on the first is handed out on the second (needs two GPUs).
TEST(Memory, DeviceCachesAreKeptPerGpu) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    if (device_count() < 2) GTEST_SKIP() << "needs two GPUs";
    const auto x = test::random_tensor<float>({4096}, 7);
    struct Restore {
        ~Restore() { use_device_for_local_rank(0); }
    } restore;
    use_device_for_local_rank(0);
    device_empty_cache();
    std::vector<fft::c64> s0;
    {
        const Tensor<float> d0 = x.to(DEVICE);
        EXPECT_FLOAT_EQ(linalg::dot(d0, d0), linalg::dot(x, x));
        s0 = fft::fft(d0).to_vector();
    }
    const auto calls = device_cache_stats().cuda_malloc_calls;
    const std::size_t plans = fft::plan_cache_size();
    use_device_for_local_rank(1);
    const Tensor<float> d1 = x.to(DEVICE);  // device 0 holds a free block of this size
    EXPECT_GT(device_cache_stats().cuda_malloc_calls, calls);
    EXPECT_FLOAT_EQ(linalg::dot(d1, d1), linalg::dot(x, x));    // device 1's cuBLAS handle
    const std::vector<fft::c64> s1 = fft::fft(d1).to_vector();  // device 1's cuFFT plan
    EXPECT_EQ(fft::plan_cache_size(), plans + 1);
    ASSERT_EQ(s1.size(), s0.size());
    for (std::size_t i = 0; i < s0.size(); ++i) EXPECT_LT(std::abs(s1[i] - s0[i]), 1e-3f) << i;
}

TEST(Memory, HostPointerOfDeviceMemoryIsAnError) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    Tensor<float> d({4}, DEVICE);
    EXPECT_THROW(d.data(), DeviceError);
    Tensor<float> h({4}, HOST);
    EXPECT_THROW(h.device_data(), DeviceError);
}

TEST(Memory, BorrowedHostMemoryIsSharedAndItsOwnerKeptAlive) {
    auto block = std::make_shared<std::vector<float>>(12, 0.0f);
    std::weak_ptr<std::vector<float>> watch = block;
    {
        auto storage = Storage::borrow(block->data(), block->size() * sizeof(float), HOST, block);
        block.reset();
        ASSERT_FALSE(watch.expired());  // the storage holds the owner
        EXPECT_TRUE(storage->borrowed());
        EXPECT_EQ(storage->device(), -1);
        Tensor<float> t = Tensor<float>::from_storage(storage, 2, {2, 5});
        t.set({1, 4}, 7.0f);  // writes land in the owner's memory: nothing was copied
        EXPECT_EQ((*watch.lock())[11], 7.0f);
        EXPECT_EQ(t.cdata(), watch.lock()->data() + 2);
        EXPECT_THROW(Tensor<float>::from_storage(storage, 3, {2, 5}), ValueError);  // overruns
    }
    EXPECT_TRUE(watch.expired());  // the last tensor gone, the owner is released
}

TEST(Memory, ManagedMemoryCannotBeBorrowed) {
    float x = 0;
    EXPECT_THROW(Storage::borrow(&x, sizeof x, MANAGED, std::make_shared<int>(0)), ValueError);
    EXPECT_THROW(Storage::borrow(&x, sizeof x, HOST, nullptr), ValueError);
}
