#include "magmadnn/core/tensor.h"

#include <fmt/format.h>

#include <algorithm>

#include "fill.h"
#include "magmadnn/core/error.h"

namespace magmadnn {

namespace {

std::shared_ptr<Storage> make_storage(index_t n, std::size_t elem, memory_t memory) {
    std::size_t bytes = 0;
    if (__builtin_mul_overflow(static_cast<std::size_t>(n), elem, &bytes)) {
        throw ValueError(fmt::format(
            "Tensor: {} elements of {} bytes are more than any address space holds", n, elem));
    }
    return std::make_shared<Storage>(bytes, memory);
}

}  // namespace

template <typename T>
Tensor<T>::Tensor() : shape_{0} {}

template <typename T>
Tensor<T>::Tensor(Shape shape, memory_t memory) : shape_(std::move(shape)), memory_(memory) {
    check_shape(shape_, "Tensor");
    size_ = numel(shape_);
    storage_ = make_storage(size_, sizeof(T), memory);
}

template <typename T>
Tensor<T>::Tensor(Shape shape, const Filler& filler, memory_t memory)
    : Tensor(std::move(shape), memory) {
    if (filler.type != NONE) fill(filler);
}

template <typename T>
Tensor<T>::Tensor(std::shared_ptr<Storage> storage, std::size_t offset, Shape shape)
    : storage_(std::move(storage)), offset_(offset), shape_(std::move(shape)) {
    size_ = numel(shape_);
    memory_ = storage_->memory();
}

template <typename T>
Tensor<T> Tensor<T>::from_vector(const std::vector<T>& values, Shape shape) {
    Tensor t(std::move(shape), HOST);
    if (static_cast<index_t>(values.size()) != t.size()) {
        throw ShapeError(fmt::format("Tensor::from_vector: {} values for shape {} ({} elements)",
                                     values.size(), to_string(t.shape()), t.size()));
    }
    std::copy(values.begin(), values.end(), t.data());
    return t;
}

template <typename T>
Tensor<T> Tensor<T>::from_storage(std::shared_ptr<Storage> storage, std::size_t offset,
                                  Shape shape) {
    if (storage == nullptr) throw ValueError("Tensor::from_storage: no storage");
    check_shape(shape, "Tensor::from_storage");
    const auto n = static_cast<std::size_t>(numel(shape));
    if ((offset + n) * sizeof(T) > storage->bytes()) {
        throw ValueError(fmt::format(
            "Tensor::from_storage: {} elements of {} bytes at element {} overrun the storage's {} "
            "bytes",
            n, sizeof(T), offset, storage->bytes()));
    }
    return Tensor(std::move(storage), offset, std::move(shape));
}

template <typename T>
index_t Tensor<T>::shape(int axis) const {
    const int n = ndim();
    const int a = axis < 0 ? axis + n : axis;
    if (a < 0 || a >= n) {
        throw ValueError(fmt::format("Tensor::shape({}): axis out of range for shape {}", axis,
                                     to_string(shape_)));
    }
    return shape_[static_cast<std::size_t>(a)];
}

template <typename T>
index_t Tensor<T>::flat_index(const index_t* idx, std::size_t n) const {
    if (n != shape_.size()) {
        throw ValueError(fmt::format("Tensor index with {} coordinates for shape {} ({} axes)", n,
                                     to_string(shape_), shape_.size()));
    }
    index_t flat = 0;
    for (std::size_t a = 0; a < n; ++a) {
        if (idx[a] < 0 || idx[a] >= shape_[a]) {
            throw ValueError(
                fmt::format("Tensor index {} out of range [0, {}) on axis {} of shape {}", idx[a],
                            shape_[a], a, to_string(shape_)));
        }
        flat = flat * shape_[a] + idx[a];
    }
    return flat;
}

template <typename T>
T Tensor<T>::get_flat(index_t i) const {
    if (i < 0 || i >= size_) {
        throw ValueError(fmt::format("Tensor flat index {} out of range [0, {})", i, size_));
    }
    if (memory_ != DEVICE) return cdata()[i];
    T value{};
    Storage host_one(sizeof(T), HOST);
    copy_bytes(host_one, 0, *storage_, (offset_ + static_cast<std::size_t>(i)) * sizeof(T),
               sizeof(T));
    std::memcpy(&value, host_one.host_read(), sizeof(T));
    return value;
}

template <typename T>
void Tensor<T>::set_flat(index_t i, T value) {
    if (i < 0 || i >= size_) {
        throw ValueError(fmt::format("Tensor flat index {} out of range [0, {})", i, size_));
    }
    if (memory_ != DEVICE) {
        data()[i] = value;
        return;
    }
    Storage host_one(sizeof(T), HOST);
    std::memcpy(host_one.host_write(), &value, sizeof(T));
    copy_bytes(*storage_, (offset_ + static_cast<std::size_t>(i)) * sizeof(T), host_one, 0,
               sizeof(T));
}

template <typename T>
T Tensor<T>::get(std::initializer_list<index_t> idx) const {
    return get_flat(flat_index(idx.begin(), idx.size()));
}
template <typename T>
void Tensor<T>::set(std::initializer_list<index_t> idx, T value) {
    set_flat(flat_index(idx.begin(), idx.size()), value);
}
template <typename T>
T Tensor<T>::get(const std::vector<index_t>& idx) const {
    return get_flat(flat_index(idx.data(), idx.size()));
}
template <typename T>
void Tensor<T>::set(const std::vector<index_t>& idx, T value) {
    set_flat(flat_index(idx.data(), idx.size()), value);
}

template <typename T>
T* Tensor<T>::data() {
    if (!storage_) return nullptr;
    return static_cast<T*>(storage_->host_write()) + offset_;
}
template <typename T>
const T* Tensor<T>::cdata() const {
    if (!storage_) return nullptr;
    return static_cast<const T*>(storage_->host_read()) + offset_;
}
template <typename T>
T* Tensor<T>::device_data() {
    if (!storage_) return nullptr;
    return static_cast<T*>(storage_->device_write()) + offset_;
}
template <typename T>
const T* Tensor<T>::cdevice_data() const {
    if (!storage_) return nullptr;
    return static_cast<const T*>(storage_->device_read()) + offset_;
}

template <typename T>
Tensor<T> Tensor<T>::slice(index_t begin, index_t end) const {
    if (shape_.empty() || begin < 0 || end < begin || end > shape_[0]) {
        throw ValueError(fmt::format("Tensor::slice({}, {}): out of range for shape {}", begin, end,
                                     to_string(shape_)));
    }
    Shape s = shape_;
    s[0] = end - begin;
    const index_t row = shape_[0] == 0 ? 0 : size_ / shape_[0];
    return Tensor(storage_, offset_ + static_cast<std::size_t>(begin * row), std::move(s));
}

template <typename T>
Tensor<T> Tensor<T>::operator[](index_t i) const {
    Tensor row = slice(i, i + 1);
    row.shape_.erase(row.shape_.begin());
    return row;
}

template <typename T>
Tensor<T> Tensor<T>::reshape(Shape shape) const {
    index_t known = 1;
    int infer = -1;
    for (std::size_t a = 0; a < shape.size(); ++a) {
        if (shape[a] == -1) {
            if (infer >= 0) {
                throw ShapeError(fmt::format("reshape {} -> {}: at most one extent may be -1",
                                             to_string(shape_), to_string(shape)));
            }
            infer = static_cast<int>(a);
        } else {
            known *= shape[a];
        }
    }
    if (infer >= 0 && known > 0 && size_ % known == 0) shape[infer] = size_ / known;
    check_shape(shape, "reshape");
    if (numel(shape) != size_) {
        throw ShapeError(fmt::format("reshape {} -> {}: {} elements cannot become {}",
                                     to_string(shape_), to_string(shape), size_, numel(shape)));
    }
    return Tensor(storage_, offset_, std::move(shape));
}

template <typename T>
Tensor<T> Tensor<T>::to(memory_t memory, bool always_copy) const {
    if (memory == memory_ && !always_copy) return *this;
    Tensor out(shape_, memory);
    out.copy_from(*this);
    return out;
}

template <typename T>
void Tensor<T>::copy_from(const Tensor& src) {
    if (src.size_ != size_) {
        throw ShapeError(
            fmt::format("Tensor::copy_from: source shape {} ({} elements) into {} "
                        "({} elements)",
                        to_string(src.shape_), src.size_, to_string(shape_), size_));
    }
    if (size_ == 0) return;
    copy_bytes(*storage_, offset_ * sizeof(T), *src.storage_, src.offset_ * sizeof(T),
               static_cast<std::size_t>(size_) * sizeof(T));
}

template <typename T>
template <typename U>
Tensor<U> Tensor<T>::cast() const {
    const Tensor host = to(HOST);
    Tensor<U> out(shape_, HOST);
    const T* s = host.cdata();
    U* d = out.data();
    for (index_t i = 0; i < size_; ++i) {
        if constexpr (std::is_same_v<U, f16> || std::is_same_v<U, bf16>) {
            d[i] = U(static_cast<float>(s[i]));
        } else if constexpr (std::is_same_v<T, f16> || std::is_same_v<T, bf16>) {
            d[i] = static_cast<U>(static_cast<float>(s[i]));
        } else {
            d[i] = static_cast<U>(s[i]);
        }
    }
    return memory_ == HOST ? out : out.to(memory_);
}

template <typename T>
std::vector<T> Tensor<T>::to_vector() const {
    const Tensor host = to(HOST);
    const T* p = host.cdata();
    return std::vector<T>(p, p + size_);
}

template <typename T>
void Tensor<T>::fill(T value) {
    if (memory_ == DEVICE) {
        Tensor host(shape_, HOST);
        std::fill_n(host.data(), size_, value);
        copy_from(host);
        return;
    }
    std::fill_n(data(), size_, value);
}

template <typename T>
void Tensor<T>::fill(const Filler& filler) {
    const std::vector<double> v = detail::filler_values(filler, shape_);
    Tensor host = memory_ == DEVICE ? Tensor(shape_, HOST) : *this;
    T* d = host.data();
    for (index_t i = 0; i < size_; ++i) {
        if constexpr (std::is_same_v<T, f16> || std::is_same_v<T, bf16>) {
            d[i] = T(static_cast<float>(v[i]));
        } else {
            d[i] = static_cast<T>(v[i]);
        }
    }
    if (memory_ == DEVICE) copy_from(host);
}

template <typename T>
void Tensor<T>::sync_to_host() const {
    if (storage_) storage_->sync_to_host();
}
template <typename T>
void Tensor<T>::sync_to_device() const {
    if (storage_) storage_->sync_to_device();
}

#define MAGMADNN_CAST(T, U) template Tensor<U> Tensor<T>::cast<U>() const;
#define MAGMADNN_CASTS(T)    \
    MAGMADNN_CAST(T, float)  \
    MAGMADNN_CAST(T, double) \
    MAGMADNN_CAST(T, f16)    \
    MAGMADNN_CAST(T, bf16) MAGMADNN_CAST(T, std::int32_t) MAGMADNN_CAST(T, std::uint8_t)
MAGMADNN_CASTS(float)
MAGMADNN_CASTS(double)
MAGMADNN_CASTS(f16)
MAGMADNN_CASTS(bf16)
MAGMADNN_CASTS(std::int32_t)
MAGMADNN_CASTS(std::uint8_t)

template class Tensor<float>;
template class Tensor<double>;
template class Tensor<f16>;
template class Tensor<bf16>;
template class Tensor<std::int32_t>;
template class Tensor<std::uint8_t>;
template class Tensor<std::complex<float>>;
template class Tensor<std::complex<double>>;

}  // namespace magmadnn
