#pragma once
// The reference content that tests/io/read_safetensors.py writes and checks: the same tensors,
// values and metadata, built here for the C++ side.

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "magmadnn/core/tensor.h"
#include "magmadnn/io/safetensors.h"

namespace magmadnn::test {

template <typename T>
T reference_value(index_t i) {
    if constexpr (std::is_same_v<T, std::int32_t>) {
        return static_cast<std::int32_t>((i * 7919) % 100003 - 50000);
    } else if constexpr (std::is_same_v<T, std::uint8_t>) {
        return static_cast<std::uint8_t>((i * 37) % 256);
    } else {
        return T(static_cast<float>(((i * 37) % 17 - 8) * 0.25));
    }
}

template <typename T>
Tensor<T> reference_tensor(const Shape& shape) {
    Tensor<T> t(shape, HOST);
    for (index_t i = 0; i < t.size(); ++i) t.data()[i] = reference_value<T>(i);
    return t;
}

inline const std::vector<std::pair<std::string, std::string>>& reference_metadata() {
    static const std::vector<std::pair<std::string, std::string>> m{
        {"architecture", "{\"layers\": [784, 10]}"}, {"note", "h\u00e9llo \u2713"}};
    return m;
}

inline io::SafetensorsWriter reference_writer() {
    io::SafetensorsWriter w;
    w.add("w_f32", reference_tensor<float>({3, 4}));
    w.add("w_f64", reference_tensor<double>({2, 2, 3}));
    w.add("w_f16", reference_tensor<f16>({5}));
    w.add("w_bf16", reference_tensor<bf16>({2, 3}));
    w.add("n_i32", reference_tensor<std::int32_t>({4, 2}));
    w.add("p_u8", reference_tensor<std::uint8_t>({7}));
    w.add("scalar", reference_tensor<float>({}));
    w.add("empty", reference_tensor<double>({0, 3}));
    for (const auto& [k, v] : reference_metadata()) w.set_metadata(k, v);
    return w;
}

// Bitwise equality of the stored elements (f16/bf16 compare their bits).
template <typename T>
bool same_elements(const Tensor<T>& a, const Tensor<T>& b) {
    if (a.shape() != b.shape()) return false;
    const auto va = a.to_vector();
    const auto vb = b.to_vector();
    if (va.empty()) return true;
    return std::memcmp(va.data(), vb.data(), va.size() * sizeof(T)) == 0;
}

}  // namespace magmadnn::test
