// Convolution algorithm names, problem shapes (key, validation, cost), and which algorithm
// applies to a problem with what error bound.
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "conv2d.h"
#include "magmadnn/core/error.h"

namespace magmadnn::conv {

const char* to_string(Algo a) {
    switch (a) {
        case Algo::automatic:
            return "auto";
        case Algo::direct:
            return "direct";
        case Algo::im2col:
            return "im2col";
        case Algo::winograd2:
            return "winograd2";
        case Algo::winograd4:
            return "winograd4";
        case Algo::fft:
            return "fft";
        case Algo::onednn:
            return "onednn";
        case Algo::cudnn:
            return "cudnn";
    }
    return "?";
}

Algo algo_from_string(const std::string& name) {
    for (Algo a : {Algo::automatic, Algo::direct, Algo::im2col, Algo::winograd2, Algo::winograd4,
                   Algo::fft, Algo::onednn, Algo::cudnn}) {
        if (name == to_string(a)) return a;
    }
    throw ValueError(fmt::format(
        "conv: unknown algorithm '{}'; expected auto, direct, im2col, winograd2, winograd4, fft, "
        "onednn or cudnn",
        name));
}

double Shape2d::macs() const {
    return double(n) * double(k) * double(out_h()) * double(out_w()) * double(c / groups) *
           double(r) * double(s);
}

std::string Shape2d::key() const {
    return fmt::format("n{}c{}h{}w{}k{}r{}s{}st{}x{}p{}x{}d{}x{}g{}", n, c, h, w, k, r, s, stride_h,
                       stride_w, pad_h, pad_w, dil_h, dil_w, groups);
}

void Shape2d::validate(const std::string& who) const {
    const std::string desc = fmt::format(
        "input {{{}, {}, {}, {}}}, filter {{{}, {}, {}, {}}}, stride {{{}, {}}}, padding {{{}, "
        "{}}}, dilation {{{}, {}}}, groups {}",
        n, c, h, w, k, groups > 0 ? c / groups : 0, r, s, stride_h, stride_w, pad_h, pad_w, dil_h,
        dil_w, groups);
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || k <= 0 || r <= 0 || s <= 0 || stride_h <= 0 ||
        stride_w <= 0 || pad_h < 0 || pad_w < 0 || dil_h <= 0 || dil_w <= 0 || groups <= 0) {
        throw ShapeError(fmt::format(
            "{}: {}: extents, strides, dilations and groups must be positive, padding >= 0", who,
            desc));
    }
    if (c % groups != 0 || k % groups != 0) {
        throw ShapeError(fmt::format(
            "{}: {}: groups must divide both the input channels ({}) and the output channels "
            "({})",
            who, desc, c, k));
    }
    if (dil_h * (r - 1) + 1 > h + 2 * pad_h || dil_w * (s - 1) + 1 > w + 2 * pad_w) {
        throw ShapeError(fmt::format(
            "{}: {}: the (dilated) kernel {}x{} is larger than the padded input {}x{}; use more "
            "padding or a smaller kernel",
            who, desc, dil_h * (r - 1) + 1, dil_w * (s - 1) + 1, h + 2 * pad_h, w + 2 * pad_w));
    }
}

bool applicable(Algo a, const Shape2d& p, bool is_double) {
    const bool unit =
        p.stride_h == 1 && p.stride_w == 1 && p.dil_h == 1 && p.dil_w == 1 && p.groups == 1;
    switch (a) {
        case Algo::automatic:
        case Algo::cudnn:  // not a host algorithm
            return false;
        case Algo::direct:
        case Algo::im2col:
            return true;
        case Algo::winograd2:
        case Algo::winograd4:
            return unit && p.r == 3 && p.s == 3;
        case Algo::fft:
            return unit;
        case Algo::onednn:
            return !is_double;
    }
    return false;
}

double error_bound(Algo a, bool is_double) {
    switch (a) {
        case Algo::automatic:
        case Algo::direct:
            return is_double ? 1e-14 : 1e-6;
        case Algo::im2col:
        case Algo::onednn:
            return is_double ? 1e-13 : 1e-5;
        case Algo::winograd2:
            return is_double ? 1e-13 : 1e-5;
        case Algo::winograd4:
            return is_double ? 1e-12 : 1e-4;
        case Algo::fft:
            return is_double ? 1e-12 : 1e-4;
        case Algo::cudnn:  // FMA math for f32; includes cuDNN's FFT and Winograd algorithms
            return is_double ? 1e-12 : 1e-4;
    }
    return 0;
}

}  // namespace magmadnn::conv
