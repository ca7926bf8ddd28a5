// magmadnn.fft: 1-D and 2-D FFTs over the last axes (batched over the others), on real float32 /
// float64 or complex64 / complex128 tensors and arrays, and the FP16-split 2-D FFT.
#include "magmadnn/fft.h"

#include "bindings.h"
#include "dlpack_types.h"

namespace magmadnn::python {

namespace {

// f(x) with x's tensor of the types fft accepts (real, complex, or both), the GIL released.
template <bool Real, bool Complex, typename F>
PyTensor spectral(nb::handle obj, const char* what, F&& f) {
    const PyTensor p = to_tensor(obj);
    return std::visit(
        [&](const auto& x) -> PyTensor {
            using T = typename std::decay_t<decltype(x)>::value_type;
            constexpr bool real = std::is_same_v<T, float> || std::is_same_v<T, double>;
            constexpr bool complex = std::is_same_v<T, c64> || std::is_same_v<T, c128>;
            if constexpr ((Real && real) || (Complex && complex)) {
                nb::gil_scoped_release release;
                return PyTensor{f(x)};
            } else {
                throw nb::type_error((std::string(what) + ": expected a " +
                                      (Real && Complex ? "float or complex"
                                       : Real          ? "float32 or float64"
                                                       : "complex64 or complex128") +
                                      " tensor, got " + dtype_name<T>())
                                         .c_str());
            }
        },
        p.t);
}

}  // namespace

void bind_fft(nb::module_& m) {
    m.def(
        "fft",
        [](nb::handle x) {
            return spectral<true, true>(x, "fft.fft", [](const auto& t) { return fft::fft(t); });
        },
        nb::arg("x"), "The DFT along the last axis (complex output).");
    m.def(
        "ifft",
        [](nb::handle x) {
            return spectral<false, true>(x, "fft.ifft", [](const auto& t) { return fft::ifft(t); });
        },
        nb::arg("x"), "The inverse DFT along the last axis, scaled by 1/n.");
    m.def(
        "rfft",
        [](nb::handle x) {
            return spectral<true, false>(x, "fft.rfft", [](const auto& t) { return fft::rfft(t); });
        },
        nb::arg("x"), "The DFT of real input: the n/2 + 1 non-negative frequencies.");
    m.def(
        "irfft",
        [](nb::handle X, index_t n) {
            return spectral<false, true>(X, "fft.irfft",
                                         [&](const auto& t) { return fft::irfft(t, n); });
        },
        nb::arg("X"), nb::arg("n"), "The real signal of length n from its rfft.");
    m.def(
        "fft2",
        [](nb::handle x) {
            return spectral<true, true>(x, "fft.fft2", [](const auto& t) { return fft::fft2(t); });
        },
        nb::arg("x"), "The 2-D DFT over the last two axes.");
    m.def(
        "ifft2",
        [](nb::handle x) {
            return spectral<false, true>(x, "fft.ifft2",
                                         [](const auto& t) { return fft::ifft2(t); });
        },
        nb::arg("x"));
    m.def(
        "rfft2",
        [](nb::handle x) {
            return spectral<true, false>(x, "fft.rfft2",
                                         [](const auto& t) { return fft::rfft2(t); });
        },
        nb::arg("x"), "{..., H, W} real -> {..., H, W / 2 + 1}.");
    m.def(
        "irfft2",
        [](nb::handle X, index_t w) {
            return spectral<false, true>(X, "fft.irfft2",
                                         [&](const auto& t) { return fft::irfft2(t, w); });
        },
        nb::arg("X"), nb::arg("w"), "w: the real output's last extent.");
    m.def(
        "fft2_fp16split",
        [](nb::handle x) {
            const PyTensor p = to_tensor(x);
            if (std::holds_alternative<Tensor<c64>>(p.t)) {
                const Tensor<c64> t = std::get<Tensor<c64>>(p.t);
                nb::gil_scoped_release release;
                return PyTensor{fft::fft2_fp16split(t)};
            }
            const Tensor<float> t = to_typed<float>(x);
            nb::gil_scoped_release release;
            return PyTensor{fft::fft2_fp16split(t)};
        },
        nb::arg("x"),
        "The 2-D FFT with each operand split into two float16 halves (near float32 accuracy "
        "from half-precision passes); extents must be powers of two.");
}

}  // namespace magmadnn::python
