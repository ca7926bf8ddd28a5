#pragma once
// Tensor<T>: a value type over shared storage. Copies are cheap and share the data (as a
// std::shared_ptr does); clone() makes an independent copy. Row-major and contiguous; a view
// (slice along the first axis, reshape) shares the storage at an offset.

#include <complex>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "magmadnn/core/init.h"
#include "magmadnn/core/memory.h"
#include "magmadnn/core/shape.h"
#include "magmadnn/core/types.h"

namespace magmadnn {

template <typename T>
class Tensor {
  public:
    using value_type = T;

    // An empty tensor (no storage, shape {0}).
    Tensor();
    // Uninitialized-but-zeroed storage of the given shape in `memory`.
    explicit Tensor(Shape shape, memory_t memory = HOST);
    // Filled as the seed's Tensor(shape, {GLOROT, {...}}, memory).
    Tensor(Shape shape, const Filler& filler, memory_t memory = HOST);

    // A HOST tensor holding `values` (numel(shape) of them).
    static Tensor from_vector(const std::vector<T>& values, Shape shape);
    // A view of `shape` at element `offset` of `storage` (a borrowed one wraps memory owned
    // elsewhere, Storage::borrow); ValueError when the elements do not fit in its bytes.
    static Tensor from_storage(std::shared_ptr<Storage> storage, std::size_t offset, Shape shape);

    const Shape& shape() const { return shape_; }
    index_t shape(int axis) const;                             // negative axes count from the end
    index_t get_shape(int axis) const { return shape(axis); }  // the seed's spelling
    int ndim() const { return static_cast<int>(shape_.size()); }
    index_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    memory_t memory() const { return memory_; }
    // Complex tensors (FFT) have no DType: a member template is instantiated only when called,
    // so they stay instantiable (clang 14 ignores a constraint on a plain member there).
    template <typename U = T>
    DType dtype() const {
        return dtype_of<U>::value;
    }

    // Element access by multi-index or flat index, on any memory type (DEVICE goes through a
    // one-element copy: fine for tests and inspection, not for loops).
    T get(std::initializer_list<index_t> idx) const;
    void set(std::initializer_list<index_t> idx, T value);
    T get(const std::vector<index_t>& idx) const;
    void set(const std::vector<index_t>& idx, T value);
    T get_flat(index_t i) const;
    void set_flat(index_t i, T value);

    // Host pointers (throw DeviceError for DEVICE memory). data() marks a MANAGED tensor's
    // device copy stale; cdata() only syncs.
    T* data();
    const T* cdata() const;
    std::span<T> span() { return {data(), static_cast<std::size_t>(size_)}; }
    std::span<const T> cspan() const { return {cdata(), static_cast<std::size_t>(size_)}; }
    // Device pointers (throw DeviceError for HOST memory).
    T* device_data();
    const T* cdevice_data() const;

    // Views sharing storage.
    Tensor slice(index_t begin, index_t end) const;  // rows [begin, end) of the first axis
    Tensor operator[](index_t i) const;              // row i, one axis fewer
    Tensor reshape(Shape shape) const;               // same number of elements; -1 infers one axis
    Tensor flatten() const { return reshape({size_}); }

    // Copies.
    Tensor clone() const { return to(memory_, true); }
    // This tensor in `memory`; shares storage when already there unless `always_copy`.
    Tensor to(memory_t memory, bool always_copy = false) const;
    // Copies the elements of `src` (same number of elements, any memory type).
    void copy_from(const Tensor& src);
    template <typename U>
    Tensor<U> cast() const;  // element conversion, on the host (f16/bf16 round to nearest even)
    std::vector<T> to_vector() const;

    void fill(T value);
    void fill(const Filler& filler);
    void zero() { fill(T(0)); }

    // MANAGED synchronisation, as the seed's Tensor::get_memory_manager()->sync().
    void sync_to_host() const;
    void sync_to_device() const;

    bool shares_storage(const Tensor& other) const { return storage_ == other.storage_; }
    std::size_t offset() const { return offset_; }
    const std::shared_ptr<Storage>& storage() const { return storage_; }

  private:
    Tensor(std::shared_ptr<Storage> storage, std::size_t offset, Shape shape);
    index_t flat_index(const index_t* idx, std::size_t n) const;

    std::shared_ptr<Storage> storage_;
    std::size_t offset_ = 0;  // in elements
    Shape shape_;
    index_t size_ = 0;
    memory_t memory_ = HOST;
};

extern template class Tensor<float>;
extern template class Tensor<double>;
extern template class Tensor<f16>;
extern template class Tensor<bf16>;
extern template class Tensor<std::int32_t>;
extern template class Tensor<std::uint8_t>;
extern template class Tensor<std::complex<float>>;  // FFT spectra (no DType, no cast<U>())
extern template class Tensor<std::complex<double>>;

}  // namespace magmadnn
